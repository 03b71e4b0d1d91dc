"""ArticleSpider: turns a response into an ArticleItem, once, for every spider."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.fixtures import PageError, decoded_text
from crawler.items import ArticleItem, PageFailure, page_failed

#: response headers kept on the item (and stored) for conditional GETs and audits
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Content-Language")


def utc_now() -> str:
    """The fetch clock (also when a 304 confirmed a stored page): pipelines read item times, never this."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class ArticleSpider(scrapy.Spider):
    """Base class of every news-ingest spider."""

    def article_item(
        self,
        response: Response,
        *,
        source: str | None = None,
        fetched_at: str | None = None,
        hints: dict[str, Any] | None = None,
        site_config: dict[str, Any] | None = None,
    ) -> ArticleItem | None:
        """Build the item every pipeline expects from one response, or None after recording why not.

        Every spider's pages are decoded here, the one way (:func:`crawler.fixtures.decoded_text`:
        UTF-8 bytes under a stale ``<meta charset>`` are read as UTF-8), so a live crawl, a
        replay of its WARC archive and a replay of saved files give the same text; a body
        that does not decode is a `failures` row.
        """
        source = source or response.url
        try:
            text = decoded_text(response)
        except PageError as exc:
            self.record_failure(source=source, url=response.url, stage=exc.stage, reason=exc.reason)
            return None
        headers = {
            name: (response.headers.get(name) or b"").decode("latin-1")
            for name in KEPT_HEADERS
            if response.headers.get(name)
        }
        meta = response.request.meta if response.request is not None else {}
        return ArticleItem(
            fetched_url=response.url,
            source=source,
            html=text,
            fetched_at=fetched_at or utc_now(),
            spider=self.name,
            hints=dict(hints or meta.get("hints") or {}),
            headers=headers,
            status=response.status,
            encoding=getattr(response, "encoding", "") or "",
            site_config=dict(site_config or {}),
        )

    def record_failure(self, *, source: str, url: str, stage: str, reason: str) -> None:
        """Report a page that produced no article (the store writes it to `failures`)."""
        failure = PageFailure(source=source, url=url, stage=stage, reason=reason, at=utc_now(),
                              spider=self.name)
        self.logger.info("No article from %s [%s]: %s", source, stage, reason)
        self.crawler.signals.send_catch_log(signal=page_failed, failure=failure)
