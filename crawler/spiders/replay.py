"""Offline replay: saved pages -> the same item pipelines as a live crawl, no network at all."""

from __future__ import annotations

import glob
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler import fixtures
from crawler.fixtures import PageError
from crawler.items import ArticleItem
from crawler.spiders.base import ArticleSpider

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ReplaySpider(ArticleSpider):
    """Replay saved HTML into the database.

    Arguments:
        path: a file, a folder (searched recursively) or a glob of ``.html``,
            ``.htm`` or ``.html.gz`` files.
        manifest: optional JSONL file whose lines carry ``file`` and ``url``
            (optionally ``fetched_at``): the pages' original addresses.
        queue: ``1`` to take the files from the shared Redis queue instead of
            ``path`` (needs ``REDIS_URL``; ``news-ingest enqueue`` fills it), so
            N workers split one archive.

    Example::

        scrapy crawl replay -a path=fixtures/pages -s SQLITE_PATH=data/articles.db
        scrapy crawl replay -a queue=1 -s REDIS_URL=redis://127.0.0.1:6379/0
    """

    name = "replay"
    custom_settings = {"ROBOTSTXT_OBEY": False}

    def __init__(self, path: str | None = None, manifest: str | None = None, queue: str = "",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queue = queue not in ("", "0")
        if not path and not self.queue:
            raise ValueError("replay needs -a path=FILE|FOLDER|GLOB (or -a queue=1 with REDIS_URL)")
        if path and not Path(path).exists() and not glob.glob(path, recursive=True):
            raise ValueError(f"replay: no file, folder or glob match for {path!r}")
        self.path = path
        # Read the manifest now so a bad one fails before the first page.
        self.manifest = fixtures.load_manifest(manifest) if manifest else {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReplaySpider:
        spider: ReplaySpider = super().from_crawler(crawler, *args, **kwargs)
        if spider.queue and not crawler.settings.get("REDIS_URL"):
            raise ValueError("replay -a queue=1 needs REDIS_URL: the queue is in Redis")
        return spider

    async def _pages(self) -> AsyncIterator[tuple[Path, str]]:
        """The files to replay: found under ``path``, or popped from the shared Redis queue."""
        if not self.queue:
            for page in fixtures.find_pages(self.path):
                yield page
            return
        from crawler.distributed import queued_pages  # imports redis: workers only

        async for path, source, entry in queued_pages(self.crawler):
            if entry:  # the enqueuer's manifest line travels with the file
                self.manifest[path.resolve()] = entry
            yield path, source

    async def start(self) -> AsyncIterator[ArticleItem]:  # type: ignore[override]
        async for path, source in self._pages():
            self.crawler.stats.inc_value("news/replay/pages")
            try:
                item = self.replay_one(path, source)
            except Exception as exc:  # a bug on one page must not end the whole run
                self.logger.exception("replay of %s failed", source)
                self.record_failure(source=source, url=path.resolve().as_uri(), stage="decode",
                                    reason=f"an internal error stopped this page ({type(exc).__name__}: {exc})")
                continue
            if item is not None:
                yield item

    def replay_one(self, path: Path, source: str) -> ArticleItem | None:
        """One saved file -> an item, or None after recording why not."""
        page = fixtures.describe(path, source, self.manifest)
        url = page.url or path.resolve().as_uri()
        try:
            body = fixtures.read_body(path)
            fixtures.check_markup(body)
            response = fixtures.to_response(body, url, page.headers)
            text = fixtures.decoded_text(response)
            fetched_at = fixtures.iso_utc(page.fetched_at) if page.fetched_at else \
                fixtures.file_fetched_at(path)
        except PageError as exc:
            self.record_failure(source=source, url=url, stage=exc.stage, reason=exc.reason)
            return None
        except ValueError as exc:
            self.record_failure(source=source, url=url, stage="decode",
                                reason=f"the page's metadata is invalid ({exc})")
            return None
        return self.article_item(response, text=text, source=source, fetched_at=fetched_at)
