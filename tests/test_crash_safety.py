"""Crash safety: kill -9 a replay at random moments, rerun, and lose nothing.

A replay of a few hundred generated pages is killed (SIGKILL) after a random
delay several times; before each rerun the stored URLs are read, and after it
they must all still be there. The database must pass ``PRAGMA integrity_check``,
hold each article once, and `crawl_runs` must show the killed runs as not
finished. SIGTERM and SIGINT stop a run gracefully (finish_reason "shutdown").
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.badinput.many import write_pages
from tests.conftest import ROOT, scrapy_command

PAGES = 600
KILLS = 4


def _start(pages: Path, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        scrapy_command("replay", db, f"path={pages}", log_level="WARNING"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _read(db: Path) -> dict[str, object]:
    """What a later run must not lose: stored URLs, plus integrity facts."""
    if not db.exists():
        return {"urls": set(), "count": 0, "integrity": "ok", "runs": []}
    con = sqlite3.connect(db, timeout=30)
    try:
        integrity = con.execute("pragma integrity_check").fetchone()[0]
        has_articles = con.execute(
            "select count(*) from sqlite_master where type = 'table' and name = 'articles'"
        ).fetchone()[0]
        if not has_articles:
            return {"urls": set(), "count": 0, "integrity": integrity, "runs": []}
        urls = [r[0] for r in con.execute("select url from articles")]
        for source, fetched_at, authors, text in con.execute(
            "select source, fetched_at, authors, text from articles"
        ):
            assert source and fetched_at and text, "a half-written article row"
            assert isinstance(json.loads(authors), list)
        runs = con.execute("select id, finished_at, finish_reason from crawl_runs order by id").fetchall()
    finally:
        con.close()
    return {"urls": set(urls), "count": len(urls), "integrity": integrity, "runs": runs}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    write_pages(folder, PAGES)
    return folder


def test_kill_9_at_random_moments_loses_nothing(pages: Path, tmp_path: Path) -> None:
    seed = int(os.environ.get("NEWS_TEST_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    db = tmp_path / "crash.db"
    killed = 0
    for attempt in range(KILLS):
        before = _read(db)
        process = _start(pages, db)
        # Kill at a random moment after the run opened (its crawl_runs row exists): from the
        # first pages to deep into the run, inserts and unchanged re-writes alike.
        deadline = time.monotonic() + 60
        while len(_read(db)["runs"]) <= len(before["runs"]) and time.monotonic() < deadline:  # type: ignore[arg-type]
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.8))  # well inside a run on an idle machine too
        if process.poll() is None:
            process.kill()  # SIGKILL: no handler runs, nothing is flushed
            killed += 1
        process.wait(timeout=30)
        after = _read(db)
        assert after["integrity"] == "ok", (seed, attempt)
        assert before["urls"] <= after["urls"], (seed, attempt, "stored articles were lost")
        assert after["count"] == len(after["urls"])  # type: ignore[arg-type]
    assert killed == KILLS, f"runs ended before the kill (seed {seed}); raise PAGES"

    final = subprocess.run(
        scrapy_command("replay", db, f"path={pages}", log_level="WARNING"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert final.returncode == 0, final.stderr[-3000:]
    done = _read(db)
    assert done["integrity"] == "ok"
    assert done["count"] == PAGES, f"seed {seed}"
    runs = done["runs"]
    assert isinstance(runs, list) and runs[-1][2] == "finished" and runs[-1][1]
    # every killed run that had opened is recorded as not finished
    unfinished = [r for r in runs[:-1] if r[1] is None and r[2] is None]
    assert len(unfinished) == len(runs) - 1 == killed, runs


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_shut_down_gracefully(pages: Path, tmp_path: Path, signum: int) -> None:
    db = tmp_path / "stop.db"
    process = _start(pages, db)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _read(db)["count"] < 20:  # type: ignore[operator]
        time.sleep(0.2)
    assert process.poll() is None, "the run ended before it could be stopped"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    state = _read(db)
    assert state["integrity"] == "ok"
    runs = state["runs"]
    assert isinstance(runs, list) and len(runs) == 1
    _, finished_at, finish_reason = runs[0]
    assert finish_reason == "shutdown" and finished_at, stderr.decode()[-2000:]
    assert 20 <= state["count"] < PAGES  # type: ignore[operator]
