"""Golden tests over every bundled fixture page: one test per (page, field).

Expected values live in each page's sidecar (``expected``); they are the
specification the fixture was written to, so a failing id names exactly which
page and which field regressed. Scalar fields compare exactly; text uses
``text_starts`` / ``text_ends`` / ``text_contains`` / ``text_excludes``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from tests.conftest import PAGES

JSON_FIELDS = {"authors", "categories", "tags", "captions"}


def cases() -> list[Any]:
    found = []
    for sidecar in sorted(PAGES.rglob("*.json")):
        expected = json.loads(sidecar.read_text(encoding="utf-8")).get("expected")
        if not expected:
            continue
        page_id = str(sidecar.relative_to(PAGES).with_suffix(""))
        for field, value in expected.items():
            if field == "url":
                continue
            values = value if field in ("text_contains", "text_excludes") else [value]
            for one in values:
                label = f"{page_id}::{field}" + (
                    f"[{one[:24]}]"
                    if len(values) > 1 or field.startswith("text_c") or field == "text_excludes"
                    else ""
                )
                found.append(pytest.param(expected["url"], field, one, id=label))
    return found


@pytest.mark.parametrize(("url", "field", "value"), cases())
def test_fixture_field(fixtures_db: Database, url: str, field: str, value: Any) -> None:
    row = fixtures_db["articles"].get(url)
    if field == "text_starts":
        assert row["text"].startswith(value)
    elif field == "text_ends":
        assert row["text"].endswith(value)
    elif field == "text_contains":
        assert value in row["text"]
    elif field == "text_excludes":
        assert value not in row["text"]
    elif field in JSON_FIELDS:
        assert json.loads(row[field]) == value
    else:
        assert row[field] == value


def test_section_front_gives_no_article(fixtures_db: Database) -> None:
    assert fixtures_db["articles"].count_where("url like ?", ["%harbourgazette.co.uk/news/"]) == 0
    failure = next(fixtures_db["failures"].rows_where("source like ?", ["%news/index.html"]))
    assert failure["stage"] == "extract" and "no article found" in failure["reason"]


def test_windows_1252_page_keeps_its_typography(fixtures_db: Database) -> None:
    row = next(fixtures_db["articles"].rows_where("site_name = ?", ["Kreisbote"]))
    assert "„" in row["text"] and "“" in row["text"] and "–" in row["text"] or "’" in row["text"]
    assert "Ã" not in row["text"]  # no mojibake


def test_broken_files_each_give_one_failure(tmp_path: Path) -> None:
    from tests.conftest import BROKEN, scrapy_crawl

    db = tmp_path / "broken.db"
    result = scrapy_crawl("replay", db, f"path={BROKEN}")
    assert result.returncode == 0
    database = Database(db)
    assert database["articles"].count == 0
    failures = {Path(r["source"]).name: r for r in database["failures"].rows}
    assert set(failures) == {p.name for p in BROKEN.iterdir()}
    assert all(r["reason"] and r["stage"] in ("decode", "extract") for r in failures.values())
