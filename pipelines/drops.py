"""Named reasons a page produces no article; each becomes a `failures` row.

Every discard in the pipelines raises one of these ``DropItem`` subclasses, so
Scrapy's stats count them by name (``item_dropped_reasons_count/NoContent``) and
the store records the stage and a plain reason.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem


class PageDrop(DropItem):
    """Base: a page dropped at ``stage`` for a ``reason`` a user understands."""

    stage = "extract"

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class NoContent(PageDrop):
    """The page holds no article (a section front, an error page, a login wall)."""


class Unparsable(PageDrop):
    """The HTML could not be parsed into a document."""


class DuplicateArticle(PageDrop):
    """Another page of this run already gave the same article."""

    stage = "store"


class ExtractFailed(PageDrop):
    """Extraction hung past its timeout or crashed its worker process (pipelines/pool.py)."""
