"""Scrapy settings for news-ingest: the ONLY place environment variables are read.

Every project setting is prefixed ``NEWS_``; each can be overridden with
``-s NAME=VALUE`` on the command line or by the environment variable of the
same name.
"""

from __future__ import annotations

import os

from scrapy.settings import default_settings as _scrapy_defaults

from pipelines.pool import usable_cores

BOT_NAME = "news-ingest"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- where records go -----------------------------------------------------------
SQLITE_PATH = os.environ.get("SQLITE_PATH", "data/articles.db")

# --- politeness (live crawls) ----------------------------------------------------
NEWS_CONTACT = os.environ.get("NEWS_CONTACT", "https://github.com/news-ingest/news-ingest")
USER_AGENT = f"news-ingest/0.1 (+{NEWS_CONTACT})"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
#: Scrapy >= 2.19 starts an HTTP server that runs any Python code sent to it (for its MCP tools) in
#: every crawl unless told not to: a cron crawler needs no such door
REMOTE_CONTROL_ENABLED = False

# --- item pipelines: the one place their order is declared ------------------------
#: with extraction workers (NEWS_EXTRACT_WORKERS > 0) the pure stages listed right after extract
#: (captions to taxonomy: pipelines/stage.py) run in the workers, in this order; the rest here
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.captions.CaptionsPipeline": 200,
    "pipelines.leadlines.LeadLinesPipeline": 300,
    "pipelines.sitename.SiteNamePipeline": 350,
    "pipelines.bylines.BylinesPipeline": 400,
    "pipelines.dates.DatesPipeline": 500,
    "pipelines.titles.TitlesPipeline": 600,
    "pipelines.taxonomy.TaxonomyPipeline": 700,
    "pipelines.boilerplate.BoilerplatePipeline": 750,
    "pipelines.dedup.FingerprintPipeline": 800,
    "pipelines.store.StorePipeline": 900,
}

EXTENSIONS = {
    "crawler.extensions.CrawlRecorder": 500,
    "crawler.gcfreeze.GcFreeze": 510,
    "crawler.memtrim.MemoryTrim": 520,
    "crawler.memtrim.ArenaLimit": 530,
}
#: Scrapy's own extensions less the two switched off above (TELNETCONSOLE_ENABLED,
#: REMOTE_CONTROL_ENABLED): Scrapy imports every extension it lists, even one set to None in
#: EXTENSIONS, and the remote control's aiohttp alone cost ~0.15 s of CPU at every start.
#: To turn either on, add it to EXTENSIONS and set its *_ENABLED.
EXTENSIONS_BASE = {
    path: order for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
    if path not in ("scrapy.extensions.telnet.TelnetConsole",
                    "scrapy.extensions.remote_control.RemoteControl")
}
#: gc.freeze() the start-up heap when the engine starts (crawler/gcfreeze.py): fewer objects for
#: every full collection and for the one at exit; "0" for a process that runs many crawls in turn
NEWS_GC_FREEZE = os.environ.get("NEWS_GC_FREEZE", "1") == "1"
#: give the C heap's free pages back to the system: extraction workers after a page that grew
#: them (pipelines/worker.py), the crawl process every 8 items (crawler/memtrim.py); glibc only
NEWS_MALLOC_TRIM = os.environ.get("NEWS_MALLOC_TRIM", "1") == "1"
#: MB a worker may grow past its size after its last trim before it trims again: above the ~25 MB
#: of freed tree its pages reuse, so only a large page triggers it (pipelines/memory.py); 0 = every page
NEWS_MALLOC_TRIM_SLACK_MB = int(os.environ.get("NEWS_MALLOC_TRIM_SLACK_MB", "32"))
#: malloc arenas of the crawl process (glibc; 0 = its default, up to 8 per core): its many
#: long-lived threads each filled their own and RSS crept up with the run (pipelines/memory.py)
NEWS_MALLOC_ARENAS = int(os.environ.get("NEWS_MALLOC_ARENAS", "2"))

# --- stage settings ---------------------------------------------------------------
#: trafilatura: favour precision over recall (site chrome costs more than a lost line)
NEWS_EXTRACT_FAVOR_PRECISION = os.environ.get("NEWS_EXTRACT_FAVOR_PRECISION", "0") == "1"
#: trafilatura's fast mode (no readability/justext comparison), in the extraction and in its
#: precision-mode second opinion: less CPU a page for lower body quality (README, Performance)
NEWS_EXTRACT_FAST = os.environ.get("NEWS_EXTRACT_FAST", "0") == "1"
#: pages whose extracted body has fewer words are "no article found"
NEWS_EXTRACT_MIN_WORDS = int(os.environ.get("NEWS_EXTRACT_MIN_WORDS", "40"))
#: timezone for dates a page gives without an offset (a site's own setting wins)
NEWS_DATES_DEFAULT_TIMEZONE = os.environ.get("NEWS_DATES_DEFAULT_TIMEZONE", "UTC")

#: a block (paragraph) under this many different articles of one site is boilerplate
NEWS_BOILERPLATE_MIN_ARTICLES = int(os.environ.get("NEWS_BOILERPLATE_MIN_ARTICLES", "3"))
NEWS_BOILERPLATE_ENABLED = os.environ.get("NEWS_BOILERPLATE_ENABLED", "1") == "1"

LOG_LEVEL = os.environ.get("NEWS_LOG_LEVEL", "INFO")
LOG_FORMATTER = "crawler.logformatter.QuietDropFormatter"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# --- live crawls: sites, incremental fetching, raw archive --------------------------
#: the sites file users name sites in (`-a site=NAME`); see sites.example.toml
NEWS_SITES_FILE = os.environ.get("NEWS_SITES_FILE", "sites.toml")
#: a stored article fetched less than this many seconds ago is not requested again (refresh=conditional)
NEWS_REFRESH_MIN_AGE = int(os.environ.get("NEWS_REFRESH_MIN_AGE", "3600"))
#: refresh=conditional: a stored article whose sitemap <lastmod> / feed updated date is not newer than
#: its stored fetch is not requested at all ("0": ask every such page with a conditional GET)
NEWS_REFRESH_TRUST_LASTMOD = os.environ.get("NEWS_REFRESH_TRUST_LASTMOD", "1") == "1"
#: the refresh policy drops requests for current pages before they are scheduled (crawler/refresh.py)
SPIDER_MIDDLEWARES = {"crawler.middlewares_refresh.RefreshFilterMiddleware": 950}
#: WARC archive of every fetched response, one file per run ("" = <database folder>/warc)
NEWS_WARC_ENABLED = os.environ.get("NEWS_WARC_ENABLED", "1") == "1"
NEWS_WARC_DIR = os.environ.get("NEWS_WARC_DIR", "")
#: downloader side, so the archive sees the bytes as received (before decompression)
DOWNLOADER_MIDDLEWARES = {
    # before robots.txt (100): not even robots.txt is fetched from a refused host
    "crawler.middlewares_ssrf.PrivateAddressMiddleware": 40,
    "crawler.middlewares.ConditionalGetMiddleware": 560,
    "crawler.archive.WarcArchiveMiddleware": 950,
}
#: Scrapy starts this many asyncio workers for EVERY callback's output, even an empty one
#: (scrapy/utils/asyncio.py _parallel_asyncio): the default 100 cost ~2.5 ms per response,
#: and our item pipelines are synchronous, so more than a few buys nothing.
CONCURRENT_ITEMS = 4

# --- security (SECURITY.md) -------------------------------------------------------
#: live crawls refuse hosts that are or resolve to private/loopback/link-local/reserved
#: addresses (and every scheme but http/https); "1" allows such hosts (tests, intranets)
NEWS_ALLOW_PRIVATE_ADDRESSES = os.environ.get("NEWS_ALLOW_PRIVATE_ADDRESSES", "0") == "1"
# (PrivateAddressMiddleware is registered in DOWNLOADER_MIDDLEWARES above.)

#: (the replay spider also keeps at most CONCURRENT_ITEMS of its start() items in the pipelines,
#: or NEWS_EXTRACT_WORKERS x (2 + NEWS_EXTRACT_PREFETCH) if more: every worker busy, memory flat)

# --- throughput (pipelines/pool.py) --------------------------------------------------
#: the pool and the replay spider await asyncio futures: pin the asyncio reactor (Scrapy's default)
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
_CORES = usable_cores()
#: extraction worker processes, one per core by default; they also run the pure stages after
#: extraction. 0 = everything inline in the crawl's own process (debugging). Workers die with the
#: crawl, even on kill -9 (pipelines/pool.py).
NEWS_EXTRACT_WORKERS = int(os.environ.get("NEWS_EXTRACT_WORKERS", str(_CORES)))
#: seconds one page may take in a worker before it is killed and the page recorded as failed
NEWS_EXTRACT_TIMEOUT = float(os.environ.get("NEWS_EXTRACT_TIMEOUT", "60"))
#: pages a worker extracts before it is replaced by a fresh process: keeps memory flat
NEWS_EXTRACT_MAX_TASKS_PER_WORKER = int(os.environ.get("NEWS_EXTRACT_MAX_TASKS_PER_WORKER", "1000"))
#: pages queued at each worker beyond the one it extracts, so it never waits for the crawl
#: process to hand it the next (0 = one at a time)
NEWS_EXTRACT_PREFETCH = int(os.environ.get("NEWS_EXTRACT_PREFETCH", "1"))
#: start the workers' fork server (its imports and warm-up, ~0.7 s of one core) as the crawl
#: starts, overlapping the crawl's own start-up, rather than at the first page (crawler/warmstart.py;
#: not on one core). "0": a crawl that extracts nothing never starts it.
NEWS_EXTRACT_EARLY_START = os.environ.get("NEWS_EXTRACT_EARLY_START", "1") == "1"

# --- scale-out on scrapy-redis (crawler/distributed.py; optional extra news-ingest[redis]) ---
#: redis://host:6379/0 makes this process a worker: shared frontier and duplicate filter in
#: Redis, finished records pushed to Redis for the one writer (`news-ingest store`). Unset:
#: single machine, no Redis needed (nothing imports redis).
REDIS_URL = os.environ.get("REDIS_URL") or None
#: ForkServerAddon starts the extraction workers' fork server as the crawl starts (crawler/warmstart.py);
#: RedisWorkerAddon applies the worker settings only when REDIS_URL is set (on the command line too)
ADDONS = {"crawler.warmstart.ForkServerAddon": 50, "crawler.distributed.RedisWorkerAddon": 100}
#: a worker closes after this long with nothing to do (scrapy-redis alone waits forever)
NEWS_REDIS_IDLE_CLOSE_SECONDS = float(os.environ.get("NEWS_REDIS_IDLE_CLOSE_SECONDS", "30"))
#: a run's duplicate filter outlives its last live worker by this long (crashed runs), then expires
NEWS_REDIS_DUPEFILTER_TTL = int(os.environ.get("NEWS_REDIS_DUPEFILTER_TTL", "600"))
#: prefix of every Redis key news-ingest uses, so several projects can share one Redis
NEWS_REDIS_PREFIX = os.environ.get("NEWS_REDIS_PREFIX", "news")
