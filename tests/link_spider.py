"""A minimal Request-yielding spider for the distributed tests: follows every link of one local site.

Pages under ``/a/`` are articles (an item each); every page's links are
followed, so each article is reachable many times over, and only the shared
duplicate filter keeps it to one fetch across all workers. Used with
``-s SPIDER_MODULES=tests.link_spider`` against a server on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.items import ArticleItem
from crawler.spiders.base import ArticleSpider


class LinkSpider(ArticleSpider):
    """Arguments: start: the site's first page (http://127.0.0.1:PORT/)."""

    name = "links"

    def __init__(self, start: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not start.startswith("http://127.0.0.1:"):
            raise ValueError("links needs -a start=http://127.0.0.1:PORT/")
        self.start_url = start

    async def start(self) -> AsyncIterator[scrapy.Request]:  # type: ignore[override]
        # not dont_filter: every worker yields it, the shared filter lets one through
        yield scrapy.Request(self.start_url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[ArticleItem | scrapy.Request]:
        if "/a/" in response.url:
            item = self.article_item(response)
            if item is not None:
                yield item
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)
