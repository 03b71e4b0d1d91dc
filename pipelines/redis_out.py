"""Redis-out stage: on a worker, finished records go to Redis instead of SQLite.

When several machines crawl (``REDIS_URL`` set, see crawler/distributed.py),
SQLite keeps a single writer: each worker pushes the ``articles`` row of every
item (:func:`pipelines.store.article_row`, as JSON) and every failure onto one
Redis list, and ``news-ingest store`` (crawler/writer.py) drains that list into
the database. The stage sits just before the store, which is disabled on
workers.

It *is* a :class:`~pipelines.store.StorePipeline` with another destination: the
same signals (``page_failed``, ``item_dropped``, ``item_error``) become the same
failure records, so a worker reports exactly what a single machine would store.

Reads settings ``REDIS_URL`` and ``NEWS_REDIS_PREFIX``. ``redis`` is imported
only when a connection is made, so single-machine installs need not have it.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.items import ArticleItem, PageFailure
from pipelines.store import StorePipeline, article_row

if TYPE_CHECKING:
    from redis import Redis
    from scrapy.crawler import Crawler


def connect(url: str) -> Redis:
    """A Redis client for ``url`` that returns ``str`` (every value news-ingest stores is text)."""
    import redis  # lazy: only workers and the writer need the optional extra

    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=30,
                                socket_connect_timeout=10, retry_on_timeout=True)


def records_key(prefix: str) -> str:
    """The Redis list the workers push records onto and the writer drains."""
    return f"{prefix}:records"


def worker_id(spider: str) -> str:
    """Names one worker process in records and run rows: host, process, spider."""
    return f"{socket.gethostname()}:{os.getpid()}:{spider}"


def article_message(item: ArticleItem, worker: str) -> dict[str, Any]:
    """The record of one article: its row plus what the writer's boilerplate step needs."""
    return {"kind": "article", "worker": worker, "row": article_row(item),
            # hand-written rules of the site config: the writer applies them with the learnt blocks
            "boilerplate_rules": list(item.site_config.get("boilerplate", []))}


def failure_message(failure: PageFailure, worker: str) -> dict[str, Any]:
    """The record of one page that gave no article."""
    return {"kind": "failure", "worker": worker, "failure": asdict(failure)}


class RedisOutPipeline(StorePipeline):
    """Scrapy adapter: pushes article rows and failures to Redis for the one writer."""

    def __init__(self, crawler: Crawler, url: str, prefix: str) -> None:
        super().__init__(crawler, path="")  # connects the failure signals; no database here
        self.url = url
        self.key = records_key(prefix)
        self.server: Redis | None = None
        self.worker = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisOutPipeline:
        url = crawler.settings.get("REDIS_URL")
        if not url:
            raise NotConfigured("REDIS_URL is not set")
        return cls(crawler, url, crawler.settings.get("NEWS_REDIS_PREFIX", "news"))

    def open_spider(self) -> None:
        self.server = connect(self.url)
        self.worker = worker_id(self._spider_name())

    def close_spider(self) -> None:
        if self.server is not None:
            self.server.close()

    def _push(self, message: dict[str, Any]) -> None:
        assert self.server is not None
        self.server.rpush(self.key, json.dumps(message, ensure_ascii=False))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        self._push(article_message(item, self.worker))
        self.crawler.stats.inc_value("news/redis_out/articles")
        item.stages.append("redis_out")
        return item

    def _fail(self, source: str, url: str, stage: str, reason: str, at: str) -> None:
        failure = PageFailure(source=source, url=url, stage=stage, reason=reason, at=at,
                              spider=self._spider_name())
        self._push(failure_message(failure, self.worker))
        self.crawler.stats.inc_value("news/failures")
        self.crawler.stats.inc_value(f"news/failures/{stage}")
        self.crawler.stats.inc_value("news/redis_out/failures")
