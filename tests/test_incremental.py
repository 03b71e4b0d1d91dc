"""Incremental live crawls and cron: conditional GETs, versions, refresh policy, lock, failed runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from crawler.middlewares import conditional_headers, should_skip
from crawler.runner import EXIT_FAILED, EXIT_LOCKED, database_lock
from tests.conftest import news_ingest
from tests.site_server import (
    OLD_PATH,
    Page,
    SiteServer,
    article_html,
    article_path,
    cli_settings,
    start_site,
)

ARTICLES = {article_path(i) for i in range(1, 6)} | {OLD_PATH}


@pytest.mark.parametrize(
    ("refresh", "fetched_at", "min_age", "skip"),
    [
        ("always", "2024-05-01T10:00:00+00:00", 3600, False),
        ("never", "2020-01-01T00:00:00+00:00", 0, True),
        ("conditional", "2024-05-01T10:30:00+00:00", 3600, True),
        ("conditional", "2024-05-01T08:30:00+00:00", 3600, False),
        ("conditional", "2024-05-01T10:30:00+00:00", 0, False),
        ("conditional", None, 3600, False),
    ],
)
def test_refresh_policy(refresh: str, fetched_at: str | None, min_age: int, skip: bool) -> None:
    from datetime import UTC, datetime

    now = datetime(2024, 5, 1, 11, 0, tzinfo=UTC)
    assert should_skip(refresh, fetched_at, now, min_age) is skip


def test_conditional_headers() -> None:
    assert conditional_headers('"abc"', "Wed, 01 May 2024 08:00:00 GMT") == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Wed, 01 May 2024 08:00:00 GMT",
    }
    assert conditional_headers(None, None) == {}


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
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


def test_second_run_fetches_no_unchanged_article_and_a_changed_one_keeps_its_version(
    site: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "inc.db"
    first = crawl(site, db)
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    assert last_run(db)["inserted"] == 6

    site.clear_log()
    second = crawl(site, db)
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    article_requests = [r for r in site.log if r.path in ARTICLES]
    assert len(article_requests) == 6
    assert all(r.conditional and r.status == 304 for r in article_requests)
    run = last_run(db)
    assert (run["inserted"], run["updated"], run["unchanged"]) == (0, 0, 6)

    # The newsroom corrects article 2: new body, new ETag.
    path = article_path(2)
    before = next(Database(db).query("select url, text from articles where url like ?", [f"%{path}"]))
    site.pages[path] = Page(
        article_html(
            site.base_url,
            path,
            2,
            "Island story number 2",
            "2024-05-02T09:00:00+00:00",
            extra="Correction: an earlier version misnamed the ferry operator.",
        ).encode()
    )
    site.clear_log()
    third = crawl(site, db)
    assert third.returncode == 0, third.stdout + third.stderr[-3000:]
    assert [r.status for r in site.requests_for(path)] == [200]
    run = last_run(db)
    assert (run["inserted"], run["updated"], run["unchanged"]) == (0, 1, 5)
    row = next(Database(db).query("select text from articles where url = ?", [before["url"]]))
    assert "Correction: an earlier version" in row["text"]
    versions = list(Database(db)["versions"].rows)
    assert [(v["url"], v["text"]) for v in versions] == [(before["url"], before["text"])]
    assert Database(db)["articles"].count == 6


def test_recent_articles_are_not_requested_and_refresh_always_refetches(
    site: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "recent.db"
    assert crawl(site, db).returncode == 0
    site.clear_log()
    result = crawl(site, db, settings={"NEWS_REFRESH_MIN_AGE": "3600"})
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert not [r for r in site.log if r.path in ARTICLES]
    assert last_run(db)["unchanged"] == 6

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
