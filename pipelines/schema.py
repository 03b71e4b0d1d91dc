"""The database schema and its history, as sqlite-utils migrations.

Applied by the store pipeline when a crawl opens and by ``news-ingest migrate``.
An older database is upgraded in place: add a new migration, never edit an
applied one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("news")

#: the `articles` columns of CONTRACT.md plus provenance and raw inputs
ARTICLE_COLUMNS: dict[str, type] = {
    "url": str,
    "source": str,
    "title": str,
    "authors": str,
    "site_name": str,
    "published": str,
    "modified": str,
    "language": str,
    "categories": str,
    "tags": str,
    "captions": str,
    "text": str,
    "word_count": int,
    "content_hash": str,
    "fetched_at": str,
    # the registered domain the article belongs to (boilerplate is learnt per site)
    "site": str,
    # raw values beside the normalised ones, and where each came from
    "fetched_url": str,
    "title_raw": str,
    "title_source": str,
    "byline_raw": str,
    "authors_source": str,
    "published_raw": str,
    "published_source": str,
    "modified_raw": str,
    "modified_source": str,
    "site_name_source": str,
    "description": str,
    "body_method": str,
    # HTTP facts for audits and conditional GETs
    "http_status": int,
    "etag": str,
    "last_modified": str,
    # provenance: which code made this row
    "spider": str,
    "extractor": str,
    "news_ingest_version": str,
    "stages": str,
    "record_hash": str,
}


@migrations()
def m001_initial(db: Database) -> None:
    """articles, failures and crawl_runs as CONTRACT.md describes them."""
    db["articles"].create(ARTICLE_COLUMNS, pk="url", not_null={"source", "fetched_at"})
    db["articles"].create_index(["published"])
    db["articles"].create_index(["site_name"])
    db["articles"].create_index(["fetched_at"])
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["site"])
    db["failures"].create(
        {"source": str, "url": str, "stage": str, "reason": str, "at": str, "spider": str},
        pk="source",
    )
    db["failures"].create_index(["url"])
    db["crawl_runs"].create(
        {
            "id": int,
            "spider": str,
            "args": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "pages_seen": int,
            "inserted": int,
            "updated": int,
            "unchanged": int,
            "failures": int,
            "dropped": int,
            "errors": int,
            "news_ingest_version": str,
            "extractor": str,
            "stats": str,
        },
        pk="id",
    )


@migrations()
def m002_boilerplate(db: Database) -> None:
    """Blocks seen under articles of a site, to learn site-wide boilerplate."""
    db["boilerplate_blocks"].create(
        {"site": str, "block": str, "sample": str, "article_count": int, "seen_in": str,
         "first_seen": str},
        pk=("site", "block"),
    )


@migrations(transactional=False)
def m003_wal(db: Database) -> None:
    """WAL: readers (Datasette) never block the writer, and never see half a row."""
    db.enable_wal()


def migrate(db: Database) -> None:
    """Bring a database up to the current schema."""
    migrations.apply(db)


@migrations()
def m100_versions(db: Database) -> None:
    """Earlier versions of articles that changed: the row as it was before each update."""
    db["versions"].create(
        {"id": int, "url": str, "record_hash": str, "title": str, "authors": str, "published": str,
         "modified": str, "text": str, "content_hash": str, "fetched_at": str, "etag": str,
         "last_modified": str, "superseded_at": str},
        pk="id",
    )
    db["versions"].create_index(["url"])
