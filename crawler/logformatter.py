"""Log formatter that keeps page bodies out of the log.

Scrapy's default logs every dropped item in full; ours carry the page HTML, so a
drop would print megabytes. The drop reason already names the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import logformatter

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.http import Response
    from twisted.python.failure import Failure


class QuietDropFormatter(logformatter.LogFormatter):
    """Log drops and item errors with their reason only, at INFO."""

    def dropped(  # type: ignore[override]
        self, item: Any, exception: BaseException, response: Response | None, spider: Spider
    ) -> logformatter.LogFormatterResult:
        return {
            "level": logformatter.logging.INFO,
            "msg": "Dropped: %(exception)s",
            "args": {"exception": exception},
        }

    def item_error(  # type: ignore[override]
        self, item: Any, exception: BaseException, response: Response | None, spider: Spider
    ) -> logformatter.LogFormatterResult:
        source = getattr(item, "source", "?")
        return {
            "level": logformatter.logging.ERROR,
            "msg": "Error processing %(source)s",
            "args": {"source": source},
        }

    def scraped(  # type: ignore[override]
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> logformatter.LogFormatterResult:
        return {
            "level": logformatter.logging.DEBUG,
            "msg": "Stored %(url)s",
            "args": {"url": getattr(item, "url", "?")},
        }
