"""The schema cache answers as sqlite-utils does, and sees every schema change at once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.db import NoTable

from crawler.items import ArticleItem
from pipelines.schema_cache import SchemaCachedDatabase, SchemaCachedTable
from pipelines.store import Store, article_row


def _statements(db: Database) -> list[str]:
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    return seen


def test_answers_match_plain_sqlite_utils(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    Store.open(path).close()  # the full schema: tables, FTS, views none, indexes
    cached, plain = SchemaCachedDatabase(path), Database(path)
    assert cached.table_names() == plain.table_names()
    assert cached.table_names(fts5=True) == plain.table_names(fts5=True)
    assert cached.view_names() == plain.view_names()
    for name in plain.table_names():
        assert cached[name].columns == plain[name].columns
        assert cached[name].indexes == plain[name].indexes
        assert cached[name].pks == plain[name].pks


def test_repeated_writes_skip_the_schema_reads(tmp_path: Path) -> None:
    db = SchemaCachedDatabase(tmp_path / "a.db")
    db["t"].insert({"id": 1, "name": "a"}, pk="id")  # creates the table: the schema changed
    # The first upsert also probes once for ON CONFLICT support (a table created and dropped):
    # another schema change, read at the next call.
    for n in (2, 3):
        db["t"].upsert({"id": n, "name": "b"}, pk="id", alter=False)
    seen = _statements(db)
    for n in range(4, 14):
        db["t"].upsert({"id": n, "name": "b"}, pk="id", alter=False)
    assert not [s for s in seen if "sqlite_master" in s or "table_info" in s]


def test_a_column_added_here_is_seen(tmp_path: Path) -> None:
    db = SchemaCachedDatabase(tmp_path / "a.db")
    db["t"].insert({"id": 1, "name": "a"}, pk="id")
    assert set(db["t"].columns_dict) == {"id", "name"}
    db["t"].add_column("extra", str)
    assert set(db["t"].columns_dict) == {"id", "name", "extra"}
    db["t"].upsert({"id": 1, "extra": "x"}, pk="id", alter=False)
    assert db["t"].get(1)["extra"] == "x"


def test_a_schema_change_by_another_connection_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = SchemaCachedDatabase(path)
    db["t"].insert({"id": 1, "name": "a"}, pk="id")
    assert db.table_names() == ["t"] and not db["t"].indexes  # now cached
    other = sqlite3.connect(path)
    other.execute("alter table t add column extra text")
    other.execute("create table u (id integer primary key)")
    other.execute("create unique index idx_t_name on t (name)")
    other.execute("create view v as select * from t")
    other.commit()
    other.close()
    assert set(db.table_names()) == {"t", "u"}
    assert db.view_names() == ["v"]
    assert "extra" in db["t"].columns_dict
    assert [i.columns for i in db["t"].indexes] == [["name"]]
    db["t"].upsert({"id": 1, "extra": "x"}, pk="id", alter=False)  # alter=False: the new column must be known
    assert db["t"].get(1)["extra"] == "x"
    with pytest.raises(NoTable):
        db.table("v")


def test_a_dropped_table_is_seen(tmp_path: Path) -> None:
    db = SchemaCachedDatabase(tmp_path / "a.db")
    db["t"].insert({"id": 1}, pk="id")
    assert db["t"].exists()
    db["t"].drop()
    assert not db["t"].exists() and db["t"].columns == []
    db["t"].insert({"id": 2, "name": "new"}, pk="id")  # created again, with its new columns
    assert set(db["t"].columns_dict) == {"id", "name"}


def test_callers_cannot_change_the_cached_answers(tmp_path: Path) -> None:
    db = SchemaCachedDatabase(tmp_path / "a.db")
    db["t"].insert({"id": 1}, pk="id")
    db.table_names().append("ghost")
    db["t"].columns.clear()
    assert db.table_names() == ["t"] and [c.name for c in db["t"].columns] == ["id"]


def test_store_open_uses_the_cache_and_stores_the_same_row(tmp_path: Path) -> None:
    item = ArticleItem(fetched_url="https://a.example/story", source="saved/story.html", html="<html></html>",
                       fetched_at="2024-03-15T00:00:00+00:00", url="https://a.example/story", title="A story",
                       text="Some words of text.", authors=["Ann Lee"], site_name="A", stages=["extract"])
    cached = Store.open(tmp_path / "cached.db")
    plain = Store(Database(tmp_path / "plain.db"))
    assert isinstance(cached.db["articles"], SchemaCachedTable)
    for store in (cached, plain):
        assert store.save_article(article_row(item)) == "inserted"
    for table in ("articles", "sites", "authors", "article_authors"):
        assert list(cached.db[table].rows) == list(plain.db[table].rows)
