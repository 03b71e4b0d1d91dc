"""Offline replay: saved pages -> the same item pipelines as a live crawl, no network at all."""

from __future__ import annotations

import asyncio
import glob
from collections.abc import AsyncIterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import call_later, create_looping_call

from crawler import archive, fixtures, sites
from crawler.fixtures import PageError
from crawler.items import ArticleItem
from crawler.manifest import load_manifest
from crawler.spiders.base import ArticleSpider
from pipelines.pool import PREFETCH, slots_per_worker

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: while a run closes, look this often whether the item pipelines are empty (scrapy#7029)
CLOSE_RECHECK_SECONDS = 0.2
#: seconds after the last item is done before the look whether the run can close
LAST_ITEM_RECHECK_SECONDS = 0.005


class ReplaySpider(ArticleSpider):
    """Replay saved HTML into the database.

    Arguments:
        path: a file, a folder (searched recursively) or a glob of ``.html``,
            ``.htm`` or ``.html.gz`` files, or ``.warc`` / ``.warc.gz`` archives of
            live crawls (the newest HTML response per URL becomes an item with its
            WARC-Target-URI, WARC-Date as fetched_at and its HTTP headers).
        manifest: optional JSONL file whose lines carry ``file`` and ``url``
            (optionally ``fetched_at``): the pages' original addresses.
        site, since: WARC records only: keep one site's URLs (a domain) /
            records fetched since an ISO 8601 date.
        queue: ``1`` to take the files from the shared Redis queue instead of
            ``path`` (needs ``REDIS_URL``; ``news-ingest enqueue`` fills it), so
            N workers split one archive.

    Example::

        scrapy crawl replay -a path=fixtures/pages -s SQLITE_PATH=data/articles.db
        scrapy crawl replay -a queue=1 -s REDIS_URL=redis://127.0.0.1:6379/0
    """

    name = "replay"
    custom_settings = {
        "ROBOTSTXT_OBEY": False,
        "NEWS_WARC_ENABLED": False,
        # A replay downloads nothing: without the network download handlers and the retry
        # middleware (which imports HTTP's for its exception list) each run is spared their
        # imports, HTTP's TLS context factory alone ~0.13 s of CPU at start.
        "DOWNLOAD_HANDLERS": {"http": None, "https": None, "ftp": None, "s3": None},
        "RETRY_ENABLED": False,
    }

    def __init__(self, path: str | None = None, manifest: str | None = None, site: str | None = None,
                 since: str | None = None, queue: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = site
        self.since = fixtures.iso_utc(since) if since else None
        self.queue = queue not in ("", "0")
        if not path and not self.queue:
            raise ValueError("replay needs -a path=FILE|FOLDER|GLOB (or -a queue=1 with REDIS_URL)")
        if path and not Path(path).exists() and not glob.glob(path, recursive=True):
            raise ValueError(f"replay: no file, folder or glob match for {path!r}")
        self.path = path
        # Read the manifest now so a bad one fails before the first page.
        self.manifest = load_manifest(manifest) if manifest else None
        # Items yielded by start() bypass Scrapy's backpressure (it only counts responses):
        # start() waits while CONCURRENT_ITEMS of its items (or what the extraction workers
        # can hold, if more) are in the pipelines.
        self.in_flight = 0
        self._room: asyncio.Event | None = None
        self._all_started = False  # start() has yielded its last item

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.queue and not crawler.settings.get("REDIS_URL"):
            raise ValueError("replay -a queue=1 needs REDIS_URL: the queue is in Redis")
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._item_done, signal=signal)
        crawler.signals.connect(spider._watch_closing, signal=signals.spider_opened)
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        return spider

    def _item_done(self, item: Any) -> None:
        if isinstance(item, ArticleItem) and self.in_flight > 0:
            self.in_flight -= 1
            if self._room is not None:
                self._room.set()
            if self._all_started and not self.in_flight:
                # The last page is done: look as soon as the scraper has let go of it (it
                # still holds it while this signal runs), not at the next periodic look, up
                # to CLOSE_RECHECK_SECONDS later.
                call_later(LAST_ITEM_RECHECK_SECONDS, self._close_if_idle)

    @cached_property
    def _in_flight_limit(self) -> int:
        settings = self.crawler.settings
        # Enough to keep every extraction worker's slots full, with one more page waiting per
        # worker: CONCURRENT_ITEMS alone (4) would leave all but 4 workers idle on a bigger machine.
        workers = settings.getint("NEWS_EXTRACT_WORKERS", 0)
        pooled = workers * (slots_per_worker(settings.getint("NEWS_EXTRACT_PREFETCH", PREFETCH)) + 1)
        return max(1, settings.getint("CONCURRENT_ITEMS", 100), pooled)

    async def _wait_for_room(self) -> None:
        if self._room is None:
            self._room = asyncio.Event()
        while self.in_flight >= self._in_flight_limit:
            self._room.clear()
            await self._room.wait()

    # Work around scrapy#7029 (seen in 2.19): a graceful stop (SIGTERM, SIGINT) of a spider
    # that yields items from start() can hang for ever. Closing waits until no item is in
    # the pipelines, but nothing looks again once the last in-flight start() item is done.
    # A cheap periodic look lets the close go on as soon as the pipelines are empty.
    def _watch_closing(self, spider: Any = None) -> None:
        # Created here, not in from_crawler: the reactor is only sure to run once the spider opens.
        self._close_watch = create_looping_call(self._close_if_idle)
        self._close_watch.start(CLOSE_RECHECK_SECONDS, now=False)

    def _on_closed(self, spider: Any = None, reason: str = "") -> None:
        watch = getattr(self, "_close_watch", None)
        if watch is not None and watch.running:
            watch.stop()
        # The manifest's temporary database goes with the run, not whenever the spider is
        # collected (an in-process CrawlerProcess running several crawls keeps spiders alive).
        if self.manifest is not None:
            self.manifest.close()

    def _close_if_idle(self) -> None:
        # The same periodic look also ends a run that finished normally: Scrapy looks whether
        # the spider is idle after each response, but items from start() come with none, so
        # once the last one was stored the run waited for the engine's 5-second heartbeat
        # (measured: a 3 s idle tail on a 26 s replay of 657 pages). The nudge schedules the
        # engine's own check (what the heartbeat runs) now.
        engine = self.crawler.engine
        scraper = engine.scraper if engine else None
        slot = getattr(scraper, "slot", None)
        if scraper is not None and slot is not None and slot.closing is not None \
                and not slot.closing.called and slot.is_idle():
            scraper._check_if_closing()
        engine_slot = getattr(engine, "_slot", None)
        if engine is not None and engine_slot is not None and engine_slot.closing is None \
                and engine.spider_is_idle():
            engine_slot.nextcall.schedule()

    async def _pages(self) -> AsyncIterator[tuple[Path, str, dict[str, Any] | None]]:
        """The files to replay: found under ``path``, or popped from the shared Redis queue
        (with the enqueuer's manifest line, if it had one)."""
        if not self.queue:
            for path, source in fixtures.find_pages(self.path):
                yield path, source, None
            return
        from crawler.distributed import queued_pages  # imports redis: workers only

        async for page in queued_pages(self.crawler):
            yield page

    async def start(self) -> AsyncIterator[ArticleItem]:  # type: ignore[override]
        warcs = []
        async for path, source, entry in self._pages():
            if archive.is_warc_file(path):
                warcs.append(path)
                continue
            self.crawler.stats.inc_value("news/replay/pages")
            try:
                item = self.replay_one(path, source, entry)
            except Exception as exc:  # a bug on one page must not end the whole run
                self.logger.exception("replay of %s failed", source)
                self.record_failure(
                    source=source, url=path.resolve().as_uri(), stage="decode",
                    reason=f"an internal error stopped this page ({type(exc).__name__}: {exc})",
                )
                continue
            if item is not None:
                await self._wait_for_room()
                self.in_flight += 1
                yield item
        known_sites = sites.load_sites(self.settings.get("NEWS_SITES_FILE")) if warcs else {}
        for page in archive.latest_pages(warcs, self.site, self.since):
            self.crawler.stats.inc_value("news/replay/pages")
            # The fetched URL is the source, as in the live crawl, so a reprocess matches its rows.
            # No name for the response: it caches its decoded text, which the frame would keep
            # alive while it waits for room, after the extract stage has let go of the item's copy.
            item = self.article_item(fixtures.to_response(page.body, page.url, page.headers),
                                     source=page.url, fetched_at=page.fetched_at, hints=page.hints,
                                     site_config=sites.site_for_url(known_sites, page.url))
            if item is None:  # recorded as a failure
                continue
            await self._wait_for_room()
            self.in_flight += 1
            yield item
        self._all_started = True

    def replay_one(self, path: Path, source: str, entry: dict[str, Any] | None = None) -> ArticleItem | None:
        """One saved file (and its manifest line, if queued with one) -> an item, or None after
        recording why not."""
        resolved = path.resolve()
        url = resolved.as_uri()
        if entry is None and self.manifest is not None:
            entry = self.manifest.get(resolved)
        try:
            page = fixtures.describe(path, source, entry)
            url = page.url or url
            # Saved pages obey the size limit live downloads obey.
            body = fixtures.read_body(path, self.settings.getint("DOWNLOAD_MAXSIZE"))
            fixtures.check_markup(body)
            response = fixtures.to_response(body, url, page.headers)
            fetched_at = fixtures.iso_utc(page.fetched_at) if page.fetched_at else \
                fixtures.file_fetched_at(path)
        except PageError as exc:
            self.record_failure(source=source, url=url, stage=exc.stage, reason=exc.reason)
            return None
        except ValueError as exc:
            self.record_failure(source=source, url=url, stage="decode",
                                reason=f"the page's metadata is invalid ({exc})")
            return None
        return self.article_item(response, source=source, fetched_at=fetched_at)
