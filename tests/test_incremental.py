"""Incremental live crawls and cron.

Refresh policy, sitemap lastmod, conditional GETs, versions, lock, failed runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from crawler.refresh import Decision, StoredPage, conditional_headers, decide, latest_change
from crawler.runner import EXIT_FAILED, EXIT_LOCKED, database_lock
from tests.conftest import news_ingest
from tests.site_server import (
    OLD_PATH,
    SiteServer,
    article_path,
    cli_settings,
    start_site,
)

ARTICLES = {article_path(i) for i in range(1, 6)} | {OLD_PATH}
NOW = datetime(2024, 5, 1, 11, 0, tzinfo=UTC)
FETCHED = StoredPage("2024-05-01T10:30:00+00:00", '"abc"', "Wed, 01 May 2024 08:00:00 GMT")
OLD_FETCH = StoredPage("2024-05-01T08:30:00+00:00")
#: fetched at 08:30, confirmed unchanged by a 304 at 10:30
CHECKED = StoredPage("2024-05-01T08:30:00+00:00", '"abc"', None, "2024-05-01T10:30:00+00:00")


@pytest.mark.parametrize(
    ("refresh", "stored", "min_age", "lastmod", "trust", "decision"),
    [
        ("conditional", None, 3600, "", True, Decision.FETCH),
        ("always", FETCHED, 3600, "", True, Decision.FETCH),
        ("never", OLD_FETCH, 0, "2024-05-01T10:00:00Z", True, Decision.SKIP_NEVER),
        ("conditional", FETCHED, 3600, "", True, Decision.SKIP_RECENT),
        ("conditional", OLD_FETCH, 3600, "", True, Decision.CONDITIONAL),
        ("conditional", FETCHED, 0, "", True, Decision.CONDITIONAL),
        # the listing's lastmod against the stored fetch (10:30)
        ("conditional", FETCHED, 0, "2024-05-01T10:00:00Z", True, Decision.SKIP_LASTMOD),
        ("conditional", FETCHED, 0, "2024-05-01T10:30:00+00:00", True, Decision.SKIP_LASTMOD),
        ("conditional", FETCHED, 0, "2024-05-01T10:31:00+00:00", True, Decision.CONDITIONAL),
        ("conditional", FETCHED, 0, "2024-05-01T12:00:00+02:00", True, Decision.SKIP_LASTMOD),
        # a date alone may mean any moment of that day, in any zone
        ("conditional", FETCHED, 0, "2024-05-01", True, Decision.CONDITIONAL),
        ("conditional", FETCHED, 0, "2024-04-29", True, Decision.SKIP_LASTMOD),
        # no offset: up to 12 hours behind UTC
        ("conditional", FETCHED, 0, "2024-05-01T10:00:00", True, Decision.CONDITIONAL),
        ("conditional", FETCHED, 0, "not a date", True, Decision.CONDITIONAL),
        ("conditional", FETCHED, 0, "2024-05-01T10:00:00Z", False, Decision.CONDITIONAL),
        # revalidate asks every stored page, whatever the listing or the min-age say
        ("revalidate", FETCHED, 3600, "2024-05-01T10:00:00Z", True, Decision.CONDITIONAL),
        ("revalidate", None, 3600, "", True, Decision.FETCH),
        # a 304 at 10:30 is as good as a fetch at 10:30, for the min-age and for lastmods
        ("conditional", CHECKED, 3600, "", True, Decision.SKIP_RECENT),
        ("conditional", CHECKED, 0, "2024-05-01T10:00:00Z", True, Decision.SKIP_LASTMOD),
        ("conditional", CHECKED, 0, "2024-05-01T10:31:00+00:00", True, Decision.CONDITIONAL),
        ("revalidate", CHECKED, 3600, "2024-05-01T10:00:00Z", True, Decision.CONDITIONAL),
    ],
)
def test_refresh_policy(
    refresh: str, stored: StoredPage | None, min_age: int, lastmod: str, trust: bool, decision: Decision
) -> None:
    assert decide(refresh, stored, now=NOW, min_age=min_age, lastmod=lastmod, trust_lastmod=trust) is decision


@pytest.mark.parametrize(
    ("lastmod", "latest"),
    [
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00+00:00"),
        ("2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00+00:00"),
        ("2024-05-01", "2024-05-02T12:00:00+00:00"),
        ("2024-05-01T10:00:00", "2024-05-01T22:00:00+00:00"),
        ("2024-05", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_latest_change(lastmod: str | None, latest: str | None) -> None:
    moment = latest_change(lastmod)
    assert (moment.isoformat() if moment else None) == latest


def test_conditional_headers() -> None:
    assert conditional_headers('"abc"', "Wed, 01 May 2024 08:00:00 GMT") == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Wed, 01 May 2024 08:00:00 GMT",
    }
    assert conditional_headers(None, None) == {}


@pytest.fixture
def site() -> Iterator[SiteServer]:
    # One server per test: some tests edit its pages.
    server = start_site()
    yield server
    server.stop()


def crawl(site: SiteServer, db: Path, *extra: str, settings: dict[str, str] | None = None):  # noqa: ANN201
    return news_ingest(
        "crawl",
        "sitemap",
        "-a",
        f"url={site.base_url}/robots.txt",
        *extra,
        "--db",
        str(db),
        *cli_settings(settings),
    )


def last_run(db: Path) -> dict:
    return next(Database(db).query("select * from crawl_runs order by id desc limit 1"))


def counts(db: Path) -> tuple[int, int, int]:
    run = last_run(db)
    return run["inserted"], run["updated"], run["unchanged"]


def stored_row(db: Path, path: str) -> dict:
    return next(
        Database(db).query("select url, text, fetched_at from articles where url like ?", [f"%{path}"])
    )


def just_now() -> str:
    """A lastmod newer than any fetch so far (fetch times are stored to the second)."""
    return (datetime.now(UTC) + timedelta(seconds=1)).isoformat(timespec="seconds")


def test_unchanged_lastmods_cost_no_request_and_a_newer_lastmod_refetches(
    site: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "inc.db"
    first = crawl(site, db)
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    assert last_run(db)["inserted"] == 6

    # Every article's sitemap lastmod is older than its stored fetch: no article is requested.
    site.clear_log()
    second = crawl(site, db)
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    assert not [r for r in site.log if r.path in ARTICLES]
    assert sorted(r.path for r in site.log if r.path.endswith(".xml")) == [
        "/sitemap-2020.xml", "/sitemap-news.xml", "/sitemap_index.xml"
    ]
    assert counts(db) == (0, 0, 6)

    # The newsroom corrects article 2 and its sitemap entry says so.
    path = article_path(2)
    before = stored_row(db, path)
    site.edit_article(2, "Correction: an earlier version misnamed the ferry operator.", lastmod=just_now())
    site.clear_log()
    third = crawl(site, db)
    assert third.returncode == 0, third.stdout + third.stderr[-3000:]
    assert [(r.path, r.status, r.conditional) for r in site.log if r.path in ARTICLES] == [(path, 200, True)]
    assert counts(db) == (0, 1, 5)
    assert "Correction: an earlier version" in stored_row(db, path)["text"]
    versions = list(Database(db)["versions"].rows)
    assert [(v["url"], v["text"]) for v in versions] == [(before["url"], before["text"])]
    assert Database(db)["articles"].count == 6


def test_revalidate_asks_every_stored_page_and_finds_an_edit_the_sitemap_missed(
    site: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "revalidate.db"
    assert crawl(site, db).returncode == 0
    # Edited, but the sitemap still gives the old lastmod: the default policy trusts the sitemap.
    site.edit_article(3, "Update: the ferry now sails at noon.")
    site.clear_log()
    assert crawl(site, db).returncode == 0
    assert not [r for r in site.log if r.path in ARTICLES]

    site.clear_log()
    result = crawl(site, db, "-a", "refresh=revalidate")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    article_requests = {r.path: (r.status, r.conditional) for r in site.log if r.path in ARTICLES}
    assert article_requests == {p: (200 if p == article_path(3) else 304, True) for p in ARTICLES}
    assert counts(db) == (0, 1, 5)
    assert "the ferry now sails at noon" in stored_row(db, article_path(3))["text"]


def test_a_304_counts_as_a_fresh_look_so_a_moved_lastmod_is_asked_once(
    site: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "checked.db"
    assert crawl(site, db).returncode == 0
    # The CMS re-saves article 4: its lastmod moves, its content does not.
    path = article_path(4)
    fetched = datetime.fromisoformat(stored_row(db, path)["fetched_at"])
    resaved = fetched + timedelta(seconds=1)  # newer than the stored copy, to the second
    site.set_lastmod(4, resaved.isoformat(timespec="seconds"))
    # The 304 below must come after the re-save, as it would in life (times are kept to the second).
    time.sleep(max(0.0, (resaved - datetime.now(UTC)).total_seconds()))
    site.clear_log()
    assert crawl(site, db).returncode == 0
    assert [(r.path, r.status, r.conditional) for r in site.log if r.path in ARTICLES] == [(path, 304, True)]
    assert counts(db) == (0, 0, 6)
    checks = {r["url"]: r["checked_at"] for r in Database(db)["article_checks"].rows}
    assert list(checks) == [stored_row(db, path)["url"]]

    # The 304 confirmed the copy after that lastmod: the next run asks nothing again.
    site.clear_log()
    assert crawl(site, db).returncode == 0
    assert not [r for r in site.log if r.path in ARTICLES]
    assert counts(db) == (0, 0, 6)


def test_a_page_stored_under_its_canonical_link_is_known_by_the_address_it_was_fetched_from(
    site: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "alias.db"
    alias = "/amp/story-1"
    site.pages[alias] = site.pages[article_path(1)]  # the same page; its canonical link names the real path

    def crawl_alias() -> None:
        result = news_ingest(
            "crawl", "urls", "-a", f"urls={site.base_url}{alias}", "--db", str(db), *cli_settings()
        )
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]

    crawl_alias()
    row = next(Database(db).query("select url, fetched_url from articles"))
    assert (row["url"], row["fetched_url"]) == (
        f"{site.base_url}{article_path(1)}",
        f"{site.base_url}{alias}",
    )
    site.clear_log()
    crawl_alias()  # the alias is recognised: asked with the stored validators, not fetched in full
    assert [(r.status, r.conditional) for r in site.log if r.path == alias] == [(304, True)]
    assert counts(db) == (0, 0, 1)


def test_feed_updated_dates_skip_and_feeds_without_them_ask_conditionally(
    site: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "feed.db"
    feeds = f"url={site.base_url}/rss.xml,{site.base_url}/atom.xml"

    def feed_crawl():  # noqa: ANN202
        return news_ingest("crawl", "feed", "-a", feeds, "--db", str(db), *cli_settings())

    assert feed_crawl().returncode == 0
    assert counts(db) == (5, 0, 0)
    site.clear_log()
    result = feed_crawl()
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    # Articles 3-5 are in the Atom feed with an <updated> older than their fetch: 4 and 5 are not
    # requested; 1-3 are in the RSS feed, whose items give no update date: asked conditionally
    # (article 3 is in both: whichever feed is read first decides, and it is counted once).
    requests = {r.path: (r.status, r.conditional) for r in site.log if r.path.startswith("/news/")}
    assert requests.pop(article_path(3), (304, True)) == (304, True)
    assert requests == {article_path(i): (304, True) for i in (1, 2)}
    assert counts(db) == (0, 0, 5)


def test_without_trusted_lastmods_recent_articles_are_skipped_older_ones_asked_and_always_refetches(
    site: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "recent.db"
    assert crawl(site, db).returncode == 0
    site.clear_log()
    result = crawl(site, db, settings={"NEWS_REFRESH_MIN_AGE": "3600", "NEWS_REFRESH_TRUST_LASTMOD": "0"})
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert not [r for r in site.log if r.path in ARTICLES]
    assert last_run(db)["unchanged"] == 6

    # past the minimum age (the tests' default), every stored article is asked conditionally
    site.clear_log()
    result = crawl(site, db, settings={"NEWS_REFRESH_TRUST_LASTMOD": "0"})
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    article_requests = [r for r in site.log if r.path in ARTICLES]
    assert len(article_requests) == 6
    assert all(r.conditional and r.status == 304 for r in article_requests)
    assert counts(db) == (0, 0, 6)

    site.clear_log()
    result = crawl(site, db, "-a", "refresh=always", settings={"NEWS_REFRESH_MIN_AGE": "3600"})
    assert result.returncode == 0
    article_requests = [r for r in site.log if r.path in ARTICLES]
    assert len(article_requests) == 6 and all(not r.conditional and r.status == 200 for r in article_requests)


def test_overlapping_run_is_refused(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "locked.db"
    site.clear_log()
    with database_lock(str(db)):
        result = crawl(site, db)
    assert result.returncode == EXIT_LOCKED
    assert "locked" in result.stderr
    assert not site.log


def test_all_500_run_fails(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "500.db"
    site.fail_status = 500
    try:
        result = crawl(site, db)
    finally:
        site.fail_status = None
    assert result.returncode == EXIT_FAILED, result.stdout
    assert Database(db)["articles"].count == 0


def test_server_down_run_fails(tmp_path: Path) -> None:
    down = SiteServer()
    base = down.start()
    down.stop()  # the port is now closed: every connection is refused
    db = tmp_path / "down.db"
    result = news_ingest(
        "crawl", "urls", "-a", f"urls={base}/news/some-story-that-is-gone", "--db", str(db), *cli_settings()
    )
    assert result.returncode == EXIT_FAILED, result.stdout
    failures = list(Database(db)["failures"].rows)
    assert [f["stage"] for f in failures] == ["fetch"]
    assert "refused" in failures[0]["reason"]
