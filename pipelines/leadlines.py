"""Lead-lines stage: drop the title, category line and byline line where they lead the body.

Themes print "In Politics, World", the headline and "By Jane Doe, July 1, 2024"
above the article; trafilatura keeps them as the first paragraphs. A byline line
found here is kept as a byline candidate (source ``"byline"``) for the bylines
stage, so nothing the page said is lost. Reads no settings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipelines.captions import caption_key
from pipelines.stage import PageStage

if TYPE_CHECKING:
    from crawler.items import ArticleItem
    from pipelines.stage import Stats

#: a byline line, e.g. "By Alexander Mercouris, The Duran, July 25, 2016", "Von Anna Schmidt"
BYLINE_LINE_RE = re.compile(
    r"^\s*(?:by|written by|words by|von|par|por|di|door|av|af|autor:|автор:?)\s+\S",
    re.IGNORECASE,
)
#: a categories line, e.g. "In Multipolarity, Russia", "Posted in World | Politics"
CATEGORY_PREFIX_RE = re.compile(r"^\s*(?:posted in|filed under|categories:|in)\s+", re.IGNORECASE)
MAX_LEAD_PARAGRAPHS = 4
MAX_BYLINE_LINE_CHARS = 200


def strip_lead_lines(text: str, *, titles: list[str], categories: list[str]) -> tuple[str, list[str]]:
    """Remove leading title/category/byline paragraphs; return (text, byline lines removed)."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    title_keys = {caption_key(t) for t in titles if t}
    category_keys = {caption_key(c) for c in categories if c}
    bylines: list[str] = []
    while paragraphs and len(bylines) < MAX_LEAD_PARAGRAPHS:
        head = paragraphs[0].strip()
        key = caption_key(head)
        if key in title_keys:
            paragraphs.pop(0)
            continue
        if len(head) <= MAX_BYLINE_LINE_CHARS and BYLINE_LINE_RE.match(head):
            bylines.append(head)
            paragraphs.pop(0)
            continue
        named = caption_key(CATEGORY_PREFIX_RE.sub("", head))
        if category_keys and named and set(named.split()) <= {w for k in category_keys for w in k.split()}:
            paragraphs.pop(0)
            continue
        break
    return "\n\n".join(paragraphs), bylines


class LeadLinesPipeline(PageStage):
    """Page stage around :func:`strip_lead_lines`."""

    name = "leadlines"

    def apply(self, item: ArticleItem, stats: Stats) -> None:
        signals = item.signals
        titles = [item.title_raw or "", signals.get("title_tag") or "", *signals.get("h1", []),
                  signals.get("jsonld", {}).get("headline") or ""]
        categories = [c["text"] for c in signals.get("category_candidates", [])]
        text, bylines = strip_lead_lines(item.text, titles=titles, categories=categories)
        if bylines:
            stats.inc_value("news/leadlines/byline_removed")
            candidates = signals.setdefault("byline_candidates", [])
            # Before trafilatura's guess, after the page's structured authors.
            at = next((i for i, c in enumerate(candidates) if c["source"] == "trafilatura"), len(candidates))
            candidates[at:at] = [{"text": line, "source": "byline"} for line in bylines]
            item.byline_raw = bylines[0]
        item.text = text
