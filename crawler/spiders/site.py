"""`scrapy crawl site`: follow links within a site and store the pages that are articles.

Every page is crawled for links; only pages :func:`is_article_page` accepts
become items. Section fronts, tag pages, the home page, contact pages are not
stored and are not failures either: they count in ``news/site/not_article``.
Depth is Scrapy's ``DEPTH_LIMIT`` (set from ``depth``), link rules are a
``LinkExtractor`` with the ``allow`` / ``deny`` regexes.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from lxml import html as lxml_html
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor

from crawler.spiders.live import LiveSpider, check_url, split_list

#: og:type values of article pages, e.g. <meta property="og:type" content="article">
ARTICLE_OG_TYPES = frozenset({"article", "news", "blog", "newsarticle"})
#: og:type values that say "not an article", e.g. "website" on a home or section page
NON_ARTICLE_OG_TYPES = frozenset({"website", "profile", "video.other", "product", "book"})
#: JSON-LD types of article pages, e.g. "NewsArticle", "BlogPosting", "ReportageNewsArticle"
ARTICLE_LD_RE = re.compile(r"(?:Article|BlogPosting|LiveBlogPosting|Report)$")
#: JSON-LD types of list and site pages, e.g. "CollectionPage", "ContactPage"
NON_ARTICLE_LD = frozenset(
    {
        "CollectionPage",
        "ContactPage",
        "AboutPage",
        "SearchResultsPage",
        "ProfilePage",
        "WebSite",
        "ItemList",
        "FAQPage",
    }
)
#: a dated path, e.g. /2024/05/01/ or /2024-05-01-
DATED_PATH_RE = re.compile(r"/(?:19|20)\d{2}[/-](?:0?[1-9]|1[0-2])[/-]")
#: section/list/legal paths, e.g. /tag/x, /category/y, /page/2, /contact, /privacy-policy
LIST_PATH_RE = re.compile(
    r"/(?:tags?|category|categories|topics?|section|author|authors|page|search|archive|contact|about|"
    r"privacy|privacy-policy|terms|cookies|imprint|impressum|login|subscribe|newsletter)(?:/|$|[-_.?])",
    re.IGNORECASE,
)
#: a final path segment that reads like a headline slug: 4+ words, e.g. /news/council-cuts-ferry-timetable
SLUG_RE = re.compile(r"/[a-z0-9]+(?:-[a-z0-9]+){3,}(?:\.html?)?/?$", re.IGNORECASE)


def _jsonld_types(tree: lxml_html.HtmlElement) -> set[str]:
    found: set[str] = set()
    for script in tree.xpath('//script[contains(@type, "ld+json")]'):
        try:
            data = json.loads(script.text_content() or "null", strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                kind = node.get("@type", [])
                found.update(str(k) for k in (kind if isinstance(kind, list) else [kind]))
                stack.extend(v for k, v in node.items() if k in ("@graph", "mainEntity"))
    return found


def is_article_page(page: str | lxml_html.HtmlElement, url: str) -> tuple[bool, str]:
    """Decide whether a page is one article, from its own signals first, then its URL's shape.

    ``page`` is the HTML, or its parsed tree (the crawl passes the one Scrapy parsed for
    its link extractor, so the page is not parsed once more here).
    Returns ``(verdict, signal)``, the signal naming what decided (for stats and tests).
    """
    if isinstance(page, str):
        try:
            tree = lxml_html.fromstring(page or "<html/>")
        except (ValueError, lxml_html.etree.ParserError):
            return False, "unparsable"
    else:
        tree = page
    og = {
        (m.get("content") or "").strip().lower()
        for m in tree.xpath('//meta[@property="og:type" or @name="og:type"]')
    }
    types = _jsonld_types(tree)
    if any(ARTICLE_LD_RE.search(t) for t in types):
        return True, "jsonld"
    if og & ARTICLE_OG_TYPES:
        return True, "og:type"
    if og & NON_ARTICLE_OG_TYPES or types & NON_ARTICLE_LD:
        return False, "declared-not-article"
    if tree.xpath('//meta[@property="article:published_time" or @name="article:published_time"]'):
        return True, "published_time"
    path = urlsplit(url).path or "/"
    if path == "/" or LIST_PATH_RE.search(path):
        return False, "url-list"
    if DATED_PATH_RE.search(path) or SLUG_RE.search(path):
        return True, "url-shape"
    return False, "no-signal"


class SiteSpider(LiveSpider):
    """Follow links within a site and store its articles.

    Arguments:
        url: start URL(s), comma-separated (links are followed on their hosts only).
        allow, deny: regexes (comma-separated) a followed link's URL must / must not match.
        depth: link hops from the start URL(s) (default 2; 0 = no limit).
        site: a site of the sites file (its ``url``, ``allow``, ``deny``, ``depth``).
        refresh, limit: as for every live spider (see crawler/spiders/live.py).

    Example::

        scrapy crawl site -a url=https://example.com/ -a allow=/news/ -a depth=2
    """

    name = "site"

    def __init__(
        self,
        url: str | None = None,
        allow: str | None = None,
        deny: str | None = None,
        depth: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.url = url or ""
        self.start_list = [check_url(u) for u in split_list(url)]
        self.allow = split_list(allow)
        self.deny = split_list(deny)
        for pattern in self.allow + self.deny:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"allow/deny pattern {pattern!r} is not a regex ({exc})") from exc
        if depth is not None and (not depth.isdigit()):
            raise ValueError(f"depth must be a whole number, got {depth!r}")
        self.depth = int(depth) if depth is not None else None
        if not self.start_list and not self.site:
            raise ValueError("site needs -a url=START_URL or -a site=NAME")
        self.links: LinkExtractor | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.settings.set("DEPTH_LIMIT", spider.depth, priority="spider")
        return spider

    def configure(self) -> None:
        config = self.site_config
        if not self.start_list and config.get("url"):
            self.start_list = [check_url(config["url"], "url")]
        if not self.start_list:
            raise ValueError(f"site {self.site!r} has no url; give -a url=START_URL")
        self.allow = self.allow or config.get("allow", [])
        self.deny = self.deny or config.get("deny", [])
        if self.depth is None:
            self.depth = int(config.get("depth", 2))
        # LinkExtractor compares the netloc (host:port), so a port must be part of the domain.
        hosts = sorted({urlsplit(u).netloc.lower() for u in self.start_list})
        self.links = LinkExtractor(allow=self.allow, deny=self.deny, allow_domains=hosts, unique=True)

    async def start(self) -> AsyncIterator[scrapy.Request]:  # type: ignore[override]
        for url in self.start_list:
            yield self.page_request(url)

    def page_request(self, url: str) -> scrapy.Request:
        """A page of the site: maybe an article, in any case a source of links."""
        request = self.article_request(url)
        request.callback = self.parse_page
        return request

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Store the page if it is an article; follow its links either way."""
        if not self.is_html(response):
            return
        # the tree of response.selector, which the link extractor below reads as well
        article, signal = is_article_page(response.selector.root, response.url)
        if article:
            self.crawler.stats.inc_value(f"news/site/article/{signal}")
            item = self.make_item(response)
            if item is not None:
                yield item
        else:
            self.crawler.stats.inc_value("news/site/not_article")
            self.crawler.stats.inc_value(f"news/site/not_article/{signal}")
        assert self.links is not None
        for link in self.links.extract_links(response):
            yield self.page_request(link.url)
