"""Store stage: articles and failures into SQLite through sqlite-utils.

Reads setting ``SQLITE_PATH``. :class:`Store` is usable without Scrapy (the CLI
and tests use it); :class:`StorePipeline` adapts it. Each write is its own
transaction, committed before the next page, so a crash never loses or
half-writes a stored row (WAL keeps readers consistent meanwhile).
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from sqlite_utils import Database

from crawler.fixtures import parse_utc
from crawler.items import ArticleItem, PageFailure, page_failed
from pipelines import facets, schema
from pipelines.extract import EXTRACTOR_VERSION, site_of
from pipelines.schema_cache import SchemaCachedDatabase

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response

NEWS_INGEST_VERSION = version("news-ingest")
#: columns whose change makes an article "updated" (not fetch time or provenance)
CONTENT_FIELDS = ("title", "authors", "site_name", "published", "modified", "language",
                  "categories", "tags", "captions", "text")
JSON_FIELDS = ("authors", "categories", "tags", "captions", "stages", "credits")
#: `articles` columns an earlier version keeps in `versions` (migration m100_versions)
VERSION_FIELDS = ("url", "record_hash", "title", "authors", "published", "modified", "text", "content_hash",
                  "fetched_at", "etag", "last_modified")
#: stored articles read at a time when newly learnt boilerplate is removed from a site's earlier ones
SITE_BATCH = 500


def article_row(item: ArticleItem) -> dict[str, Any]:
    """The `articles` row for an item: contract columns, raw values and provenance."""
    row: dict[str, Any] = {
        "url": item.url or item.fetched_url,
        "source": item.source,
        "title": item.title,
        "authors": item.authors,
        "credits": item.credits,
        "site_name": item.site_name,
        "published": item.published,
        "modified": item.modified,
        "language": item.language,
        "categories": item.categories,
        "tags": item.tags,
        "captions": item.captions,
        "text": item.text,
        "word_count": item.word_count,
        "content_hash": item.content_hash,
        "fetched_at": item.fetched_at,
        "site": site_of(item.url or item.fetched_url),
        "fetched_url": item.fetched_url,
        "title_raw": item.title_raw,
        "title_source": item.title_source,
        "byline_raw": item.byline_raw,
        "authors_source": item.authors_source,
        "published_raw": item.published_raw,
        "published_source": item.published_source,
        "modified_raw": item.modified_raw,
        "modified_source": item.modified_source,
        "site_name_source": item.site_name_source,
        "description": item.description,
        "body_method": item.body_method,
        "http_status": item.status,
        "etag": item.headers.get("ETag"),
        "last_modified": item.headers.get("Last-Modified"),
        "spider": item.spider,
        "extractor": EXTRACTOR_VERSION,
        "news_ingest_version": NEWS_INGEST_VERSION,
        "stages": [*item.stages, "store"],
    }
    for name in JSON_FIELDS:
        row[name] = json.dumps(row[name] or [], ensure_ascii=False)
    row["record_hash"] = record_hash(row)
    return row


def _later(stored: str | None, new: str) -> bool:
    """Was the stored row fetched after ``new`` (ISO 8601 times; a time that does not
    parse never counts as later)?"""
    try:
        return bool(stored) and parse_utc(str(stored)) > parse_utc(new)
    except ValueError:
        return False


def record_hash(row: dict[str, Any]) -> str:
    """Hash of the columns whose change makes a stored article "updated"."""
    content = json.dumps([row[name] for name in CONTENT_FIELDS], ensure_ascii=False)
    return hashlib.sha1(content.encode()).hexdigest()


class Store:
    """The news database: schema, article upserts and failure rows."""

    def __init__(self, db: Database) -> None:
        self.db = db
        schema.migrate(db)
        # Under WAL, NORMAL syncs at checkpoints, not at every commit: a killed process
        # loses nothing committed (only a power cut can), and each write is ~5 ms cheaper here.
        db.execute("PRAGMA synchronous=NORMAL")

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating folders and schema as needed) the database file at ``path``."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Schema answers from memory: sqlite-utils would read them again on every write.
        return cls(SchemaCachedDatabase(path))

    def save_article(self, row: dict[str, Any]) -> str:
        """Upsert one article row; return "inserted", "updated", "unchanged" or "older".

        "older": the stored row was fetched later than this one (two saved copies of one
        page replayed together, an old archive replayed into a newer database). The newer
        fetch stays current, whatever order the copies finish extraction in; this copy
        goes to `versions`, superseded by the stored one.
        """
        articles = self.db.table("articles")
        with self.db.atomic():
            found = list(self.db.execute(
                "select record_hash, fetched_at from articles where url = ?", [row["url"]]))
            if not found:
                outcome = "inserted"
            elif _later(found[0][1], row["fetched_at"]):
                outcome = "older"
            else:
                outcome = "unchanged" if found[0][0] == row["record_hash"] else "updated"
            if outcome == "older" and found[0][0] != row["record_hash"]:
                self.db.table("versions").insert(
                    {**{name: row[name] for name in VERSION_FIELDS}, "superseded_at": found[0][1]},
                    alter=False)
            if outcome == "updated":
                self.keep_version(row["url"], superseded_at=row["fetched_at"])
            if outcome in ("inserted", "updated"):
                articles.upsert(facets.with_site(self.db, row), pk="url", alter=False)
                facets.link_authors(self.db, row["url"], row["authors"])
            # A later success of the same page clears its failure.
            self.db.execute("delete from failures where source = ? or url = ?",
                            [row["source"], row["url"]])
        return outcome

    def keep_version(self, url: str, superseded_at: str) -> None:
        """Copy the stored row of ``url`` into `versions` before an update replaces it."""
        for old in self.db.table("articles").rows_where("url = ?", [url]):
            self.db.table("versions").insert(
                {**{name: old[name] for name in VERSION_FIELDS}, "superseded_at": superseded_at}, alter=False)

    def save_failure(self, failure: PageFailure) -> None:
        """Record (or replace) the failure row of one page."""
        with self.db.atomic():
            self.db.table("failures").upsert(
                {"source": failure.source, "url": failure.url, "stage": failure.stage,
                 "reason": failure.reason, "at": failure.at, "spider": failure.spider},
                pk="source", alter=False,
            )

    def boilerplate_blocks(self, site: str, min_articles: int) -> set[str]:
        """Keys of the blocks seen under at least ``min_articles`` different articles of a site."""
        return {row[0] for row in self.db.execute(
            "select block from boilerplate_blocks where site = ? and article_count >= ?",
            [site, min_articles])}

    def learn_blocks(self, site: str, blocks: dict[str, str], article: tuple[str, str],
                     min_articles: int, now: str) -> list[str]:
        """Count ``blocks`` (key -> text) as seen under ``article`` (url, content hash).

        An article counts once per block however often it is stored, and a copy
        of it under another URL (same content hash) does not count again.
        Returns the keys that became boilerplate with this article.
        """
        crossed = []
        records = []
        with self.db.atomic():
            # One read and one batched write per article, not a query and an upsert per block.
            stored = {key: (seen_in, count) for key, seen_in, count in self.db.execute(
                "select block, seen_in, article_count from boilerplate_blocks"
                " where site = ? and block in (select value from json_each(?))",
                [site, json.dumps(list(blocks))])}
            for key, sample in blocks.items():
                found = stored.get(key)
                seen = json.loads(found[0]) if found else []
                if any(article[0] == url or article[1] == digest for url, digest in seen):
                    continue
                count = (found[1] if found else 0) + 1
                if len(seen) < min_articles:
                    seen.append(list(article))
                records.append((site, key, sample[:500], count, json.dumps(seen), now))
                if count == min_articles:
                    crossed.append(key)
            # first_seen is written by the insert only: an update keeps the block's first sighting.
            self.db.conn.executemany(
                "insert into boilerplate_blocks (site, block, sample, article_count, seen_in, first_seen)"
                " values (?, ?, ?, ?, ?, ?) on conflict (site, block) do update set"
                " sample = excluded.sample, article_count = excluded.article_count,"
                " seen_in = excluded.seen_in", records)
        return crossed

    def site_texts(self, site: str, batch: int = SITE_BATCH) -> Iterator[tuple[str, str]]:
        """``(url, text)`` of one site's stored articles, read ``batch`` rows at a time.

        A block that becomes boilerplate late in a large archive sends every earlier
        article of its site through here: read at once, 50,000 of them would hold their
        whole rows in memory. Paged by rowid, which rewriting a text leaves as it is.
        """
        last = 0
        while True:
            rows = self.db.execute(
                "select rowid, url, text from articles where site = ? and rowid > ? order by rowid limit ?",
                [site, last, batch]).fetchall()
            yield from ((url, text or "") for _, url, text in rows)
            if len(rows) < batch:
                return
            last = rows[-1][0]

    def update_text(self, url: str, text: str, word_count: int, content_hash: str) -> None:
        """Replace a stored article's text (after boilerplate learnt later), keeping hashes true."""
        with self.db.atomic():
            rows = list(self.db.table("articles").rows_where("url = ?", [url]))
            if not rows:
                return
            row = {**rows[0], "text": text, "word_count": word_count, "content_hash": content_hash}
            self.db.table("articles").update(url, {
                "text": text, "word_count": word_count, "content_hash": content_hash,
                "record_hash": record_hash(row)})

    def close(self) -> None:
        self.db.close()


class StorePipeline:
    """Scrapy adapter: writes articles, and a failure row for every dropped page."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path
        self.store: Store | None = None
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.page_failed, signal=page_failed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, crawler.settings.get("SQLITE_PATH"))

    def open_spider(self) -> None:
        self.store = Store.open(self.path)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()

    def _spider_name(self) -> str:
        spider = self.crawler.spider
        return spider.name if spider is not None else ""

    def _fail(self, source: str, url: str, stage: str, reason: str, at: str) -> None:
        assert self.store is not None
        self.store.save_failure(PageFailure(source=source, url=url, stage=stage, reason=reason,
                                            at=at, spider=self._spider_name()))
        self.crawler.stats.inc_value("news/failures")
        self.crawler.stats.inc_value(f"news/failures/{stage}")

    def process_item(self, item: Any) -> Any:
        assert self.store is not None
        if not isinstance(item, ArticleItem):
            return item
        outcome = self.store.save_article(article_row(item))
        self.crawler.stats.inc_value(f"news/store/{outcome}")
        item.stages.append("store")
        return item

    def page_failed(self, failure: PageFailure) -> None:
        """A spider could not turn a page into an item: record why in `failures`."""
        self._fail(failure.source, failure.url, failure.stage, failure.reason, failure.at)

    def item_dropped(self, item: Any, response: Response | None, exception: BaseException) -> None:
        """A stage dropped a page: record why in `failures`."""
        if not isinstance(item, ArticleItem):
            return
        stage = getattr(exception, "stage", "extract")
        reason = getattr(exception, "reason", None) or str(exception)
        self._fail(item.source, item.url or item.fetched_url, stage, reason, item.fetched_at)

    def item_error(self, item: Any, response: Response | None, failure: Any) -> None:
        """A stage raised an unexpected error: the page becomes a failure, the run goes on."""
        if not isinstance(item, ArticleItem):
            return
        done = item.stages[-1] if item.stages else "no"
        # The contract's stages: an error before the store stage is an extract-side failure.
        stage = "store" if done in ("fingerprint", "store") else "extract"
        error = failure.value
        self.crawler.stats.inc_value("news/errors")
        self._fail(item.source, item.url or item.fetched_url, stage,
                   f"an internal error stopped this page after the {done} stage "
                   f"({type(error).__name__}: {error})", item.fetched_at)
