"""Run one spider in this process and judge the run for cron (library code behind the CLI).

``scrapy crawl`` exits 0 even when every request failed; :func:`run_spider`
returns the run's counters and :func:`exit_status` turns them into a status
cron can act on.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.extensions import summarise

#: exit statuses (sysexits.h where one fits)
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the database; cron may simply try later


class RunLocked(Exception):
    """Another news-ingest run holds the lock of this database."""


@dataclass
class RunResult:
    """What a finished run did."""

    spider: str
    finish_reason: str
    counts: dict[str, int]
    run_id: int | None
    db_path: str
    stats: dict[str, Any] = field(default_factory=dict)


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """news-ingest's settings (crawler/settings.py) with command-line overrides on top."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


@contextmanager
def database_lock(db_path: str) -> Iterator[None]:
    """Hold an exclusive lock beside the database for the whole run (released on exit or crash)."""
    lock_path = Path(f"{db_path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunLocked(f"{db_path} is locked by a running news-ingest ({holder}); not starting") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


def run_spider(spider: str, args: dict[str, str], overrides: dict[str, Any] | None = None) -> RunResult:
    """Run ``spider`` with ``args`` to completion, in this process, under the database lock."""
    settings = project_settings(overrides)
    db_path = settings.get("SQLITE_PATH")
    with database_lock(db_path):
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(spider)
        # Spiders validate their arguments when built: build one now, so a typo is a
        # usage error here rather than a traceback from inside the reactor.
        crawler.spidercls(**args)
        process.crawl(crawler, **args)
        process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return RunResult(
        spider=spider,
        finish_reason=str(stats.get("finish_reason", "unknown")),
        counts=summarise(stats),
        run_id=getattr(crawler.spider, "crawl_run_id", None),
        db_path=db_path,
        stats=stats,
    )


#: finish reasons of a run that stopped as asked (a page or item limit is not a failure)
OK_FINISH_REASONS = ("finished", "closespider_pagecount", "closespider_itemcount")


def exit_status(result: RunResult) -> int:
    """0 when the run did its job; 1 when it closed for an error, logged errors, or stored nothing.

    Live crawls: one dead link is a `failures` row, not a failed run; Scrapy logs an
    ERROR for each request that ran out of retries (``retry/max_reached``), so those
    are not counted as errors. Every request failing, or nothing stored, fails the run.
    """
    counts, stats = result.counts, result.stats
    errors = counts["errors"] - int(stats.get("retry/max_reached", 0))
    if result.finish_reason not in OK_FINISH_REASONS or errors > 0:
        return EXIT_FAILED
    stored = counts["inserted"] + counts["updated"] + counts["unchanged"]
    if counts["pages_seen"] and not stored:
        return EXIT_FAILED
    if counts["failures"] and not stored:
        return EXIT_FAILED
    if stats.get("downloader/request_count", 0) and not stats.get("response_received_count", 0):
        return EXIT_FAILED  # every request failed (server down, DNS, refused)
    return EXIT_OK
