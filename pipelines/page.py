"""One page's CPU work in the extract stage, the same code inline and in a pool worker.

:func:`process_page` extracts the item (:func:`pipelines.extract.extract_article`),
makes the checks that drop what is not an article, then applies the pure stages
that follow extraction (:mod:`pipelines.stage`): none inline, where each runs as
its own pipeline, and all of them in a worker. A drop comes back as a
:class:`Drop` naming its ``DropItem`` class rather than as the exception:
``pipelines.drops`` imports Scrapy, which workers do without. Reads no settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipelines.extract import (
    count_words,
    extract_article,
    is_article_page,
    kept_without_text,
    looks_like_listing,
)

if TYPE_CHECKING:
    from trafilatura.settings import Extractor

    from crawler.items import ArticleItem
    from pipelines.stage import PageStage, Stats

LISTING_REASON = ("no article found (the page declares itself a website page at a section-like address: "
                  "a section, tag, home or login page)")


@dataclass(frozen=True)
class Drop:
    """Why the extract stage drops a page: ``kind`` names a class of :mod:`pipelines.drops`."""

    kind: str
    reason: str


@dataclass
class PageResult:
    """What a worker sends back for one page (see :func:`pipelines.worker.run_page`)."""

    #: every field of the item but ``html``, which only extraction reads
    fields: dict[str, Any]
    #: the page's stats counts, for the crawl's stats collector
    stats: dict[str, int] = field(default_factory=dict)
    drop: Drop | None = None
    #: an exception a stage raised, raised again in the crawl process as if there
    error: BaseException | None = None
    #: the worker's traceback of ``error``
    traceback: str = ""


class WorkerTraceback(Exception):
    """The worker's traceback of a :attr:`PageResult.error`, chained to it when it is raised again."""


def content_drop(item: ArticleItem, min_words: int, stats: Stats) -> str | None:
    """The reason an extracted page holds no article, else None."""
    words = count_words(item.text)
    if words < min_words and not kept_without_text(item.signals, words):
        stats.inc_value("news/extract/no_content")
        detail = "no text at all" if not words else f"only {words} words of text"
        return f"no article found ({detail})"
    if looks_like_listing(item.signals, item.url, words):
        stats.inc_value("news/extract/listing_page")
        return LISTING_REASON
    if not is_article_page(item.signals):
        stats.inc_value("news/extract/undeclared_article")
    return None


def process_page(item: ArticleItem, *, options: Extractor, min_words: int,
                 stages: Sequence[PageStage], stats: Stats) -> Drop | None:
    """Extract ``item`` in place, check it is an article, then apply ``stages`` in order.

    Returns the drop when the page is unparsable or holds no article (and then
    applies no stage); exceptions other than the parser's propagate.
    """
    try:
        fields = extract_article(item.html, item.fetched_url, fetched_at=item.fetched_at, options=options)
    except ValueError as exc:
        stats.inc_value("news/extract/unparsable")
        return Drop("Unparsable", str(exc))
    for name, value in fields.items():
        setattr(item, name, value)
    item.stages.append("extract")
    reason = content_drop(item, min_words, stats)
    if reason is not None:
        return Drop("NoContent", reason)
    for stage in stages:
        stage.run(item, stats)
    return None
