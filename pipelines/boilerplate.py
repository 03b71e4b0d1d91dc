"""Boilerplate stage: remove blocks a site prints under many *different* articles.

The editor's note, the donation plea, the newsletter plug: no single page shows
they are boilerplate, the site's other articles do. Blocks at the edges of the
body (first and last paragraphs) are counted per site in the database (table
``boilerplate_blocks``), so learning carries across runs and replays; an
article counts once per block, and a copy of it under another URL does not
count again. When a block crosses the threshold, earlier stored articles of the
site are cleaned too. Hand-written rules come from the site config
(``boilerplate = ["^Support our journalism", ...]``).

Reads settings ``NEWS_BOILERPLATE_ENABLED``, ``NEWS_BOILERPLATE_MIN_ARTICLES``
and ``SQLITE_PATH``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.items import ArticleItem
from pipelines.captions import caption_key
from pipelines.dedup import content_hash
from pipelines.extract import site_of
from pipelines.store import Store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: how many paragraphs at the start and at the end of a body are boilerplate candidates
HEAD_BLOCKS = 2
TAIL_BLOCKS = 4
#: shorter blocks ("Share", "Advertisement") are left to extraction rules
MIN_BLOCK_WORDS = 6


def block_key(paragraph: str) -> str:
    """Stable key of a paragraph, insensitive to case, spacing and punctuation."""
    return hashlib.sha1(caption_key(paragraph).encode()).hexdigest()[:16]


def edge_blocks(text: str) -> dict[str, str]:
    """Candidate blocks (key -> text): the first and last paragraphs of a body."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    edges = paragraphs[:HEAD_BLOCKS] + paragraphs[max(HEAD_BLOCKS, len(paragraphs) - TAIL_BLOCKS):]
    return {block_key(p): p for p in edges if len(p.split()) >= MIN_BLOCK_WORDS}


def remove_blocks(text: str, keys: set[str], rules: Iterable[re.Pattern[str]] = ()) -> tuple[str, int]:
    """Drop paragraphs whose key is in ``keys`` or that match a rule; return (text, removed)."""
    rules = list(rules)
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    # Keying a paragraph (normalise, then hash) is most of the cost: with no key to look
    # for, as on most pages, no paragraph is keyed.
    kept = [p for p in paragraphs
            if not (keys and block_key(p) in keys) and not any(r.search(p) for r in rules)]
    return "\n\n".join(kept), len(paragraphs) - len(kept)


def clean_stored(store: Store, site: str, keys: set[str]) -> int:
    """Remove newly learnt boilerplate ``keys`` from ``site``'s articles stored earlier.

    Returns how many articles changed. Shared by this stage and the distributed writer.
    """
    cleaned = 0
    for url, stored in store.site_texts(site):
        text, removed = remove_blocks(stored, keys)
        if removed:
            store.update_text(url, text, len(text.split()), content_hash(text))
            cleaned += 1
    return cleaned


class BoilerplatePipeline:
    """Learns and removes site-wide boilerplate, with the database as memory."""

    def __init__(self, crawler: Crawler, path: str, min_articles: int) -> None:
        self.crawler = crawler
        self.path = path
        self.min_articles = min_articles
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BoilerplatePipeline:
        settings = crawler.settings
        if not settings.getbool("NEWS_BOILERPLATE_ENABLED", True):
            raise NotConfigured("NEWS_BOILERPLATE_ENABLED is off")
        return cls(crawler, settings.get("SQLITE_PATH"), settings.getint("NEWS_BOILERPLATE_MIN_ARTICLES", 3))

    def open_spider(self) -> None:
        self.store = Store.open(self.path)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        assert self.store is not None
        site = site_of(item.url or item.fetched_url)
        rules = [re.compile(r, re.IGNORECASE) for r in item.site_config.get("boilerplate", [])]
        if site:
            blocks = edge_blocks(item.text)
            crossed = self.store.learn_blocks(
                site, blocks, (item.url or item.fetched_url, content_hash(item.text)),
                self.min_articles, item.fetched_at)
            if crossed:
                self.crawler.stats.inc_value("news/boilerplate/learnt", len(crossed))
                cleaned = clean_stored(self.store, site, set(crossed))
                if cleaned:
                    self.crawler.stats.inc_value("news/boilerplate/cleaned_stored", cleaned)
            keys = self.store.boilerplate_blocks(site, self.min_articles) & set(blocks)
        else:
            keys = set()
        item.text, removed = remove_blocks(item.text, keys, rules)
        if removed:
            self.crawler.stats.inc_value("news/boilerplate/removed", removed)
        item.stages.append("boilerplate")
        return item
