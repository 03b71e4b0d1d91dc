"""An older database is upgraded in place: rows survive, FTS and author/site links are backfilled."""

from __future__ import annotations

import json

import pytest
from sqlite_utils import Database

from crawler.items import ArticleItem
from pipelines import schema
from pipelines.store import Store, article_row

FIRST_NEW = "m010_sites_authors"


def old_row(url: str = "https://theduran.com/old-story/") -> dict[str, object]:
    """A row as the store wrote it before sites, authors and FTS existed."""
    return {
        "url": url, "source": "saved/old-story.html", "title": "Lavrov meets Kerry in Vientiane",
        "authors": json.dumps(["Alexander Mercouris", "Jane Doe"]), "site_name": "The Duran",
        "published": "2016-07-25", "categories": "[]", "tags": "[]", "captions": "[]",
        "text": "The Russian foreign minister spoke to reporters.", "word_count": 7,
        "fetched_at": "2016-07-26T08:15:00+00:00", "site": "theduran.com", "stages": "[]",
    }


def search(db: Database, query: str) -> list[str]:
    return [row["url"] for row in db["articles"].search(query, columns=["url"])]


@pytest.fixture
def old_db(tmp_path) -> Database:
    """A database file at the schema of the first migrations, holding one row written the old way."""
    db = Database(tmp_path / "old.db")
    schema.migrations.apply(db, stop_before=FIRST_NEW)
    assert not db["authors"].exists() and not db["articles_fts"].exists()
    db["articles"].insert(old_row(), alter=False)
    db["articles"].insert(old_row("file:///saved/no-url.html") | {"authors": "[]", "site": ""},
                          alter=False)
    return db


def test_upgrade_keeps_rows_and_backfills_fts_and_links(old_db: Database) -> None:
    schema.migrate(old_db)
    assert schema.migrations.pending(old_db) == []
    assert old_db["articles"].count == 2
    stored = old_db["articles"].get("https://theduran.com/old-story/")
    assert stored["title"] == "Lavrov meets Kerry in Vientiane"
    assert sorted(search(old_db, "Vientiane")) == ["file:///saved/no-url.html",
                                                   "https://theduran.com/old-story/"]
    assert search(old_db, "reporters") != []
    links = list(old_db.query(
        "select authors.name, article_authors.position from article_authors"
        " join authors on authors.id = article_authors.author_id"
        " where article_url = ? order by position", ["https://theduran.com/old-story/"]))
    assert links == [{"name": "Alexander Mercouris", "position": 0}, {"name": "Jane Doe", "position": 1}]
    site = old_db["sites"].get(stored["site_id"])
    assert (site["domain"], site["name"]) == ("theduran.com", "The Duran")
    # A replayed file with no URL has no site, and no authors.
    orphan = old_db["articles"].get("file:///saved/no-url.html")
    assert orphan["site_id"] is None
    assert old_db["article_authors"].count_where("article_url = ?", [orphan["url"]]) == 0
    # Columns added later hold their empty value, never null, in old rows too.
    assert (stored["credits"], orphan["credits"]) == ("[]", "[]")
    assert list(old_db["article_checks"].rows) == []


def test_upgrade_survives_a_reopen_and_the_store_keeps_writing(old_db: Database, tmp_path) -> None:
    old_db.close()
    store = Store.open(tmp_path / "old.db")  # what the next crawl does
    assert store.db["articles"].count == 2
    item = ArticleItem(fetched_url="https://theduran.com/new/", source="new.html", html="",
                       fetched_at="2024-01-01T00:00:00+00:00")
    item.url, item.title, item.text = "https://theduran.com/new/", "Fresh", "A zebra crossed."
    item.authors, item.site_name = ["Jane Doe"], "The Duran"
    assert store.save_article(article_row(item)) == "inserted"
    assert search(store.db, "zebra") == ["https://theduran.com/new/"]
    # One site and one "Jane Doe" row shared by the old and the new article.
    assert store.db["sites"].count == 1
    assert store.db["authors"].count_where("name = ?", ["Jane Doe"]) == 1
    assert store.db["article_authors"].count == 3


def test_triggers_survive_every_later_migration() -> None:
    """A later migration that rebuilds `articles` (transform) drops its triggers: this catches it."""
    db = Database(memory=True)
    schema.migrate(db)
    assert {t.name for t in db["articles"].triggers} >= {"articles_ai", "articles_au", "articles_ad"}
    assert db["articles"].detect_fts() == "articles_fts"


def make_item(**fields: object) -> ArticleItem:
    item = ArticleItem(fetched_url="https://a.example/story", source="story.html", html="",
                       fetched_at="2024-03-15T00:00:00+00:00")
    item.url, item.title, item.text, item.site_name = ("https://a.example/story", "A story",
                                                       "Some words about walruses.", "A Example")
    for name, value in fields.items():
        setattr(item, name, value)
    return item


def authors_of(db: Database, url: str) -> list[str]:
    return [row["name"] for row in db.query(
        "select name from article_authors join authors on authors.id = author_id"
        " where article_url = ? order by position", [url])]


def test_store_keeps_author_links_in_step_on_update() -> None:
    store = Store(Database(memory=True))
    store.save_article(article_row(make_item(authors=["Ann Lee", "Bo Chan"])))
    assert authors_of(store.db, "https://a.example/story") == ["Ann Lee", "Bo Chan"]
    assert store.save_article(article_row(make_item(authors=["Bo Chan"]))) == "updated"
    assert authors_of(store.db, "https://a.example/story") == ["Bo Chan"]
    store.save_article(article_row(make_item(authors=[])))
    assert authors_of(store.db, "https://a.example/story") == []
    site = store.db["sites"].get(store.db["articles"].get("https://a.example/story")["site_id"])
    assert (site["domain"], site["name"]) == ("a.example", "A Example")


def test_fts_follows_upserts_and_update_text() -> None:
    store = Store(Database(memory=True))
    store.save_article(article_row(make_item()))
    assert search(store.db, "walruses") == ["https://a.example/story"]
    store.save_article(article_row(make_item(text="Now about narwhals.")))
    assert search(store.db, "walruses") == []
    assert search(store.db, "narwhals") == ["https://a.example/story"]
    store.update_text("https://a.example/story", "Only penguins remain.", 3, "h")
    assert search(store.db, "narwhals") == []
    assert search(store.db, "penguins") == ["https://a.example/story"]
    assert search(store.db, "story") == ["https://a.example/story"]  # the title is indexed too
