"""Titles stage: the on-page headline, without the site name the <title> adds.

Candidates, best first: JSON-LD ``headline``, the page's ``<h1>``, ``og:title``,
trafilatura's title, ``<title>``. An ``<h1>`` counts only when it agrees with
another source (themes put the logo in an ``<h1>`` too). Reads no settings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from crawler.items import ArticleItem
from pipelines.captions import caption_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: separators between a headline and the site name, e.g. "Headline | Site", "Site – Headline"
SEPARATOR_RE = re.compile(r"\s+[|–—\-•·:»/]+\s+|\s*[|»•·]\s*|:\s+")
#: share of a headline's words another source must contain to confirm an <h1>
H1_AGREEMENT = 0.6
MAX_TITLE_CHARS = 400


def _words(text: str) -> set[str]:
    return set(caption_key(text).split())


def strip_site_name(title: str, site_names: list[str]) -> str:
    """Drop a leading or trailing segment that names the site ("Headline | The Duran")."""
    parts = SEPARATOR_RE.split(title)
    if len(parts) < 2:
        return title.strip()
    site_keys = {caption_key(s) for s in site_names if s}
    site_keys |= {k.replace(" ", "") for k in site_keys}
    for index in (-1, 0):
        segment = caption_key(parts[index])
        if segment and (segment in site_keys or segment.replace(" ", "") in site_keys):
            rest = parts[1:] if index == 0 else parts[:-1]
            # Rebuild from the original string to keep the headline's own punctuation.
            kept = title[title.find(rest[0]): title.rfind(rest[-1]) + len(rest[-1])]
            return kept.strip()
    return title.strip()


def agrees(candidate: str, others: list[str]) -> bool:
    """Do most of the candidate's words appear in one of the other titles?"""
    words = _words(candidate)
    if not words:
        return False
    return any(len(words & _words(o)) >= H1_AGREEMENT * len(words) for o in others if o)


def choose_title(*, jsonld: str | None, h1: list[str], og_title: str | None,
                 extracted: str | None, title_tag: str | None,
                 site_names: list[str]) -> tuple[str | None, str | None]:
    """Pick the headline and name its source."""
    others = [t for t in (jsonld, og_title, extracted, title_tag) if t]
    site_keys = {caption_key(s) for s in site_names if s}
    for heading in h1:
        if caption_key(heading) in site_keys:  # the logo in an <h1>
            continue
        if heading and len(heading) <= MAX_TITLE_CHARS and agrees(heading, others):
            return strip_site_name(heading, site_names), "h1"
    for source, value in (("jsonld", jsonld), ("og:title", og_title), ("trafilatura", extracted),
                          ("title", title_tag)):
        if value and len(value) <= MAX_TITLE_CHARS:
            return strip_site_name(value, site_names), source
    return None, None


class TitlesPipeline:
    """Scrapy adapter around :func:`choose_title`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TitlesPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        signals = item.signals
        meta = signals.get("meta", {})
        site_names = [item.site_name or "", *meta.get("og:site_name", []),
                      *meta.get("application-name", []),
                      signals.get("jsonld", {}).get("publisher") or ""]
        item.title, item.title_source = choose_title(
            jsonld=signals.get("jsonld", {}).get("headline"),
            h1=signals.get("h1", []),
            og_title=(meta.get("og:title") or [None])[0],
            extracted=item.title_raw,
            title_tag=signals.get("title_tag"),
            site_names=site_names,
        )
        if item.title is None:
            self.crawler.stats.inc_value("news/titles/none")
        item.stages.append("titles")
        return item
