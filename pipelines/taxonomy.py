"""Taxonomy stage: `categories` (sections) and `tags` (keywords), de-duplicated, in page order.

Sources, best first -- categories: ``article:section``, JSON-LD ``articleSection``,
``rel=category`` links, breadcrumbs; tags: ``article:tag``, JSON-LD ``keywords``,
``rel=tag`` links, then ``<meta name=keywords>`` only when nothing better exists
(it is SEO filler more often than the publisher's tags). Reads no settings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipelines.captions import caption_key
from pipelines.stage import PageStage

if TYPE_CHECKING:
    from crawler.items import ArticleItem
    from pipelines.stage import Stats

#: separators inside one keywords string, e.g. "politics, russia; syria"
LIST_SPLIT_RE = re.compile(r"\s*[,;|]\s*")
#: sources that are only a fallback
FALLBACK_SOURCES = frozenset({"meta-keywords", "trafilatura"})
MAX_TERM_CHARS = 80


def merge_terms(candidates: list[dict[str, str]]) -> list[str]:
    """Split, clean and de-duplicate (case-insensitively) terms, keeping first-seen order."""
    primary = [c for c in candidates if c["source"] not in FALLBACK_SOURCES]
    chosen = primary or candidates
    seen: set[str] = set()
    terms: list[str] = []
    for cand in chosen:
        for term in LIST_SPLIT_RE.split(cand["text"]):
            term = term.strip(" \t#")
            key = caption_key(term)
            if key and key not in seen and len(term) <= MAX_TERM_CHARS:
                seen.add(key)
                terms.append(term)
    return terms


class TaxonomyPipeline(PageStage):
    """Page stage around :func:`merge_terms`."""

    name = "taxonomy"

    def apply(self, item: ArticleItem, stats: Stats) -> None:
        item.categories = merge_terms(item.signals.get("category_candidates", []))
        item.tags = merge_terms(item.signals.get("tag_candidates", []))
