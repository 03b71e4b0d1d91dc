"""LiveSpider: what every live spider (feed, sitemap, site, urls) shares.

Common arguments, validated when the spider is built: ``site=NAME`` (a site of
the sites file, setting ``NEWS_SITES_FILE``),
``refresh=conditional|revalidate|always|never`` (the policy is crawler/refresh.py;
crawler/middlewares_refresh.py and crawler/middlewares.py apply it), ``limit=N`` (pages per run, via
``CLOSESPIDER_PAGECOUNT``). Article requests are canonicalised before they are
queued, carry their discovery hints in ``meta["hints"]`` (and the listing's
modification date in ``meta["news_lastmod"]``), and report fetch
failures through :meth:`LiveSpider.fetch_failed` (a ``failures`` row with stage
"fetch"; the run goes on).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeGuard

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError

from crawler import sites
from crawler.items import ArticleItem
from crawler.refresh import REFRESH_POLICIES
from crawler.spiders.base import ArticleSpider
from pipelines.dedup import canonical_url

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

#: content types that may hold an article page
HTML_TYPES = ("text/html", "application/xhtml+xml")


def split_list(value: str | None) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def check_url(url: str, what: str = "url") -> str:
    """An absolute http(s) URL, or ValueError naming the argument."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{what} must be an absolute http(s) URL, got {url!r}")
    return url


def failure_reason(failure: Failure) -> str:
    """A sentence a user understands for a download that gave no usable response."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"the server answered HTTP {status}"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "the host name could not be resolved (DNS)"
    if failure.check(DownloadTimeoutError, TimeoutError):
        return "the server did not answer in time"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "the server refused the connection"
    if failure.check(DownloadCancelledError, CancelledError):
        return "the download was stopped (the page is larger than DOWNLOAD_MAXSIZE)"
    error = failure.value
    return f"the page could not be downloaded ({type(error).__name__}: {error})"


class LiveSpider(ArticleSpider):
    """Base of the spiders that fetch over HTTP."""

    def __init__(
        self, site: str | None = None, refresh: str = "conditional", limit: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if refresh not in REFRESH_POLICIES:
            raise ValueError(f"refresh must be one of {', '.join(REFRESH_POLICIES)}, got {refresh!r}")
        self.refresh = refresh
        self.limit = int(limit) if limit else 0
        if limit and self.limit <= 0:
            raise ValueError(f"limit must be a positive number of pages, got {limit!r}")
        self.site = site or ""
        #: the named site's config (set in from_crawler, where the settings are known)
        self.site_config: dict[str, Any] = {}
        self.known_sites: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = crawler.settings.get("NEWS_SITES_FILE")
        spider.known_sites = sites.load_sites(path)
        if spider.site:
            spider.site_config = sites.site_by_name(path, spider.site)
        if spider.limit:
            # Settings are applied after the spider is built, so a spider argument can still set one.
            crawler.settings.set("CLOSESPIDER_PAGECOUNT", spider.limit, priority="spider")
        spider.configure()
        return spider

    def configure(self) -> None:
        """Check the spider's own arguments against the site config (subclasses)."""

    def config_for(self, url: str) -> dict[str, Any]:
        """The site config for a page: the named site, else the sites-file site of its host."""
        return self.site_config or sites.site_for_url(self.known_sites, url)

    def article_request(
        self, url: str, hints: dict[str, Any] | None = None, *, lastmod: str = "", **meta: Any
    ) -> scrapy.Request:
        """A request for a page that should hold one article (URL canonicalised first).

        ``lastmod`` is when the sitemap or feed listing the page says it last changed: the
        refresh policy may then skip a stored copy that is already as new (crawler/refresh.py).
        """
        if lastmod:
            meta["news_lastmod"] = lastmod
        return scrapy.Request(
            canonical_url(url),
            callback=self.parse_article,
            errback=self.fetch_failed,
            meta={"hints": {k: v for k, v in (hints or {}).items() if v}, **meta},
        )

    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        """One article page -> one item (or a fetch failure for a non-HTML response)."""
        if not self.is_html(response):
            return
        item = self.make_item(response)
        if item is not None:
            yield item

    def is_html(self, response: Response) -> TypeGuard[TextResponse]:
        """True for an HTML response; else records a fetch failure and returns False."""
        kind = (response.headers.get("Content-Type") or b"").decode("latin-1").split(";")[0].strip().lower()
        if isinstance(response, TextResponse) and (kind in HTML_TYPES or not kind):
            return True
        self.record_failure(
            source=response.url,
            url=response.url,
            stage="fetch",
            reason=f"the server sent {kind or 'an unknown type'}, not an HTML page",
        )
        return False

    def make_item(self, response: TextResponse) -> ArticleItem | None:
        """The item for an article response, stamped with the archive's fetch time (None: a
        body that does not decode, recorded as a `failures` row by :meth:`article_item`)."""
        return self.article_item(response, fetched_at=response.meta.get("fetched_at"),
                                 site_config=self.config_for(response.url))

    def fetch_failed(self, failure: Failure) -> None:
        """Errback: a download that gave no usable response becomes a `failures` row."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt, refresh policy or a 304: not a failure of the page, counted elsewhere.
            self.crawler.stats.inc_value("news/fetch/ignored")
            return
        self.crawler.stats.inc_value("news/fetch/failed")
        self.record_failure(
            source=request.url, url=request.url, stage="fetch", reason=failure_reason(failure)
        )
