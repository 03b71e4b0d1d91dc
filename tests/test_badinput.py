"""Every kind of broken saved page, replayed in one `scrapy crawl replay` run.

The corpus is generated into tmp_path by tests/badinput/generate.py (nothing big
is committed). Each page gives either a correct article or exactly one
`failures` row with a plain reason; the run finishes, in bounded time, and
stores every good page.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from tests.badinput.generate import Case, generate
from tests.conftest import scrapy_crawl

#: generous bound for the whole run (about 15 s on the 2-core reference machine)
MAX_RUN_SECONDS = 120
#: what UTF-8 read as cp1252/latin-1 (or cp1251 as cp1252) looks like, e.g. "Ã©", "â€™", "Ð¾"
MOJIBAKE_RE = re.compile(r"Ã[\x80-\xbf©¨]|â€|Ð[\x80-\xbf°-¿]|Ñ[\x80-\x8f]|ï¿½")


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("badinput")
    pages = folder / "pages"
    cases = generate(pages)
    db = folder / "out.db"
    started = time.perf_counter()
    result = scrapy_crawl("replay", db, f"path={pages}")
    elapsed = time.perf_counter() - started
    database = Database(db)
    return {
        "cases": cases,
        "pages": pages,
        "result": result,
        "elapsed": elapsed,
        "articles": list(database["articles"].rows),
        "failures": list(database["failures"].rows),
        "runs": list(database["crawl_runs"].rows),
    }


def _by_source(rows: list[dict[str, Any]], pages: Path, name: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["source"] == str(pages / name)]


def test_run_finishes_in_bounded_time_without_tracebacks(replay: dict[str, Any]) -> None:
    result = replay["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-5000:]
    assert replay["elapsed"] < MAX_RUN_SECONDS
    (run,) = replay["runs"]
    assert run["finish_reason"] == "finished" and run["finished_at"]
    assert run["pages_seen"] == len(replay["cases"])
    assert run["errors"] == 0


def test_every_page_is_one_article_or_one_failure(replay: dict[str, Any]) -> None:
    pages = replay["pages"]
    outcomes = {}
    for case in replay["cases"]:
        articles = _by_source(replay["articles"], pages, case.name)
        failures = _by_source(replay["failures"], pages, case.name)
        outcomes[case.name] = (len(articles), len(failures))
    assert {name: o for name, o in outcomes.items() if o not in ((1, 0), (0, 1))} == {}
    assert len(replay["articles"]) + len(replay["failures"]) == len(replay["cases"])


def _complaint(case: Case, replay: dict[str, Any]) -> str | None:
    pages = replay["pages"]
    articles = _by_source(replay["articles"], pages, case.name)
    failures = _by_source(replay["failures"], pages, case.name)
    if articles and case.expect in ("article", "either"):
        row = articles[0]
        marker = case.contains[0]
        if marker not in row["text"]:
            return f"article text lacks {marker!r}: {row['text'][:200]!r}"
        return case.check(row) if case.check else None
    if failures and case.expect in ("failure", "either"):
        row = failures[0]
        words = case.contains[-1] if case.expect == "either" else case.contains[0]
        if words not in row["reason"]:
            return f"reason {row['reason']!r} lacks {words!r}"
        if case.stage and row["stage"] != case.stage and case.expect == "failure":
            return f"stage {row['stage']} is not {case.stage}"
        return None
    got = (
        f"article {articles[0]['title']!r}"
        if articles
        else f"failure {failures[0]['reason']!r}"
        if failures
        else "nothing"
    )
    return f"expected {case.expect}, got {got}"


def test_each_page_gives_what_it_should(replay: dict[str, Any]) -> None:
    complaints = {c.name: _complaint(c, replay) for c in replay["cases"]}
    assert {name: why for name, why in complaints.items() if why} == {}


def test_good_pages_are_all_stored(replay: dict[str, Any]) -> None:
    stored = {Path(r["source"]).relative_to(replay["pages"]).as_posix() for r in replay["articles"]}
    assert {"good/water.html", "good/water-gz.html.gz"} <= stored


def test_failure_reasons_are_plain_sentences(replay: dict[str, Any]) -> None:
    for row in replay["failures"]:
        reason = row["reason"]
        assert row["stage"] in ("fetch", "decode", "extract", "store")
        assert 10 <= len(reason) <= 400, reason
        assert "Traceback" not in reason and "internal error" not in reason, reason


def _valid_iso(value: str) -> bool:
    try:
        if len(value) == 10:
            date.fromisoformat(value)
        else:
            assert datetime.fromisoformat(value).tzinfo is not None
    except (ValueError, AssertionError):
        return False
    return True


def test_stored_articles_keep_the_contract(replay: dict[str, Any]) -> None:
    for row in replay["articles"]:
        for column in ("authors", "categories", "tags", "captions"):
            values = json.loads(row[column])
            assert isinstance(values, list) and all(isinstance(v, str) and v for v in values), column
        for column in ("published", "modified"):
            assert row[column] is None or _valid_iso(row[column]), (row["source"], row[column])
        for column in ("title", "text"):
            value = row[column] or ""
            assert "\x00" not in value, (row["source"], column)
            assert not MOJIBAKE_RE.search(value), (row["source"], column, MOJIBAKE_RE.search(value))
        assert row["word_count"] > 0 and row["source"] and row["fetched_at"]


def test_legacy_encodings_decode_to_the_right_text(replay: dict[str, Any]) -> None:
    # Pages without a charset declaration: right text (detected), or a plain decode failure;
    # never mojibake stored silently. Here all six decode.
    legacy = [r for r in replay["articles"] if "/legacy/" in r["source"]]
    assert len(legacy) == 6
    for row in legacy:
        assert "\ufffd" not in row["text"], row["source"]
