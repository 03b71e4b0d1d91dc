"""Fingerprint stage: canonical URL, word count and content hash (finds syndicated copies).

Reads no settings. :func:`canonical_url` strips what makes one article look like
many (tracking parameters, fragments, default ports, host case).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import url_query_cleaner

from crawler.items import ArticleItem
from pipelines.extract import count_words

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: query parameters that only track the visitor, e.g. utm_source, fbclid, gclid
TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "fbclid",
    "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src", "_ga", "yclid",
    "sessionid", "phpsessid", "jsessionid", "sid", "cmpid", "ito", "ns_mchannel", "ns_source",
)
NON_WORD_RE = re.compile(r"[\W_]+", re.UNICODE)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """One spelling per article URL: no tracking params, fragment or default port; host lower-case."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{parts.port}"
    query = url_query_cleaner(
        urlunsplit(("", "", "", parts.query, "")), TRACKING_PARAMS, remove=True, keep_fragments=False
    ).lstrip("?")
    return urlunsplit((parts.scheme, host, parts.path or "/", query, ""))


# A small cache: the boilerplate stage hashes a page's text before it removes blocks and this
# stage hashes it after; on most pages nothing is removed, and comparing the two equal texts
# (~1 µs) replaces a second normalisation (~0.2 ms a page in the crawl process).
@functools.lru_cache(maxsize=8)
def content_hash(text: str) -> str:
    """Hash of the text with case, punctuation and spacing normalised away."""
    normal = NON_WORD_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    return hashlib.sha1(normal.encode()).hexdigest()


class FingerprintPipeline:
    """Scrapy adapter: sets `url` (canonicalised), `word_count` and `content_hash`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FingerprintPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        item.url = canonical_url(item.url or item.fetched_url)
        item.word_count = count_words(item.text)
        item.content_hash = content_hash(item.text)
        item.stages.append("fingerprint")
        return item
