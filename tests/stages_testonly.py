"""Test-only pure stages that report the process they run in (not production stages).

Add them to ``ITEM_PIPELINES`` with ``-s ITEM_PIPELINES=<json>``: each counts
``test/<name>/pid/<pid>`` for every page it applies to, and stores the crawl
process's pid as ``test/crawl_pid`` when the spider opens, so a test reads from
the run's stats where the stage ran. Like every PageStage module it must not
import Scrapy: extraction workers import it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from pipelines.stage import PageStage

if TYPE_CHECKING:
    from crawler.items import ArticleItem
    from pipelines.stage import Stats


class PidStage(PageStage):
    """Counts the pid it applies in; also whether Scrapy is loaded there."""

    name = "pid"

    def open_spider(self) -> None:
        assert self.crawler is not None and self.crawler.stats is not None
        self.crawler.stats.set_value("test/crawl_pid", os.getpid())

    def apply(self, item: ArticleItem, stats: Stats) -> None:
        stats.inc_value(f"test/{self.name}/pid/{os.getpid()}")
        if "scrapy" in sys.modules:
            stats.inc_value(f"test/{self.name}/with_scrapy")


class LatePidStage(PidStage):
    """The same, listed where it cannot join the workers' run (after a database stage)."""

    name = "latepid"


class BoomStage(PageStage):
    """Raises on the Kerry article: an unexpected error in a stage."""

    name = "boom"

    def apply(self, item: ArticleItem, stats: Stats) -> None:
        stats.inc_value("test/boom/raised")
        if "kerry" in item.url:
            raise RuntimeError("boom on the Kerry page")
