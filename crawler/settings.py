"""Scrapy settings for news-ingest: the ONLY place environment variables are read.

Every project setting is prefixed ``NEWS_``; each can be overridden with
``-s NAME=VALUE`` on the command line or by the environment variable of the
same name.
"""

from __future__ import annotations

import os

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

# --- item pipelines: the one place their order is declared ------------------------
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
}

# --- stage settings ---------------------------------------------------------------
#: trafilatura: favour precision over recall (site chrome costs more than a lost line)
NEWS_EXTRACT_FAVOR_PRECISION = os.environ.get("NEWS_EXTRACT_FAVOR_PRECISION", "0") == "1"
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

# --- scale-out on scrapy-redis (crawler/distributed.py; optional extra news-ingest[redis]) ---
#: redis://host:6379/0 makes this process a worker: shared frontier and duplicate filter in
#: Redis, finished records pushed to Redis for the one writer (`news-ingest store`). Unset:
#: single machine, no Redis needed (nothing imports redis).
REDIS_URL = os.environ.get("REDIS_URL") or None
#: the add-on applies the worker settings only when REDIS_URL is set (on the command line too)
ADDONS = {"crawler.distributed.RedisWorkerAddon": 100}
#: a worker closes after this long with nothing to do (scrapy-redis alone waits forever)
NEWS_REDIS_IDLE_CLOSE_SECONDS = float(os.environ.get("NEWS_REDIS_IDLE_CLOSE_SECONDS", "30"))
#: a run's duplicate filter outlives its last live worker by this long (crashed runs), then expires
NEWS_REDIS_DUPEFILTER_TTL = int(os.environ.get("NEWS_REDIS_DUPEFILTER_TTL", "600"))
#: prefix of every Redis key news-ingest uses, so several projects can share one Redis
NEWS_REDIS_PREFIX = os.environ.get("NEWS_REDIS_PREFIX", "news")
