"""Quality evaluation: replay a ground-truth corpus set and score it with the corpus's score.py.

A corpus set is a folder holding ``truth.jsonl`` (also the replay manifest: its
lines carry ``file`` and ``url``) and the pages it names; ``score.py`` sits in
the corpus folder above it. Replays run as ``scrapy crawl replay`` subprocesses,
exactly as a user runs them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

#: the columns score.py reads from an `articles` row
SCORED_COLUMNS = ("source", "url", "title", "authors", "published", "text", "categories", "tags")


@dataclass
class Evaluation:
    """score.py's printed report and its JSON summary for one corpus set."""

    name: str
    report: str
    summary: dict[str, Any]


def replay_into(pages: Path, manifest: Path, db: Path, *, settings: dict[str, str] | None = None) -> None:
    """Replay ``pages`` with ``manifest`` into ``db`` through ``scrapy crawl replay``."""
    command = [sys.executable, "-m", "scrapy", "crawl", "replay", "-a", f"path={pages}",
               "-a", f"manifest={manifest}", "-s", f"SQLITE_PATH={db}", "-s", "LOG_LEVEL=WARNING"]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False,
                            cwd=Path(__file__).resolve().parents[1])
    if result.returncode != 0:
        raise RuntimeError(f"replay of {pages} failed:\n{result.stderr[-3000:]}")


def export_predictions(db: Path, out: Path) -> int:
    """Write the articles rows score.py needs as JSONL; return how many."""
    rows = Database(db).query(f"select {', '.join(SCORED_COLUMNS)} from articles")
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def evaluate_set(set_dir: Path, workdir: Path, *, settings: dict[str, str] | None = None) -> Evaluation:
    """Replay one corpus set (e.g. ``corpus/fundus``) into ``workdir`` and score it."""
    truth = set_dir / "truth.jsonl"
    scorer = set_dir.parent / "score.py"
    if not truth.is_file() or not scorer.is_file():
        raise FileNotFoundError(f"{set_dir} is not a corpus set (needs truth.jsonl and ../score.py)")
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"{set_dir.name}.db"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    replay_into(set_dir / "pages", truth, db, settings=settings)
    predictions = workdir / f"{set_dir.name}.predictions.jsonl"
    export_predictions(db, predictions)
    summary_path = workdir / f"{set_dir.name}.summary.json"
    result = subprocess.run(
        [sys.executable, str(scorer), str(truth), str(predictions), "--json", str(summary_path),
         "--label", f"news-ingest {set_dir.name}"],
        capture_output=True, text=True, check=False)
    if result.returncode != 0 or not summary_path.is_file():
        raise RuntimeError(f"score.py failed on {set_dir.name}:\n{result.stderr[-3000:]}")
    return Evaluation(set_dir.name, result.stdout, json.loads(summary_path.read_text()))
