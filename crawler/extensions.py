"""CrawlRecorder: one `crawl_runs` row per run, and the run's summary in the log.

Reads setting ``SQLITE_PATH``. The row is inserted when the spider opens (so a
killed run stays visible as not finished) and completed at ``spider_closed``,
the first moment ``finish_reason`` is known.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from sqlite_utils import Database

from pipelines import schema
from pipelines.extract import EXTRACTOR_VERSION
from pipelines.store import NEWS_INGEST_VERSION

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: spider attributes that are not arguments worth recording
NOT_ARGS = frozenset({"name", "crawler", "settings", "custom_settings", "start_urls", "manifest"})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def summarise(stats: dict[str, Any]) -> dict[str, int]:
    """The crawl_runs counters from Scrapy's stats."""
    return {
        "pages_seen": int(stats.get("news/replay/pages", 0) or stats.get("response_received_count", 0)),
        "inserted": int(stats.get("news/store/inserted", 0)),
        "updated": int(stats.get("news/store/updated", 0)),
        "unchanged": int(stats.get("news/store/unchanged", 0)),
        "failures": int(stats.get("news/failures", 0)),
        "dropped": int(stats.get("item_dropped_count", 0)),
        "errors": int(stats.get("log_count/ERROR", 0)),
    }


class CrawlRecorder:
    """Writes the run history table `crawl_runs`."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRecorder:
        return cls(crawler, crawler.settings.get("SQLITE_PATH"))

    def _db(self) -> Database:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db = Database(self.path)
        schema.migrate(db)
        return db

    def spider_opened(self, spider: Spider) -> None:
        args = {k: v for k, v in vars(spider).items()
                if k not in NOT_ARGS and not k.startswith("_") and isinstance(v, (str, int, float))}
        db = self._db()
        with db.atomic():
            table = db.table("crawl_runs")
            table.insert({"spider": spider.name, "args": json.dumps(args), "started_at": _now(),
                          "news_ingest_version": NEWS_INGEST_VERSION, "extractor": EXTRACTOR_VERSION})
            self.run_id = table.last_pk
        db.close()
        spider.crawl_run_id = self.run_id  # type: ignore[attr-defined]

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        counts = summarise(stats)
        db = self._db()
        with db.atomic():
            db.table("crawl_runs").update(self.run_id, {
                "finished_at": _now(), "finish_reason": reason, **counts,
                "stats": json.dumps({k: v for k, v in stats.items()
                                     if isinstance(v, (int, float, str))}, default=str),
            })
        db.close()
        logger.info(
            "news-ingest run %s (%s) %s: %d pages, %d inserted, %d updated, %d unchanged, "
            "%d failures -> %s",
            self.run_id, spider.name, reason, counts["pages_seen"], counts["inserted"],
            counts["updated"], counts["unchanged"], counts["failures"], self.path,
        )
