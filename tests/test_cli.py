"""The news-ingest command: help everywhere, documented in the README, cron exit statuses, the lock."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from crawler.cli import main
from tests.conftest import BROKEN, PAGES, ROOT, news_ingest

COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_documents_every_command(command: str) -> None:
    assert f"news-ingest {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_replay_prints_summary_and_exits_0(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    result = news_ingest("replay", str(PAGES / "theduran.com"), "--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "replay: finished. 3 pages -> 3 inserted" in result.stdout
    assert Database(db)["articles"].count == 3


def test_run_that_stores_nothing_exits_1(tmp_path: Path) -> None:
    result = news_ingest("replay", str(BROKEN), "--db", str(tmp_path / "b.db"))
    assert result.returncode == 1
    assert "Failures (newest first):" in result.stdout


def test_overlapping_run_is_refused_with_75(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with open(f"{db}.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running news-ingest would
        result = news_ingest("replay", str(PAGES / "theduran.com"), "--db", str(db))
    assert result.returncode == 75
    assert "is locked by a running news-ingest" in result.stderr
    assert not db.exists()


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    result = news_ingest("replay", str(tmp_path / "nowhere"), "--db", str(tmp_path / "d.db"))
    assert result.returncode == 2
    assert "no file, folder or glob match" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_and_migrate(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    runner = CliRunner()
    assert "applied" in runner.invoke(main, ["migrate", "--db", str(db)]).output
    result = runner.invoke(main, ["status", "--db", str(db), "--max-age", "6h"])
    assert result.exit_code == 1  # no successful run yet: the monitoring check fails
    assert "articles: 0" in result.output
