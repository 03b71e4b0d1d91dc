"""The one writer of a distributed crawl: records from Redis into SQLite (``news-ingest store``).

Workers (crawler/distributed.py) push article rows, failures and run reports
onto one Redis list; this drains it in batches through :class:`pipelines.store.Store`,
so SQLite keeps its single writer and only this process needs the database file.

- **At-least-once, in order.** A batch is read with ``LRANGE``, written in one
  transaction, and only then removed with ``LTRIM`` (safe: there is one reader,
  and workers only append). A crash in between re-applies the batch on the next
  start, which the upserts make harmless.
- **Boilerplate is learnt here.** The boilerplate stage reads and writes the
  database, so workers skip it and the writer runs the same pure functions
  (pipelines/boilerplate.py) on each row before storing it, in arrival order.
- **The writer is the source of truth for "seen".** After each batch it
  publishes every stored page's ``[etag, last_modified]`` to a Redis hash
  (:class:`crawler.distributed.RedisValidators` reads it on workers); at start
  it publishes the whole table.

Reads settings ``NEWS_REDIS_PREFIX``, ``NEWS_BOILERPLATE_ENABLED`` and
``NEWS_BOILERPLATE_MIN_ARTICLES`` (through the caller).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.distributed import live_workers, validators_key, workers_key
from crawler.items import PageFailure
from pipelines.boilerplate import clean_stored, edge_blocks, remove_blocks
from pipelines.dedup import content_hash
from pipelines.extract import EXTRACTOR_VERSION
from pipelines.redis_out import records_key
from pipelines.store import NEWS_INGEST_VERSION, Store, record_hash

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger(__name__)

#: how long an empty queue is slept on before the next look (seconds)
POLL_SECONDS = 0.2
#: validators published per Redis round trip when the whole table is synced
PUBLISH_CHUNK = 1000


@dataclass
class WriterCounts:
    """What a writer did: store outcomes, failures, run rows, bad records."""

    outcomes: Counter[str] = field(default_factory=Counter)
    failures: int = 0
    runs: int = 0
    bad: int = 0
    batches: int = 0

    @property
    def articles(self) -> int:
        return sum(self.outcomes.values())


def validator_entries(rows: Iterable[dict[str, Any]]) -> dict[str, str]:
    """URL -> JSON ``[etag, last_modified]`` for stored rows, under the canonical and the fetched URL."""
    entries = {}
    for row in rows:
        value = json.dumps([row.get("etag"), row.get("last_modified")])
        for url in (row.get("url"), row.get("fetched_url")):
            if url:
                entries[url] = value
    return entries


class Writer:
    """Drains the records list of one Redis into one database."""

    def __init__(self, server: Redis, store: Store, prefix: str = "news", batch: int = 100,
                 boilerplate_min_articles: int | None = 3) -> None:
        self.server = server
        self.store = store
        self.key = records_key(prefix)
        self.bad_key = f"{self.key}:bad"
        self.validators = validators_key(prefix)
        self.workers = workers_key(prefix)
        self.batch = batch
        #: None: boilerplate learning is off (NEWS_BOILERPLATE_ENABLED=0)
        self.boilerplate_min_articles = boilerplate_min_articles
        self.counts = WriterCounts()
        #: store outcomes per worker, for its run row (its records all come before its report)
        self.per_worker: dict[str, Counter[str]] = defaultdict(Counter)

    def publish_all(self) -> int:
        """Publish the validators of every stored article (the start of a run)."""
        rows = list(self.store.db.query("select url, fetched_url, etag, last_modified from articles"))
        entries = validator_entries(rows)
        items = list(entries.items())
        for start in range(0, len(items), PUBLISH_CHUNK):
            self.server.hset(self.validators, mapping=dict(items[start:start + PUBLISH_CHUNK]))
        return len(rows)

    def drain(self, idle_timeout: float | None, sleep: Callable[[float], None] = time.sleep) -> WriterCounts:
        """Write batches until the list has stayed empty for ``idle_timeout`` seconds (None: forever)
        and no worker is alive (a live worker may still be fetching a slow page)."""
        last = time.monotonic()
        while True:
            if self.write_batch():
                last = time.monotonic()
                continue
            if (idle_timeout is not None and time.monotonic() - last >= idle_timeout
                    and not live_workers(self.server, self.workers)):
                return self.counts
            sleep(POLL_SECONDS)

    def write_batch(self) -> int:
        """Store the next batch of records in one transaction; return how many were taken."""
        raw = self.server.lrange(self.key, 0, self.batch - 1)
        if not raw:
            return 0
        stored: list[dict[str, Any]] = []
        with self.store.db.atomic():
            for text in raw:
                row = self._apply(text)
                if row is not None:
                    stored.append(row)
        # committed: now the records may leave the queue, and workers may see what is stored
        self.server.ltrim(self.key, len(raw), -1)
        entries = validator_entries(stored)
        if entries:
            self.server.hset(self.validators, mapping=entries)
        self.counts.batches += 1
        return len(raw)

    def _apply(self, text: str) -> dict[str, Any] | None:
        """One record into the database; return the stored article row, if it was one."""
        try:
            message = json.loads(text)
            kind = message["kind"]
            worker = message.get("worker", "")
            if kind == "article":
                row = self.with_boilerplate(message["row"], message.get("boilerplate_rules", []))
                outcome = self.store.save_article(row)
                self.counts.outcomes[outcome] += 1
                self.per_worker[worker][outcome] += 1
                return row
            if kind == "failure":
                self.store.save_failure(PageFailure(**message["failure"]))
                self.counts.failures += 1
            elif kind == "run":
                self.save_run(worker, message["run"])
            else:
                raise ValueError(f"unknown record kind {kind!r}")
        except (ValueError, KeyError, TypeError) as exc:
            # A record this version cannot read is kept aside, not lost and not retried forever.
            logger.error("bad record set aside in %s: %s", self.bad_key, exc)
            self.server.rpush(self.bad_key, text)
            self.counts.bad += 1
        return None

    def with_boilerplate(self, row: dict[str, Any], rules: list[str]) -> dict[str, Any]:
        """The boilerplate stage on a worker's row: learn its edge blocks, remove the known ones."""
        if self.boilerplate_min_articles is None:
            return row
        text = row.get("text") or ""
        site = row.get("site")
        keys: set[str] = set()
        if site:
            blocks = edge_blocks(text)
            crossed = self.store.learn_blocks(site, blocks, (row["url"], content_hash(text)),
                                              self.boilerplate_min_articles, row["fetched_at"])
            if crossed:
                clean_stored(self.store, site, set(crossed))
            keys = self.store.boilerplate_blocks(site, self.boilerplate_min_articles) & set(blocks)
        compiled = [re.compile(rule, re.IGNORECASE) for rule in rules]
        cleaned, _removed = remove_blocks(text, keys, compiled)
        stages = json.loads(row.get("stages") or "[]")
        # where the stage runs on a single machine: before the fingerprint
        at = stages.index("fingerprint") if "fingerprint" in stages else len(stages)
        stages.insert(at, "boilerplate")
        row = {**row, "text": cleaned, "word_count": len(cleaned.split()),
               "content_hash": content_hash(cleaned), "stages": json.dumps(stages)}
        row["record_hash"] = record_hash(row)
        return row

    def save_run(self, worker: str, run: dict[str, Any]) -> None:
        """A worker's run report -> one `crawl_runs` row, with the store outcomes counted here."""
        outcomes = self.per_worker.pop(worker, Counter())
        self.store.db.table("crawl_runs").insert({
            "spider": run["spider"], "args": json.dumps(run.get("args", {})),
            "started_at": run["started_at"], "finished_at": run["finished_at"],
            "finish_reason": run["finish_reason"], "pages_seen": run.get("pages_seen", 0),
            "inserted": outcomes["inserted"], "updated": outcomes["updated"],
            "unchanged": outcomes["unchanged"], "failures": run.get("failures", 0),
            "dropped": run.get("dropped", 0), "errors": run.get("errors", 0),
            "news_ingest_version": NEWS_INGEST_VERSION, "extractor": EXTRACTOR_VERSION,
            "stats": json.dumps(run.get("stats", {})),
        }, alter=False)
        self.counts.runs += 1
