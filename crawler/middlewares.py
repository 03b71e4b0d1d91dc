"""ConditionalGetMiddleware: a stored article is asked for with its validators, and a 304 costs nothing.

Reads settings ``SQLITE_PATH``, ``NEWS_REFRESH_MIN_AGE`` and
``NEWS_REFRESH_TRUST_LASTMOD`` and the spider's ``refresh`` argument; the policy
is crawler/refresh.py. Most requests arrive already decided by
RefreshFilterMiddleware (crawler/middlewares_refresh.py, ``meta["news_refresh"]``,
validators in ``meta["news_validators"]``); requests made on the downloader side
(a redirect's target) are decided here, with the same policy.

A conditional GET carries ``If-None-Match`` / ``If-Modified-Since`` from the
stored ``etag`` / ``last_modified``. A 304 answer counts as
``news/store/unchanged`` (``crawl_runs.unchanged``) and raises
:class:`NotModified`, an ``IgnoreRequest`` the spiders' errback does not record
as a failure, so it reaches no callback, no extraction and no item pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

from crawler.refresh import Decision, RefreshPolicy, conditional_headers, record_checks
from crawler.spiders.base import utc_now
from pipelines.dedup import canonical_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["ConditionalGetMiddleware", "NotModified"]


class NotModified(IgnoreRequest):
    """The stored copy of this page is current (a 304, or the refresh policy said so)."""


class ConditionalGetMiddleware:
    """Downloader middleware: conditional GETs for URLs stored in the `articles` table."""

    def __init__(self, crawler: Crawler, policy: RefreshPolicy) -> None:
        self.crawler = crawler
        self.policy = policy
        #: the stored row's URL -> when a 304 confirmed it, written once at the end of the run
        self.checked: dict[str, str] = {}
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, RefreshPolicy.from_settings(crawler.settings))

    def process_request(self, request: Request) -> None:
        refresh = getattr(self.crawler.spider, "refresh", None)
        # Only live spiders have a refresh policy; feeds, sitemaps, robots.txt are never stored.
        if refresh is None or request.meta.get("news_conditional") is False:
            return None
        if request.meta.get("redirect_times"):
            # A redirect's target is another page: the first URL's decision and validators do not apply.
            for name in ("If-None-Match", "If-Modified-Since"):
                request.headers.pop(name, None)
            for key in ("news_refresh", "news_validators", "news_conditional_sent", "news_stored_url"):
                request.meta.pop(key, None)
        if "news_refresh" not in request.meta:
            # Not seen by RefreshFilterMiddleware (a redirect's target): decided here, same policy.
            decision = self.policy.apply(request, canonical_url(request.url), refresh, self.crawler.stats)
            if decision.skips:
                raise NotModified(
                    f"{request.url} is stored and current ({decision.value}); not fetched again"
                )
        if request.meta["news_refresh"] != Decision.CONDITIONAL.value:
            return None
        validators = request.meta.get("news_validators") or (None, None)
        for name, value in conditional_headers(*validators).items():
            request.headers.setdefault(name, value)
        request.meta["news_conditional_sent"] = True
        self.crawler.stats.inc_value("news/incremental/conditional")
        return None

    def process_response(self, request: Request, response: Response) -> Any:
        if response.status == 304 and request.meta.get("news_conditional_sent"):
            self.crawler.stats.inc_value("news/store/unchanged")
            self.crawler.stats.inc_value("news/incremental/not_modified")
            # under the stored row's URL: the page may be listed by its alias next time, or by
            # its canonical link
            self.checked[request.meta.get("news_stored_url") or canonical_url(request.url)] = utc_now()
            raise NotModified(f"{request.url} has not changed (HTTP 304)")
        return response

    def spider_closed(self) -> None:
        self.policy.close()
        record_checks(self.crawler.settings.get("SQLITE_PATH"), self.checked)
