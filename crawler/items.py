"""ArticleItem: the contract between the spiders and the item pipelines.

Spiders fill the *input* fields; each pipeline stage fills its own *output*
fields and never overwrites another stage's input (raw values stay beside
normalised ones, so stages can be re-run offline and audited in Datasette).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    """One fetched or replayed page on its way to the `articles` table."""

    # --- input, set by the spider (crawler/spiders/base.py) -------------------
    #: the URL the bytes came from (manifest/sidecar URL for replay, else file:// URI)
    fetched_url: str
    #: where the bytes came from: the fetched URL or the replayed file's path
    source: str
    #: decoded HTML
    html: str = field(repr=False)
    #: ISO 8601 UTC of the fetch or replay: the only clock read in the whole flow
    fetched_at: str
    spider: str = ""
    #: discovery hints (feed / sitemap title, date, author): {"title": ..., "published": ...}
    hints: dict[str, Any] = field(default_factory=dict)
    #: response headers worth keeping (ETag, Last-Modified, Content-Type)
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    encoding: str = ""
    #: per-site configuration (timezone, language, boilerplate rules), from sites config
    site_config: dict[str, Any] = field(default_factory=dict)

    # --- extract (pipelines/extract.py) ---------------------------------------
    #: structured signals read from the page before trafilatura cleans the tree
    #: (see pipelines/signals.py: jsonld, meta, canonical, h1, bylines, dates, ...)
    signals: dict[str, Any] = field(default_factory=dict, repr=False)
    #: the article URL: usable canonical link, else fetched_url
    url: str = ""
    title_raw: str | None = None
    text: str = field(default="", repr=False)
    #: which body strategy produced `text` (pipelines/body.py)
    body_method: str = ""
    byline_raw: str | None = None
    published_raw: str | None = None
    modified_raw: str | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    # --- normalisation stages ---------------------------------------------------
    title: str | None = None
    title_source: str | None = None
    captions: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    authors_source: str | None = None
    #: organisations the byline credits beside or instead of people: wire services, the
    #: outlet, a desk ("dpa", "The Duran"); kept apart because `authors` holds people only
    credits: list[str] = field(default_factory=list)
    published: str | None = None
    published_source: str | None = None
    modified: str | None = None
    modified_source: str | None = None
    site_name_source: str | None = None
    word_count: int = 0
    content_hash: str = ""

    #: pipeline stages applied, in order (provenance: which code made this row)
    stages: list[str] = field(default_factory=list)


#: Scrapy signal sent by spiders with ``failure=PageFailure(...)``: the store records it.
#: Failures travel by signal, not as items, so every pipeline stage sees only articles.
page_failed = object()


@dataclass
class PageFailure:
    """A page that produced no article: stored as a row of the `failures` table."""

    source: str
    url: str
    #: fetch / decode / extract / store
    stage: str
    #: a sentence a user understands
    reason: str
    at: str
    spider: str = ""
