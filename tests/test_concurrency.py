"""Overlapping runs and readers on one database.

A second `news-ingest` run on a database that a run holds is refused by the
lock (exit 75, a clear message); a reader open during a run never sees a
half-written row and never blocks the writer (WAL).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.badinput.many import write_pages
from tests.conftest import NEWS_INGEST, ROOT, news_ingest, scrapy_command

PAGES = 500


def _news_ingest_popen(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*NEWS_INGEST, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_run(db: Path, process: subprocess.Popen[str], timeout: float = 60) -> None:
    """Until the run's crawl_runs row exists (the run holds the lock and writes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if db.exists():
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
                try:
                    if con.execute("select count(*) from crawl_runs").fetchone()[0]:
                        return
                finally:
                    con.close()
            except sqlite3.OperationalError:
                pass  # schema not there yet
        time.sleep(0.05)
    raise AssertionError("the first run never opened")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    write_pages(folder, PAGES)
    return folder


def test_second_run_is_refused_with_exit_75(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "db" / "articles.db"
    first = _news_ingest_popen("replay", str(pages), "--db", str(db))
    try:
        _wait_for_run(db, first)
        for args in (
            ("replay", str(pages), "--db", str(db)),
            ("crawl", "replay", "-a", f"path={pages}", "--db", str(db)),
        ):
            second = news_ingest(*args)
            assert second.returncode == 75, second.stderr
            assert "is locked by a running news-ingest" in second.stderr
            assert f"pid {first.pid}" in second.stderr
            assert "not starting" in second.stderr
    finally:
        out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err[-3000:]
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from articles").fetchone()[0] == PAGES
    # the refused runs never opened: one run recorded
    assert con.execute("select count(*) from crawl_runs").fetchone()[0] == 1
    con.close()


def test_lock_is_released_when_the_holder_is_killed(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "articles.db"
    first = _news_ingest_popen("replay", str(pages), "--db", str(db))
    _wait_for_run(db, first)
    first.kill()
    first.communicate(timeout=30)
    again = news_ingest("replay", str(pages / "page-0000.html"), "--db", str(db))
    assert again.returncode == 0, again.stderr[-2000:]


def test_reader_never_sees_half_rows_and_never_blocks_the_writer(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "articles.db"
    writer = subprocess.Popen(
        scrapy_command("replay", db, f"path={pages}", log_level="WARNING"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_run(db, writer)  # type: ignore[arg-type]
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.5)
    assert reader.execute("pragma journal_mode").fetchone()[0] == "wal"
    reads, rows_seen, slowest, counts = 0, 0, 0.0, []
    while writer.poll() is None:
        started = time.perf_counter()
        # one read transaction over many rows, as Datasette does
        rows = reader.execute(
            "select url, source, fetched_at, title, text, authors, categories, tags, captions,"
            " word_count from articles"
        ).fetchall()
        slowest = max(slowest, time.perf_counter() - started)
        reads += 1
        rows_seen += len(rows)
        counts.append(len(rows))
        for url, source, fetched_at, title, text, *arrays, word_count in rows:
            assert url and source and fetched_at and text and title, url
            assert word_count > 0
            for value in arrays:
                assert isinstance(json.loads(value), list), (url, value)
    reader.close()
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err[-3000:]
    assert "database is locked" not in err
    assert reads >= 5 and rows_seen > 0
    assert counts == sorted(counts)  # rows only ever appear, never vanish mid-run
    assert slowest < 2.0
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from articles").fetchone()[0] == PAGES
    run = con.execute("select finish_reason, errors from crawl_runs").fetchone()
    assert run == ("finished", 0)
    con.close()
