"""The refresh policy of incremental live crawls: may a stored article have changed?

Pure functions plus :class:`StoredPages`, the read-only lookup of what the
`articles` table holds about a URL. Used by the spider middleware that drops
requests for current pages before they are scheduled
(crawler/middlewares_refresh.py) and by the downloader middleware that sends
conditional GETs (crawler/middlewares.py). The state is the database itself: no
second "seen" store.

Policies (``-a refresh=…``):

- ``conditional`` (default): a stored page is not requested when it was fetched
  less than ``NEWS_REFRESH_MIN_AGE`` seconds ago, nor when the sitemap or feed
  that listed it gives a modification date (``<lastmod>``, Atom ``<updated>``,
  JSON Feed ``date_modified``) not newer than the stored fetch
  (``NEWS_REFRESH_TRUST_LASTMOD``); otherwise it is asked with
  ``If-None-Match`` / ``If-Modified-Since``.
- ``revalidate``: every stored page is asked with a conditional GET (listings'
  dates and the min-age are ignored): for sites whose sitemaps lie.
- ``always``: every page is fetched in full. ``never``: a stored page is never
  requested again.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from crawler.fixtures import parse_utc

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.settings import BaseSettings

REFRESH_POLICIES = ("conditional", "revalidate", "always", "never")

#: a date-only lastmod ("2024-05-01") may mean any moment of that day in any zone: the day
#: ends last in UTC-12, 36 hours after its UTC midnight; later than that it cannot be
DATE_ONLY_SLACK = timedelta(hours=36)
#: a lastmod with a time but no offset (not W3C Datetime, seen in the wild) may be up to 12 hours
#: behind UTC (UTC-12)
NAIVE_TIME_SLACK = timedelta(hours=12)


class Decision(Enum):
    """What to do with a request for a page."""

    FETCH = "fetch"  # not stored (or refresh=always): a plain GET
    CONDITIONAL = "conditional"  # stored: GET with the stored validators
    SKIP_RECENT = "recent"  # stored less than NEWS_REFRESH_MIN_AGE ago
    SKIP_LASTMOD = "lastmod"  # the listing says it has not changed since the stored fetch
    SKIP_NEVER = "never"  # refresh=never

    @property
    def skips(self) -> bool:
        """True when no request is to be made."""
        return self.name.startswith("SKIP")


@dataclass(frozen=True)
class StoredPage:
    """What the `articles` table holds about a URL."""

    fetched_at: str
    etag: str | None = None
    last_modified: str | None = None
    #: when a conditional GET last confirmed the stored copy (HTTP 304), from `article_checks`
    checked_at: str | None = None
    #: the row's own URL (its canonical link), which `article_checks` is keyed by, whatever
    #: address the page was asked for by
    url: str | None = None

    @property
    def current_at(self) -> str:
        """The latest moment the stored copy is known to have matched the site."""
        fetched, checked = parse_moment(self.fetched_at), parse_moment(self.checked_at)
        if checked is not None and (fetched is None or checked > fetched):
            return str(self.checked_at)
        return self.fetched_at


def parse_moment(value: str | None) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 timestamp, or None when there is none or it is unreadable."""
    if not value:
        return None
    try:
        return parse_utc(value)
    except ValueError:
        return None


def latest_change(lastmod: str | None) -> datetime | None:
    """The latest UTC moment a listing's modification date can stand for (None: no usable date).

    ``2024-05-01`` -> ``2024-05-02T12:00Z`` (the end of that day in UTC-12);
    ``2024-05-01T10:00:00`` (no offset) -> ``2024-05-01T22:00Z``; with an offset, the moment itself.
    """
    text = (lastmod or "").strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    moment = moment.replace(tzinfo=UTC)
    if len(text) == 10:  # a date only
        return moment + DATE_ONLY_SLACK
    return moment + NAIVE_TIME_SLACK


def unchanged_since_fetch(lastmod: str | None, fetched_at: str) -> bool:
    """True when a listing's modification date is not newer than the stored fetch (so the copy is current)."""
    changed = latest_change(lastmod)
    fetched = parse_moment(fetched_at)
    return changed is not None and fetched is not None and changed <= fetched


def decide(
    refresh: str,
    stored: StoredPage | None,
    *,
    now: datetime,
    min_age: int,
    lastmod: str | None = None,
    trust_lastmod: bool = True,
) -> Decision:
    """The refresh policy for one page (see the module docstring)."""
    if stored is None or refresh == "always":
        return Decision.FETCH
    if refresh == "never":
        return Decision.SKIP_NEVER
    if refresh == "revalidate":
        return Decision.CONDITIONAL
    current_at = stored.current_at
    fetched = parse_moment(current_at)
    if fetched is not None and now - fetched < timedelta(seconds=min_age):
        return Decision.SKIP_RECENT
    if trust_lastmod and unchanged_since_fetch(lastmod, current_at):
        return Decision.SKIP_LASTMOD
    return Decision.CONDITIONAL


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The validators to send for a stored page (none when the server gave none)."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class StoredPages:
    """Read-only lookups in the `articles` (and `article_checks`) tables of ``path``
    (one primary-key query per URL).

    A query per URL (~20 µs on the primary key) costs in proportion to the pages
    a run asks about, where loading the table into a dict would cost in proportion
    to the database, which only grows.
    """

    #: a page stored under its canonical link is found by the address it was fetched from too,
    #: and so is its last 304 (recorded under the row's url; before, under the address asked,
    #: which is the row's url or the address it was fetched from);
    #: the store pipeline brings the database to the current schema when the spider opens,
    #: before the first request is decided
    QUERY = (
        "select a.fetched_at, a.etag, a.last_modified,"
        " (select max(c.checked_at) from article_checks c where c.url in (a.url, a.fetched_url)), a.url"
        " from articles a where a.url = :u or a.fetched_url = :u order by a.url = :u desc limit 1"
    )

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = None
        self.missing = not path or not Path(path).is_file()

    def get(self, url: str) -> StoredPage | None:
        """The stored row of ``url`` (a canonical URL), or None."""
        if self.missing:
            return None
        if self.db is None:
            # Read-only: the store pipeline is the one writer of this file.
            self.db = sqlite3.connect(f"file:{Path(str(self.path)).resolve()}?mode=ro", uri=True)
        try:
            row = self.db.execute(self.QUERY, {"u": url}).fetchone()
        except sqlite3.OperationalError as exc:
            # Not a news-ingest database, or unreadable: every page is fetched in full, as in
            # a first run, rather than failing requests over a lookup.
            logger.warning("stored pages cannot be read from %s (%s): fetching every page", self.path, exc)
            self.missing = True
            return None
        return StoredPage(*row) if row else None

    def close(self) -> None:
        """Release the connection."""
        if self.db is not None:
            self.db.close()
            self.db = None


class RefreshPolicy:
    """The policy as both refresh middlewares apply it: settings, stored rows and the counting.

    Reads settings ``SQLITE_PATH``, ``NEWS_REFRESH_MIN_AGE`` and ``NEWS_REFRESH_TRUST_LASTMOD``.
    """

    def __init__(self, stored: StoredPages, min_age: int, trust_lastmod: bool = True) -> None:
        self.stored = stored
        self.min_age = min_age
        self.trust_lastmod = trust_lastmod

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RefreshPolicy:
        return cls(
            StoredPages(settings.get("SQLITE_PATH")),
            settings.getint("NEWS_REFRESH_MIN_AGE"),
            settings.getbool("NEWS_REFRESH_TRUST_LASTMOD", True),
        )

    def decide(self, url: str, refresh: str, lastmod: str | None) -> tuple[Decision, StoredPage | None]:
        """The decision for the page at ``url`` (a canonical URL) and its stored row."""
        stored = self.stored.get(url)
        decision = decide(refresh, stored, now=datetime.now(UTC), min_age=self.min_age,
                          lastmod=lastmod, trust_lastmod=self.trust_lastmod)
        return decision, stored

    def apply(self, request: Request, url: str, refresh: str, stats: Any) -> Decision:
        """Decide for ``request`` (its page's canonical ``url``) and write the decision on it:
        ``meta["news_refresh"]``, and the stored validators for a conditional GET; a skip is counted."""
        decision, stored = self.decide(url, refresh, request.meta.get("news_lastmod"))
        request.meta["news_refresh"] = decision.value
        if decision.skips:
            self.count_skip(stats, decision)
        elif decision is Decision.CONDITIONAL and stored is not None:
            request.meta["news_validators"] = (stored.etag, stored.last_modified)
            request.meta["news_stored_url"] = stored.url
        return decision

    @staticmethod
    def count_skip(stats: Any, decision: Decision) -> None:
        """A skipped page is an unchanged one in ``crawl_runs``; the stats say why it was skipped."""
        stats.inc_value("news/store/unchanged")
        stats.inc_value(f"news/incremental/skipped/{decision.value}")

    def close(self) -> None:
        self.stored.close()


def record_checks(path: str | None, checked: dict[str, str]) -> None:
    """Store that a conditional GET confirmed these pages (stored row's URL -> UTC ISO time), in one
    transaction.

    A separate table, not a column of `articles`: an UPDATE of `articles` would re-index
    the article in the full-text index for nothing.
    """
    if not path or not checked or not Path(path).is_file():
        return
    db = Database(path)
    try:
        with db.atomic():
            db.table("article_checks").upsert_all(
                [{"url": url, "checked_at": at} for url, at in checked.items()], pk="url")
    finally:
        db.close()
