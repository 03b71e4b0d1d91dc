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
    db.table("articles").create(ARTICLE_COLUMNS, pk="url", not_null={"source", "fetched_at"})
    db.table("articles").create_index(["published"])
    db.table("articles").create_index(["site_name"])
    db.table("articles").create_index(["fetched_at"])
    db.table("articles").create_index(["content_hash"])
    db.table("articles").create_index(["site"])
    db.table("failures").create(
        {"source": str, "url": str, "stage": str, "reason": str, "at": str, "spider": str},
        pk="source",
    )
    db.table("failures").create_index(["url"])
    db.table("crawl_runs").create(
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
    db.table("boilerplate_blocks").create(
        {"site": str, "block": str, "sample": str, "article_count": int, "seen_in": str,
         "first_seen": str},
        pk=("site", "block"),
    )


@migrations(transactional=False)
def m003_wal(db: Database) -> None:
    """WAL: readers (Datasette) never block the writer, and never see half a row."""
    db.enable_wal()


@migrations()
def m010_sites_authors(db: Database) -> None:
    """`sites`, `authors` and the `article_authors` link, so Datasette can facet and link them.

    `articles.site_id` points at `sites`; the JSON `authors` column stays (the
    contract) and `article_authors` mirrors it. Existing rows are backfilled.
    """
    # Imported here, not at the top, so this change to schema.py stays append-only.
    from pipelines import facets

    db.table("sites").create({"id": int, "domain": str, "name": str}, pk="id", not_null={"domain"})
    db.table("sites").create_index(["domain"], unique=True)
    db.table("authors").create({"id": int, "name": str}, pk="id", not_null={"name"})
    db.table("authors").create_index(["name"], unique=True)
    db.table("article_authors").create(
        {"article_url": str, "author_id": int, "position": int},
        pk=("article_url", "author_id"),
        foreign_keys=[("article_url", "articles", "url"), ("author_id", "authors", "id")],
    )
    db.table("article_authors").create_index(["author_id"])
    # A foreign key on an existing table means a rebuild (sqlite-utils transform);
    # it runs before FTS triggers exist on `articles`.
    db.table("articles").add_column("site_id", int, fk="sites", fk_col="id")
    db.table("articles").create_index(["site_id"])
    for row in db.table("articles").rows_where(select="url, site, site_name, authors"):
        facets.link_article(db, row)


@migrations()
def m011_fts(db: Database) -> None:
    """Full-text search over `title` and `text`, kept current by triggers on every write.

    The default unicode61 tokenizer (no Porter stemming): the corpus is
    multilingual and an English stemmer would conflate non-English words.
    ``enable_fts`` indexes the rows already there.
    """
    db.table("articles").enable_fts(["title", "text"], fts_version="FTS5", create_triggers=True)


@migrations()
def m100_versions(db: Database) -> None:
    """Earlier versions of articles that changed: the row as it was before each update."""
    db.table("versions").create(
        {"id": int, "url": str, "record_hash": str, "title": str, "authors": str, "published": str,
         "modified": str, "text": str, "content_hash": str, "fetched_at": str, "etag": str,
         "last_modified": str, "superseded_at": str},
        pk="id",
    )
    db.table("versions").create_index(["url"])


@migrations()
def m101_article_checks(db: Database) -> None:
    """When a conditional GET last confirmed a stored article unchanged (HTTP 304).

    Read by the refresh policy (crawler/refresh.py) as a fresh look at the page.
    """
    db.table("article_checks").create({"url": str, "checked_at": str}, pk="url")


@migrations()
def m102_fetched_url_index(db: Database) -> None:
    """Incremental crawls look a page up by the address it was fetched from, too."""
    db.table("articles").create_index(["fetched_url"], if_not_exists=True)


@migrations()
def m103_credits(db: Database) -> None:
    """`credits`: organisations a byline credits (wire services, the outlet), apart from `authors`."""
    db.table("articles").add_column("credits", str, not_null_default="[]")


def migrate(db: Database) -> None:
    """Bring a database up to the current schema."""
    migrations.apply(db)
