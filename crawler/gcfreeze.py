"""GcFreeze: the start-up heap is moved out of the garbage collector's reach once the crawl starts.

Reads setting ``NEWS_GC_FREEZE`` (default on). By the time the engine starts,
the process holds ~120,000 long-lived objects (Scrapy, Twisted, trafilatura,
lxml, dateparser's tables, compiled regexes) that every full collection walks
again, and that the interpreter's final collection walks once more at exit:
measured ~0.2 s of a 1.5 s unchanged rerun (benchmarks/crawl_incremental.py).
:func:`gc.freeze` (made for this, see its documentation) moves them to the
permanent generation; objects created later are collected as usual. Meant for
a crawl process (``scrapy crawl``, ``news-ingest crawl``): a long-lived process
that runs many crawls in turn should turn it off, since start-up objects that
become cyclic garbage later are never collected.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class GcFreeze:
    """Extension: :func:`gc.freeze` at ``engine_started``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWS_GC_FREEZE", True):
            raise NotConfigured
        return cls(crawler)

    def engine_started(self) -> None:
        gc.collect()  # what is garbage already goes now, not into the permanent generation
        gc.freeze()
        self.crawler.stats.set_value("news/gc/frozen_objects", gc.get_freeze_count())
