"""RefreshFilterMiddleware: requests for stored pages that are current never leave the spider.

Reads settings ``SQLITE_PATH``, ``NEWS_REFRESH_MIN_AGE`` and
``NEWS_REFRESH_TRUST_LASTMOD`` and the spider's ``refresh`` argument; the policy
itself is crawler/refresh.py. A spider middleware (the place scrapy-deltafetch
filters too), so a page the policy skips costs one primary-key lookup and no
scheduling, download, middleware chain or errback: an unchanged rerun of a
large sitemap is then start-up plus the sitemap itself. Skipped pages count as
``news/store/unchanged`` (``crawl_runs.unchanged``) and
``news/incremental/skipped/<why>``. Requests that go on carry the decision in
``meta["news_refresh"]`` and, for a conditional GET, the stored validators in
``meta["news_validators"]`` and the stored row's URL in ``meta["news_stored_url"]`` (a 304 is
recorded under it) for ConditionalGetMiddleware (crawler/middlewares.py).

Requests opt out with ``meta["news_conditional"] = False`` (feeds, sitemaps,
robots.txt: they are never stored); ``meta["news_lastmod"]`` carries the
modification date the sitemap or feed gave for the page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, signals

from crawler.refresh import RefreshPolicy
from pipelines.dedup import canonical_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class RefreshFilterMiddleware:
    """Spider middleware: drop requests the refresh policy says need not be made."""

    def __init__(self, crawler: Crawler, policy: RefreshPolicy) -> None:
        self.crawler = crawler
        self.policy = policy
        #: pages decided this run: a page two listings name is decided (and counted) once, as the
        #: duplicate filter would let it be fetched once
        self.decided: set[str] = set()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, RefreshPolicy.from_settings(crawler.settings))

    def keep(self, obj: Any) -> bool:
        """False for a request the policy skips (counted as unchanged); True for anything else."""
        if not isinstance(obj, Request) or obj.meta.get("news_conditional") is False:
            return True
        refresh = getattr(self.crawler.spider, "refresh", None)
        if refresh is None:  # replay and test spiders have no refresh policy
            return True
        url = canonical_url(obj.url)
        if url in self.decided and not obj.dont_filter:
            self.crawler.stats.inc_value("news/incremental/listed_twice")
            return False
        self.decided.add(url)
        return not self.policy.apply(obj, url, refresh, self.crawler.stats).skips

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for obj in start:
            if self.keep(obj):
                yield obj

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for obj in result:
            if self.keep(obj):
                yield obj

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for obj in result:
            if self.keep(obj):
                yield obj

    def spider_closed(self) -> None:
        self.policy.close()
