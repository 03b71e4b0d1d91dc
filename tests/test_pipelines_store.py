from __future__ import annotations

import json

import pytest
from sqlite_utils import Database

from crawler.items import ArticleItem, PageFailure
from pipelines import schema
from pipelines.schema_cache import SchemaCachedDatabase
from pipelines.store import Store, article_row


def item(**overrides: object) -> ArticleItem:
    base = ArticleItem(fetched_url="https://a.example/story", source="saved/story.html",
                       html="<html></html>", fetched_at="2024-03-15T00:00:00+00:00")
    base.url = "https://a.example/story"
    base.title = "A story"
    base.text = "Some words of text."
    base.stages = ["extract"]
    for name, value in overrides.items():
        setattr(base, name, value)
    return base


@pytest.fixture
def store() -> Store:
    # The database class Store.open gives a crawl (sqlite-utils with the schema cached).
    return Store(SchemaCachedDatabase(memory=True))


def test_schema_has_every_contract_column(store: Store) -> None:
    columns = set(store.db["articles"].columns_dict)
    contract = {"url", "source", "title", "authors", "site_name", "published", "modified", "language",
                "categories", "tags", "captions", "text", "word_count", "content_hash", "fetched_at"}
    assert contract <= columns
    assert store.db["articles"].pks == ["url"]
    assert {"source", "url", "stage", "reason", "at"} <= set(store.db["failures"].columns_dict)
    assert store.db["crawl_runs"].exists()


def test_migrations_apply_twice_cleanly() -> None:
    db = Database(memory=True)
    schema.migrate(db)
    schema.migrate(db)
    assert schema.migrations.pending(db) == []


def test_json_arrays_are_never_null(store: Store) -> None:
    store.save_article(article_row(item()))
    row = store.db["articles"].get("https://a.example/story")
    for column in ("authors", "categories", "tags", "captions"):
        assert json.loads(row[column]) == []


def test_insert_then_unchanged_then_updated(store: Store) -> None:
    assert store.save_article(article_row(item())) == "inserted"
    assert store.save_article(article_row(item(fetched_at="2024-03-16T00:00:00+00:00"))) == "unchanged"
    assert store.save_article(article_row(item(text="Edited text."))) == "updated"
    assert store.db["articles"].count == 1
    assert store.db["articles"].get("https://a.example/story")["text"] == "Edited text."


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_the_later_fetch_stays_current_whatever_the_order(store: Store, order: str) -> None:
    # two saved copies of one page, replayed together: extraction may finish them in any order
    old = item(source="saved/2023.html", text="First version.", fetched_at="2023-04-28T20:32:15")
    new = item(source="saved/2024.html", text="Second version.", fetched_at="2024-10-23T23:17:51+00:00")
    copies = [old, new] if order == "older first" else [new, old]
    outcomes = [store.save_article(article_row(copy)) for copy in copies]
    assert outcomes == (["inserted", "updated"] if order == "older first" else ["inserted", "older"])
    row = store.db["articles"].get("https://a.example/story")
    assert (row["text"], row["source"]) == ("Second version.", "saved/2024.html")
    # the earlier version is kept either way
    assert [v["text"] for v in store.db["versions"].rows] == ["First version."]


def test_an_older_identical_copy_adds_no_version(store: Store) -> None:
    store.save_article(article_row(item(fetched_at="2024-03-16T00:00:00+00:00")))
    assert store.save_article(article_row(item(fetched_at="2024-03-15T00:00:00+00:00"))) == "older"
    assert store.db["versions"].count == 0


def test_success_clears_the_failure_of_the_same_page(store: Store) -> None:
    store.save_failure(PageFailure(source="saved/story.html", url="https://a.example/story", stage="extract",
                                   reason="no article found", at="2024-03-14T00:00:00+00:00"))
    assert store.db["failures"].count == 1
    store.save_article(article_row(item()))
    assert store.db["failures"].count == 0


def test_failure_of_a_page_is_one_row(store: Store) -> None:
    for reason in ("first", "second"):
        store.save_failure(PageFailure(source="x.html", url="file:///x.html", stage="decode",
                                       reason=reason, at="2024-03-14T00:00:00+00:00"))
    assert [r["reason"] for r in store.db["failures"].rows] == ["second"]


def test_provenance_columns(store: Store) -> None:
    store.save_article(article_row(item()))
    row = store.db["articles"].get("https://a.example/story")
    assert row["extractor"].startswith("trafilatura ")
    assert json.loads(row["stages"]) == ["extract", "store"]
    assert row["site"] == "a.example"
