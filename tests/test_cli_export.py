"""`news-ingest export`: JSON Lines keeps arrays as arrays, CSV keeps every column."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from crawler.cli import main
from crawler.items import ArticleItem, PageFailure
from pipelines import export
from pipelines.store import Store, article_row


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "articles.db"
    store = Store.open(path)
    for n, authors in enumerate((["Ann Lee", "Bo Chan"], [])):
        item = ArticleItem(fetched_url=f"https://a.example/{n}", source=f"{n}.html", html="",
                           fetched_at="2024-03-15T00:00:00+00:00")
        item.url, item.title, item.authors = f"https://a.example/{n}", f"Story {n}", authors
        item.text = "First paragraph, with a comma.\n\nSecond \"quoted\" paragraph."
        item.categories = ["World"]
        store.save_article(article_row(item))
    store.save_failure(PageFailure(source="bad.html", url="https://a.example/bad", stage="extract",
                                   reason="No article text found.", at="2024-03-15T00:00:00+00:00",
                                   spider="replay"))
    store.close()
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["export", *args])
    return result.exit_code, result.output


def test_jsonl_to_stdout_keeps_arrays(db_file: Path) -> None:
    code, output = run("--db", str(db_file), "--format", "jsonl")
    assert code == 0, output
    rows = [json.loads(line) for line in output.splitlines()]
    assert [row["url"] for row in rows] == ["https://a.example/0", "https://a.example/1"]
    assert rows[0]["authors"] == ["Ann Lee", "Bo Chan"]
    assert rows[1]["authors"] == []
    assert rows[0]["categories"] == ["World"]
    assert rows[0]["stages"] == ["store"]
    assert rows[0]["text"].endswith('Second "quoted" paragraph.')


def test_csv_to_file_round_trips(db_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, output = run("--db", str(db_file), "--format", "csv", "--output", str(out))
    assert code == 0, output
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert len(rows) == 2
    assert set(rows[0]) == set(Database(db_file)["articles"].columns_dict)
    assert json.loads(rows[0]["authors"]) == ["Ann Lee", "Bo Chan"]
    assert rows[0]["text"] == "First paragraph, with a comma.\n\nSecond \"quoted\" paragraph."


def test_other_tables_and_errors(db_file: Path, tmp_path: Path) -> None:
    code, output = run("--db", str(db_file), "--table", "failures")
    assert code == 0
    assert json.loads(output)["reason"] == "No article text found."
    code, output = run("--db", str(db_file), "--table", "nope")
    assert code == 1 and "no table 'nope'" in output
    code, output = run("--db", str(tmp_path / "missing.db"))
    assert code == 1 and "does not exist" in output
    code, output = run("--db", str(db_file), "--format", "xml")
    assert code == 2


def test_export_function_counts_rows(db_file: Path) -> None:
    buffer = io.StringIO()
    assert export.export(Database(db_file), "authors", "jsonl", buffer) == 2
    assert [json.loads(line)["name"] for line in buffer.getvalue().splitlines()] == ["Ann Lee", "Bo Chan"]
    with pytest.raises(ValueError, match="unknown format"):
        export.export(Database(db_file), "articles", "xml", io.StringIO())


def test_export_help_has_an_example() -> None:
    code, output = run("--help")
    assert code == 0 and "Example:" in output and "--format" in output
