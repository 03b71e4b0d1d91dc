"""ConditionalGetMiddleware: a stored article is not fetched again unless it may have changed.

Reads settings ``SQLITE_PATH`` and ``NEWS_REFRESH_MIN_AGE`` and the spider's
``refresh`` argument (``never`` / ``always`` / ``conditional``, default
conditional). State is the `articles` table itself (its ``fetched_at``,
``etag`` and ``last_modified`` columns): no second "seen" store.

- ``refresh=always``: every request goes out as asked.
- ``refresh=never``: a URL already stored is not requested at all.
- ``refresh=conditional``: a URL stored less than ``NEWS_REFRESH_MIN_AGE``
  seconds ago is not requested; older ones are asked with ``If-None-Match`` /
  ``If-Modified-Since``, and a 304 answer costs no extraction.

Skipped and 304 pages count as ``news/store/unchanged`` (they feed
``crawl_runs.unchanged``) and raise :class:`NotModified`, an
``IgnoreRequest`` the spiders' errback does not record as a failure.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

from pipelines.dedup import canonical_url

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class NotModified(IgnoreRequest):
    """The stored copy of this page is current (a 304, or the refresh policy said so)."""


def should_skip(refresh: str, fetched_at: str | None, now: datetime, min_age: int) -> bool:
    """True when a stored page is not to be requested at all under the refresh policy."""
    if refresh == "always" or fetched_at is None:
        return False
    if refresh == "never":
        return True
    try:
        then = datetime.fromisoformat(fetched_at)
    except ValueError:
        return False
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return now - then < timedelta(seconds=min_age)


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The validators to send for a stored page (none when the server gave none)."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class ConditionalGetMiddleware:
    """Downloader middleware: skip or conditionally fetch URLs stored in the `articles` table."""

    def __init__(self, crawler: Crawler, path: str, min_age: int) -> None:
        self.crawler = crawler
        self.path = path
        self.min_age = min_age
        self.db: sqlite3.Connection | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            crawler, crawler.settings.get("SQLITE_PATH"), crawler.settings.getint("NEWS_REFRESH_MIN_AGE")
        )

    def _stored(self, url: str) -> tuple[str, str | None, str | None] | None:
        if self.db is None:
            if not Path(self.path).is_file():
                return None
            # Read-only: the store pipeline is the one writer of this file.
            self.db = sqlite3.connect(f"file:{Path(self.path).resolve()}?mode=ro", uri=True)
        try:
            row = self.db.execute(
                "select fetched_at, etag, last_modified from articles where url = ?", [url]
            ).fetchone()
        except sqlite3.OperationalError:  # no articles table yet: a fresh database
            return None
        return row

    def process_request(self, request: Request) -> None:
        spider: Spider | None = self.crawler.spider
        refresh = getattr(spider, "refresh", None)
        # Only live spiders have a refresh policy; feeds, sitemaps, robots.txt are never stored.
        if refresh is None or refresh == "always" or request.meta.get("news_conditional") is False:
            return None
        stored = self._stored(canonical_url(request.url))
        if stored is None:
            return None
        fetched_at, etag, last_modified = stored
        if should_skip(refresh, fetched_at, datetime.now(UTC), self.min_age):
            self.crawler.stats.inc_value("news/store/unchanged")
            self.crawler.stats.inc_value("news/incremental/skipped")
            raise NotModified(f"{request.url} was stored at {fetched_at}; not fetched again")
        for name, value in conditional_headers(etag, last_modified).items():
            request.headers.setdefault(name, value)
        request.meta["news_conditional_sent"] = True
        self.crawler.stats.inc_value("news/incremental/conditional")
        return None

    def process_response(self, request: Request, response: Response) -> Any:
        if response.status == 304 and request.meta.get("news_conditional_sent"):
            self.crawler.stats.inc_value("news/store/unchanged")
            self.crawler.stats.inc_value("news/incremental/not_modified")
            raise NotModified(f"{request.url} has not changed (HTTP 304)")
        return response

    def spider_closed(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
