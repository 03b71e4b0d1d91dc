"""`scrapy crawl sitemap`: article URLs from sitemaps, sitemap indexes, Google News sitemaps, robots.txt.

Scrapy downloads every document; :func:`parse_sitemap` reads the body with a
locked-down lxml parser (no entities, no network, no huge trees) and keeps the
``news:`` fields Scrapy's own sitemap parser drops (``news:title`` and
``news:publication_date`` become the page's hints). ``since`` filters entries
and child sitemaps by ``lastmod`` (or the news date); undated entries are kept.
An entry's ``lastmod`` travels with its request: a stored article whose lastmod
is not newer than its stored fetch is not requested again (crawler/refresh.py).
The news publication date does not: an article corrected later keeps it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import scrapy
from lxml import etree
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawler.fixtures import iso_utc
from crawler.spiders.live import LiveSpider, check_url, split_list

#: a parser that cannot be made to read files, fetch URLs or expand entity bombs
SAFE_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    recover=True,
    remove_comments=True,
    remove_pis=True,
)


@dataclass
class SitemapEntry:
    """A ``<url>`` or ``<sitemap>`` of a sitemap document."""

    loc: str
    lastmod: str = ""
    news_title: str = ""
    news_date: str = ""

    def hints(self) -> dict[str, Any]:
        """The request's ``meta["hints"]`` (news fields only: lastmod is not a publication date)."""
        return {"title": self.news_title, "published": self.news_date}


def _child(node: etree._Element, name: str) -> str:
    found = node.xpath(f"./*[local-name()='{name}']")
    return (found[0].text or "").strip() if found else ""


def parse_sitemap(body: bytes, base_url: str) -> tuple[str, list[SitemapEntry]]:
    """``("index" | "urlset", entries)`` of a sitemap body (gzipped or not); ValueError for non-sitemaps."""
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_size=50 * 1024 * 1024)
    try:
        root = etree.fromstring(body, parser=SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"the sitemap is not XML ({exc})") from exc
    if root is None:
        raise ValueError("the sitemap is empty")
    kind = etree.QName(root).localname
    if kind not in ("sitemapindex", "urlset"):
        raise ValueError(f"the document is not a sitemap (its root element is <{kind}>)")
    entries = []
    for node in root.xpath("./*[local-name()='sitemap' or local-name()='url']"):
        loc = _child(node, "loc")
        if not loc:
            continue
        entry = SitemapEntry(loc=urljoin(base_url, loc), lastmod=_child(node, "lastmod"))
        news = node.xpath("./*[local-name()='news']")
        if news:
            entry.news_title = _child(news[0], "title")
            entry.news_date = _child(news[0], "publication_date")
        entries.append(entry)
    return ("index" if kind == "sitemapindex" else "urlset"), entries


def is_recent(entry: SitemapEntry, since: str | None) -> bool:
    """True without ``since``, for undated entries, and for entries dated at or after ``since``."""
    stamp = entry.lastmod or entry.news_date
    if not since or not stamp:
        return True
    try:
        return iso_utc(stamp if "T" in stamp else stamp + "T00:00:00") >= since
    except ValueError:
        return True  # an unreadable date does not hide an article


class SitemapSpider(LiveSpider):
    """Fetch the articles a site's sitemaps list.

    Arguments:
        url: sitemap, sitemap index or robots.txt URL(s), comma-separated.
        since: only entries whose lastmod / news date is on or after this ISO 8601 date.
        site: a site of the sites file; its ``sitemaps`` are used when ``url`` is not given.
        refresh, limit: as for every live spider (see crawler/spiders/live.py).

    Example::

        scrapy crawl sitemap -a url=https://example.com/robots.txt -a since=2024-05-01
    """

    name = "sitemap"

    def __init__(self, url: str | None = None, since: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url or ""
        self.sitemap_urls = [check_url(u) for u in split_list(url)]
        try:
            self.since = iso_utc(since if "T" in since else since + "T00:00:00") if since else ""
        except ValueError as exc:
            raise ValueError(f"since must be an ISO 8601 date, got {since!r}") from exc
        if not self.sitemap_urls and not self.site:
            raise ValueError("sitemap needs -a url=SITEMAP_OR_ROBOTS_URL or -a site=NAME")

    def configure(self) -> None:
        if not self.sitemap_urls:
            self.sitemap_urls = [check_url(u, "sitemaps") for u in self.site_config.get("sitemaps", [])]
        if not self.sitemap_urls:
            raise ValueError(f"site {self.site!r} lists no sitemaps; give -a url=SITEMAP_URL")

    async def start(self) -> AsyncIterator[scrapy.Request]:  # type: ignore[override]
        for url in self.sitemap_urls:
            yield self.sitemap_request(url)

    def sitemap_request(self, url: str) -> scrapy.Request:
        """A request for a sitemap document (never conditional: it is not stored)."""
        return scrapy.Request(
            url, callback=self.parse_sitemap, errback=self.fetch_failed, meta={"news_conditional": False}
        )

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """robots.txt -> its sitemaps; an index -> its (recent) sitemaps; a urlset -> article requests."""
        if response.url.endswith("/robots.txt"):
            for url in sitemap_urls_from_robots(response.body, base_url=response.url):
                yield self.sitemap_request(url)
            return
        try:
            kind, entries = parse_sitemap(response.body, response.url)
        except ValueError as exc:
            self.record_failure(source=response.url, url=response.url, stage="decode", reason=str(exc))
            return
        recent = [e for e in entries if is_recent(e, self.since)]
        self.crawler.stats.inc_value("news/sitemap/entries", len(entries))
        self.crawler.stats.inc_value("news/sitemap/too_old", len(entries) - len(recent))
        for entry in recent:
            if kind == "index":
                yield self.sitemap_request(entry.loc)
            else:
                yield self.article_request(entry.loc, entry.hints(), lastmod=entry.lastmod)
