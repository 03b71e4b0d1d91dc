"""`scrapy crawl feed`: article URLs from RSS 2.0, Atom and JSON Feed documents.

Scrapy downloads the feed; :func:`parse_feed` reads ``response.body`` (feedparser
for RSS/Atom, json for JSON Feed) and never fetches anything itself. Each
entry's title, date and authors travel with its request as ``meta["hints"]``;
its modification date (Atom ``<updated>``, JSON Feed ``date_modified``, an RSS
item's ``atom:updated`` / ``dcterms:modified``; never the publication date, which
a corrected article keeps) lets the refresh policy skip a stored copy that is
already as new (crawler/refresh.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import scrapy
from scrapy.http import Response

from crawler.spiders.live import LiveSpider, check_url, split_list

#: RSS 2.0 <author> "email (Name)", e.g. "jo@paper.example (Jo Bloggs)": feedparser mangles long TLDs
RSS_AUTHOR_RE = re.compile(r"^\s*\S+@\S+\s+\((?P<name>[^()]+)\)\s*$")


@dataclass
class FeedEntry:
    """One feed entry: an article URL and what the feed says about it."""

    url: str
    title: str = ""
    published: str = ""
    authors: list[str] = field(default_factory=list)
    #: when the feed says the entry last changed (ISO 8601), or ""
    modified: str = ""

    def hints(self) -> dict[str, Any]:
        """The request's ``meta["hints"]``."""
        return {"title": self.title, "published": self.published, "authors": self.authors}


class FeedError(ValueError):
    """A body that is no feed at all."""


def _looks_like_json(body: bytes) -> bool:
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_json_feed(body: bytes, base_url: str) -> list[FeedEntry]:
    """JSON Feed 1.0/1.1 items (``url``, else ``external_url``)."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"the JSON feed is not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError("the JSON document has no 'items' list (not a JSON Feed)")
    entries = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        if not isinstance(link, str) or not link.strip():
            continue
        people = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        authors = [
            p["name"].strip() for p in people if isinstance(p, dict) and isinstance(p.get("name"), str)
        ]
        entries.append(
            FeedEntry(
                url=urljoin(base_url, link.strip()),
                title=str(item.get("title") or ""),
                published=str(item.get("date_published") or item.get("date_modified") or ""),
                authors=authors,
                modified=str(item.get("date_modified") or ""),
            )
        )
    return entries


def entry_modified(entry: feedparser.FeedParserDict) -> str:
    """An RSS/Atom entry's own modification date in ISO 8601 UTC, or "".

    ``entry.get("updated")`` would answer with the publication date when there is
    no update date (feedparser's fallback), so the key is tested first.
    """
    if "updated_parsed" not in entry or not entry["updated_parsed"]:
        return ""
    return datetime(*entry["updated_parsed"][:6], tzinfo=UTC).isoformat()


def parse_feed(body: bytes, base_url: str) -> list[FeedEntry]:
    """Entries of an RSS 2.0, Atom or JSON Feed body, in feed order; :class:`FeedError` for non-feeds."""
    if _looks_like_json(body):
        return parse_json_feed(body, base_url)
    # Bytes in, so feedparser never fetches; content-location resolves relative links.
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise FeedError(
            f"the document is not an RSS or Atom feed ({parsed.get('bozo_exception', 'no entries')})"
        )
    entries = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (li.get("href") for li in entry.get("links", []) if li.get("rel") in (None, "alternate")), None
        )
        if not link:
            continue
        rss_author = RSS_AUTHOR_RE.match(entry.get("author") or "")
        if rss_author:
            names = [rss_author.group("name").strip()]
        else:
            names = [a.get("name", "").strip() for a in entry.get("authors", []) if a.get("name")]
        if not names and entry.get("author") and "@" not in entry["author"]:
            names = [entry["author"].strip()]
        entries.append(
            FeedEntry(
                url=urljoin(base_url, link.strip()),
                title=entry.get("title", ""),
                published=entry.get("published") or entry.get("updated") or "",
                authors=names,
                modified=entry_modified(entry),
            )
        )
    return entries


class FeedSpider(LiveSpider):
    """Fetch the articles a feed lists.

    Arguments:
        url: feed URL(s), comma-separated (RSS 2.0, Atom or JSON Feed).
        site: a site of the sites file; its ``feeds`` are used when ``url`` is not given.
        refresh, limit: as for every live spider (see crawler/spiders/live.py).

    Example::

        scrapy crawl feed -a url=https://example.com/rss.xml -s SQLITE_PATH=data/articles.db
    """

    name = "feed"

    def __init__(self, url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url or ""
        self.feed_urls = [check_url(u) for u in split_list(url)]
        if not self.feed_urls and not self.site:
            raise ValueError("feed needs -a url=FEED_URL[,FEED_URL...] or -a site=NAME")

    def configure(self) -> None:
        if not self.feed_urls:
            self.feed_urls = [check_url(u, "feeds") for u in self.site_config.get("feeds", [])]
        if not self.feed_urls:
            raise ValueError(f"site {self.site!r} lists no feeds; give -a url=FEED_URL")

    async def start(self) -> AsyncIterator[scrapy.Request]:  # type: ignore[override]
        for url in self.feed_urls:
            yield scrapy.Request(
                url, callback=self.parse_feed, errback=self.fetch_failed, meta={"news_conditional": False}
            )

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """A downloaded feed -> one article request per entry."""
        try:
            entries = parse_feed(response.body, response.url)
        except FeedError as exc:
            self.record_failure(source=response.url, url=response.url, stage="decode", reason=exc.args[0])
            return
        self.crawler.stats.inc_value("news/feed/entries", len(entries))
        for entry in entries:
            yield self.article_request(entry.url, entry.hints(), lastmod=entry.modified)
