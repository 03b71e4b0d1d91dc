"""Shared test helpers: fixture paths, subprocess replays into tmp databases, the corpus."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.site_server import SiteServer, start_site

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
PAGES = FIXTURES / "pages"
BROKEN = FIXTURES / "broken"
CORPUS = Path(os.environ.get("NEWS_INGEST_CORPUS", ROOT.parent / "shared" / "corpus"))


def scrapy_command(spider: str, db: Path, *args: str, settings: dict[str, str] | None = None,
                   log_level: str = "INFO") -> list[str]:
    """The command line ``scrapy crawl SPIDER -a ... -s SQLITE_PATH=db`` as a user would type it."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"SQLITE_PATH={db}",
               "-s", f"LOG_LEVEL={log_level}"]
    for arg in args:
        command += ["-a", arg]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    return command


def scrapy_crawl(spider: str, db: Path, *args: str, settings: dict[str, str] | None = None,
                 cwd: Path = ROOT, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Run :func:`scrapy_command` to completion in a subprocess."""
    return subprocess.run(scrapy_command(spider, db, *args, settings=settings), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False)


#: the ``news-ingest`` command, run by this interpreter (so a test never picks up another install)
NEWS_INGEST = [sys.executable, "-c", "from crawler.cli import main; main()"]


def news_ingest(*args: str, cwd: Path = ROOT, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Run the ``news-ingest`` command in a subprocess."""
    return subprocess.run([*NEWS_INGEST, *args],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    """The generated news site on 127.0.0.1, one per test module (tests that edit it make their own)."""
    server = start_site()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fixtures_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """The bundled fixture pages replayed once into a fresh database."""
    db = tmp_path_factory.mktemp("replay") / "articles.db"
    result = scrapy_crawl("replay", db, f"path={PAGES}")
    assert result.returncode == 0, result.stderr[-3000:]
    return Database(db)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The development corpus, or a skip saying where it was looked for."""
    if not (CORPUS / "score.py").is_file():
        pytest.skip(f"development corpus not found at {CORPUS} (set NEWS_INGEST_CORPUS to use it)")
    return CORPUS
