"""A test-only spider in the style of the future ``urls`` spider (not a production spider).

Runs under the project's settings, downloader middlewares and item pipelines so
live-crawl protections (PrivateAddressMiddleware, DOWNLOAD_MAXSIZE during
decompression) can be tested end to end against a 127.0.0.1 server. Use with
``-s SPIDER_MODULES=tests.spiders_testonly -a urls=URL,URL``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import ArticleItem
from crawler.spiders.base import ArticleSpider
from crawler.spiders.replay import ReplaySpider


class UrlsTestSpider(ArticleSpider):
    """Fetch each of ``urls`` (comma-separated); a failed fetch becomes a `failures` row."""

    name = "testurls"

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = [u for u in urls.split(",") if u]
        if not self.urls:
            raise ValueError("testurls needs -a urls=URL[,URL...]")

    async def start(self) -> AsyncIterator[scrapy.Request]:  # type: ignore[override]
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[ArticleItem]:
        item = self.article_item(response)
        if item is not None:
            yield item

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.record_failure(
            source=request.url,
            url=request.url,
            stage="fetch",
            reason=f"the page was not fetched ({failure.getErrorMessage()})",
        )


class ReplayWithoutPeriodicLook(ReplaySpider):
    """``replay`` without its periodic look whether the run can close: only the look after
    the last item can end the run before the engine's 5-second heartbeat."""

    name = "replay-nolook"

    def _watch_closing(self, spider: Any = None) -> None:
        pass
