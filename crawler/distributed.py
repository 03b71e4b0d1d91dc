"""Scale-out: many worker processes share one frontier on scrapy-redis; one writer owns SQLite.

Setting ``REDIS_URL`` turns any spider run into a *worker*. :class:`RedisWorkerAddon`
(enabled in ``ADDONS`` always, a no-op without ``REDIS_URL``) is the one place
that says what changes, so ``-s REDIS_URL=...`` on a command line works as well
as the environment variable:

- scrapy-redis's scheduler and duplicate filter: the request queue and the
  fingerprints live in Redis, so N workers on any number of machines share one
  frontier and each page is fetched once across all of them. Only these two
  parts of scrapy-redis are used: its spider mixin still relies on
  ``start_requests`` (removed in Scrapy 2.16), our spiders keep ``async def start()``.
- ``SCHEDULER_PERSIST``: the first worker to go idle must not flush the queue
  and fingerprints the others still use. The duplicate filter is per run
  instead: live workers keep its TTL fresh (``NEWS_REDIS_DUPEFILTER_TTL``), the
  last worker to close deletes it, and after a crash it expires by itself.
- the store and the boilerplate stage (both need the database) are replaced by
  :class:`pipelines.redis_out.RedisOutPipeline`; ``crawl_runs`` rows come from
  :class:`RedisWorker` through the writer.

Also here: :class:`RedisValidators` (what the writer knows about stored pages,
for conditional GETs), the shared replay queue, and :func:`run_worker` behind
``news-ingest worker``.

Reads settings ``REDIS_URL``, ``NEWS_REDIS_IDLE_CLOSE_SECONDS``,
``NEWS_REDIS_DUPEFILTER_TTL`` and ``NEWS_REDIS_PREFIX``. Nothing imports redis
unless ``REDIS_URL`` is set.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.misc import load_object

from crawler.extensions import NOT_ARGS, summarise
from crawler.runner import EXIT_FAILED, EXIT_OK, RunResult, project_settings
from pipelines.redis_out import connect, records_key, worker_id

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from crawler.manifest import Manifest

logger = logging.getLogger(__name__)

#: item pipelines swapped on a worker: None disables (they need the database)
WORKER_PIPELINES: dict[str, int | None] = {
    "pipelines.boilerplate.BoilerplatePipeline": None,  # the writer applies it (crawler/writer.py)
    "pipelines.redis_out.RedisOutPipeline": 890,
    "pipelines.store.StorePipeline": None,
}
WORKER_EXTENSIONS: dict[str, int | None] = {
    "crawler.extensions.CrawlRecorder": None,  # the writer records the run from RedisWorker's report
    "crawler.distributed.RedisWorker": 500,
}
#: how often a live worker tells Redis it is alive (seconds)
HEARTBEAT_SECONDS = 10.0


def validators_key(prefix: str) -> str:
    """Redis hash the writer publishes: page URL -> JSON ``[etag, last_modified]``."""
    return f"{prefix}:validators"


def replay_key(prefix: str) -> str:
    """Redis list of saved files waiting to be replayed by any worker."""
    return f"{prefix}:replay:paths"


def workers_key(prefix: str, spider: str | None = None) -> str:
    """Sorted set of the live workers (of one spider, or all), scored by their last heartbeat."""
    return f"{prefix}:{spider}:workers" if spider else f"{prefix}:workers"


def live_workers(server: Redis, key: str) -> int:
    """How many workers in ``key`` have sent a heartbeat lately (a crashed one stops counting)."""
    return int(server.zcount(key, time.time() - 3 * HEARTBEAT_SECONDS, "+inf"))


def scheduler_keys(prefix: str) -> dict[str, str]:
    """scrapy-redis key templates (``%(spider)s`` is filled in by scrapy-redis)."""
    return {"SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter"}


class RedisWorkerAddon:
    """Scrapy add-on: with ``REDIS_URL`` set, makes this run a worker of a shared crawl.

    An add-on rather than conditionals in settings.py: it sees the final settings
    (``-s REDIS_URL=...`` included), and the whole switch is this one class.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisWorkerAddon:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured  # no message: a single-machine run, nothing to say
        return cls()

    def update_settings(self, settings: BaseSettings) -> None:
        prefix = settings.get("NEWS_REDIS_PREFIX", "news")
        settings.set("SCHEDULER", "scrapy_redis.scheduler.Scheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("SCHEDULER_PERSIST", True, "addon")
        for name, value in scheduler_keys(prefix).items():
            settings.set(name, value, "addon")
        for name, components in (("ITEM_PIPELINES", WORKER_PIPELINES),
                                 ("EXTENSIONS", WORKER_EXTENSIONS)):
            for path, priority in components.items():
                settings.set_in_component_priority_dict(name, load_object(path), priority)


class RedisWorker:
    """Extension: idle close, liveness, the per-run duplicate filter, and the run's report.

    scrapy-redis's scheduler reports "no pending requests" whenever the shared
    queue is empty for a moment, while another worker may be about to add links;
    and its spider mixin waits forever. This closes a worker once it has had
    nothing to do for ``NEWS_REDIS_IDLE_CLOSE_SECONDS``.
    """

    def __init__(self, crawler: Crawler, url: str, prefix: str, idle_close: float, ttl: int) -> None:
        self.crawler = crawler
        self.url = url
        self.prefix = prefix
        self.idle_close = idle_close
        self.ttl = ttl
        self.server: Redis | None = None
        self.worker = ""
        self.started_at = ""
        self.last_activity = time.monotonic()
        self.heartbeat: Any = None
        for handler, signal in ((self.spider_opened, signals.spider_opened),
                                (self.spider_idle, signals.spider_idle),
                                (self.spider_closed, signals.spider_closed),
                                (self.active, signals.response_received),
                                (self.active, signals.item_scraped),
                                (self.active, signals.item_dropped),
                                (self.active, signals.item_error)):
            crawler.signals.connect(handler, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisWorker:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("REDIS_URL is not set")
        return cls(crawler, settings["REDIS_URL"], settings.get("NEWS_REDIS_PREFIX", "news"),
                   settings.getfloat("NEWS_REDIS_IDLE_CLOSE_SECONDS", 30.0),
                   settings.getint("NEWS_REDIS_DUPEFILTER_TTL", 600))

    def _dupefilter_key(self, spider: Spider) -> str:
        return scheduler_keys(self.prefix)["SCHEDULER_DUPEFILTER_KEY"] % {"spider": spider.name}

    def _queue_key(self, spider: Spider) -> str:
        return scheduler_keys(self.prefix)["SCHEDULER_QUEUE_KEY"] % {"spider": spider.name}

    def active(self, *args: Any, **kwargs: Any) -> None:
        """Something happened: the idle clock starts again."""
        self.last_activity = time.monotonic()

    def spider_opened(self, spider: Spider) -> None:
        from twisted.internet.task import LoopingCall

        self.server = connect(self.url)
        self.worker = worker_id(spider.name)
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.last_activity = time.monotonic()
        self.heartbeat = LoopingCall(self._beat, spider)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=True)

    def _beat(self, spider: Spider) -> None:
        """I am alive; and while anyone is, the run's fingerprints do not expire."""
        assert self.server is not None
        with self.server.pipeline() as pipe:
            for workers in (workers_key(self.prefix, spider.name), workers_key(self.prefix)):
                pipe.zadd(workers, {self.worker: time.time()})
                pipe.expire(workers, self.ttl)
            pipe.expire(self._dupefilter_key(spider), self.ttl)
            pipe.execute()

    def spider_idle(self, spider: Spider) -> None:
        idle = time.monotonic() - self.last_activity
        if idle < self.idle_close:
            # the engine asks again every few seconds and meanwhile polls the shared queue
            raise DontCloseSpider
        logger.info("worker %s idle for %.0f s: closing", self.worker, idle)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.server is None:
            return
        # the report first: the writer keeps waiting while a worker is alive, so it cannot miss it
        self._report(spider, reason)
        self._leave(spider)
        self.server.close()

    def _leave(self, spider: Spider) -> None:
        """The last live worker of a finished run clears the run's fingerprints."""
        assert self.server is not None
        workers = workers_key(self.prefix, spider.name)
        self.server.zrem(workers, self.worker)
        self.server.zrem(workers_key(self.prefix), self.worker)
        others = live_workers(self.server, workers)
        # a non-empty queue (shutdown, crash) is a run to resume: keep its fingerprints
        if not others and not self.server.exists(self._queue_key(spider)):
            self.server.delete(self._dupefilter_key(spider))

    def _report(self, spider: Spider, reason: str) -> None:
        """The run's `crawl_runs` row, for the writer (which adds the store outcomes)."""
        assert self.server is not None
        stats = self.crawler.stats.get_stats()
        args = {k: v for k, v in vars(spider).items()
                if k not in NOT_ARGS and not k.startswith("_") and isinstance(v, (str, int, float))}
        run = {"spider": spider.name, "args": {**args, "worker": self.worker},
               "started_at": self.started_at,
               "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
               "finish_reason": reason, **summarise(stats),
               "stats": {k: v for k, v in stats.items() if isinstance(v, (int, float, str))}}
        self.server.rpush(records_key(self.prefix),
                          json.dumps({"kind": "run", "worker": self.worker, "run": run}, default=str))


class RedisValidators:
    """What the writer knows about stored pages, read from Redis on any worker.

    ``lookup(url)`` gives ``(etag, last_modified)`` for a stored page (either may
    be None) and None for a page never stored: the interface a conditional-GET or
    seen-URL middleware needs, without a database on the worker.
    """

    def __init__(self, server: Redis, key: str) -> None:
        self.server = server
        self.key = key

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RedisValidators | None:
        """The validators of this run's Redis, or None on a single machine (read the database)."""
        url = settings.get("REDIS_URL")
        if not url:
            return None
        return cls(connect(url), validators_key(settings.get("NEWS_REDIS_PREFIX", "news")))

    def lookup(self, url: str) -> tuple[str | None, str | None] | None:
        value = self.server.hget(self.key, url)
        if value is None:
            return None
        etag, last_modified = json.loads(value)
        return etag, last_modified


def enqueue_pages(server: Redis, prefix: str, pages: Iterable[tuple[Path, str]],
                  manifest: Manifest | None = None) -> int:
    """Push saved files for replay workers: absolute path, source as given, manifest entry."""
    count = 0
    batch: list[str] = []
    for path, source in pages:
        entry = manifest.get(path.resolve()) if manifest is not None else None
        batch.append(json.dumps({"path": str(path.resolve()), "source": source, "manifest": entry}))
        if len(batch) >= 1000:
            server.rpush(replay_key(prefix), *batch)
            count += len(batch)
            batch = []
    if batch:
        server.rpush(replay_key(prefix), *batch)
        count += len(batch)
    return count


async def queued_pages(crawler: Crawler) -> AsyncIterator[tuple[Path, str, dict[str, Any] | None]]:
    """Pop saved files from the shared replay queue until it stays empty for the idle time.

    Workers may start before the enqueuing process has pushed anything, so an
    empty queue is waited on (without blocking the reactor), not taken as the end.
    """
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    settings = crawler.settings
    server = connect(settings["REDIS_URL"])
    key = replay_key(settings.get("NEWS_REDIS_PREFIX", "news"))
    idle_close = settings.getfloat("NEWS_REDIS_IDLE_CLOSE_SECONDS", 30.0)
    last = time.monotonic()
    try:
        while True:
            raw = server.lpop(key)
            if raw is None:
                if time.monotonic() - last >= idle_close:
                    return
                await maybe_deferred_to_future(deferLater(reactor, 0.5, lambda: None))
                continue
            last = time.monotonic()
            message = json.loads(raw)
            yield Path(message["path"]), message["source"], message.get("manifest")
    finally:
        server.close()


def run_worker(spider: str, args: dict[str, str], overrides: dict[str, Any]) -> RunResult:
    """Run one worker to its idle close, in this process: no database, no lock."""
    from scrapy.crawler import CrawlerProcess

    settings = project_settings(overrides)
    if not settings.get("REDIS_URL"):
        raise ValueError("a worker needs REDIS_URL (--redis URL)")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    crawler.spidercls(**args)  # arguments checked now: a typo is a usage error, not a traceback
    process.crawl(crawler, **args)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return RunResult(spider=spider, finish_reason=str(stats.get("finish_reason", "unknown")),
                     counts=summarise(stats), run_id=None, db_path="", stats=stats)


def worker_exit_status(result: RunResult) -> int:
    """As ``news-ingest crawl``: 1 when the run closed for an error, logged errors, or
    saw pages but handed the writer no article; else 0."""
    if result.finish_reason != "finished" or result.counts["errors"]:
        return EXIT_FAILED
    if result.counts["pages_seen"] and not result.stats.get("news/redis_out/articles", 0):
        return EXIT_FAILED
    return EXIT_OK
