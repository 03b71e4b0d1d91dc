"""Extract stage: one parse, structured signals, then trafilatura for text and raw metadata.

Reads settings ``NEWS_EXTRACT_FAVOR_PRECISION``, ``NEWS_EXTRACT_FAST``, ``NEWS_EXTRACT_MIN_WORDS``,
``NEWS_EXTRACT_WORKERS``, ``NEWS_EXTRACT_TIMEOUT``, ``NEWS_EXTRACT_MAX_TASKS_PER_WORKER``,
``NEWS_EXTRACT_PREFETCH``, ``NEWS_MALLOC_TRIM`` (workers give freed heap pages back) and
``NEWS_MALLOC_TRIM_SLACK_MB`` (default 32: once a worker has grown that far past its size after
the last trim; 0: after every page).
:func:`extract_article` is pure and picklable (plain arguments in, a plain dict
out) so it runs in worker processes (:mod:`pipelines.pool`, :mod:`pipelines.worker`):
:class:`ExtractPipeline` only adapts it, awaiting the pool so the crawl's
downloads and storage go on while pages are extracted on every core.
"""

from __future__ import annotations

import re
from copy import copy
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import courlan
import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document, Extractor

from crawler.items import ArticleItem
from pipelines.body import extract_body
from pipelines.body_structure import parse_markup
from pipelines.htmldate_languages import page_languages
from pipelines.memory import TRIM_SLACK
from pipelines.metadata import METADATA_FIELDS, page_metadata
from pipelines.pool import MAX_TASKS, PREFETCH, WorkerCrashed, WorkerFailed, WorkerPool
from pipelines.preload import fork_server_preload
from pipelines.signals import collect_signals
from pipelines.stage import stages_after
from pipelines.trafilatura_stoplist import install as install_frozen_stoplist
from pipelines.trafilatura_xpaths import install as install_xpath_walks

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from pipelines.page import Drop
    from pipelines.stage import StageSpec

# pipelines.drops (the adapter's DropItem subclasses) is imported where it is raised: it imports
# Scrapy, which the extraction workers (they import this module for extract_article) never need,
# and each of them would hold another ~25 MB of it.

EXTRACTOR_VERSION = f"trafilatura {trafilatura.__version__}"
#: a language tag's primary subtag, e.g. "en-GB" -> "en", "pt_BR" -> "pt"
LANG_RE = re.compile(r"^\s*([a-zA-Z]{2})(?:[-_][a-zA-Z0-9]+)*\s*$")
#: Han and kana characters: scripts without spaces between words, e.g. "東京新聞"
UNSPACED_SCRIPT_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: og:type / JSON-LD values that say "this page is one article"
ARTICLE_OG_TYPES = frozenset({"article", "news", "blog", "newsarticle"})
#: a path segment that names one article: a slug with two separators ("harbour-wall-approved"),
#: a long id ("3000000218734"), an opaque id of digits and mixed-case letters ("_k8dJ5xnwYw",
#: unlike a section name such as "bbc3world") or a page file ("story.html")
ARTICLE_PATH_RE = re.compile(r"[^/]*[-_][^/]*[-_][^/]*|\d{4,}"
                             r"|(?:^|/)(?=[\w-]*\d)(?=[\w-]*[a-z])(?=[\w-]*[A-Z])[\w-]{8,}(?:/|$)"
                             r"|\.(?:s?html?|php|aspx?)$")
#: words in an <h1> that make it a headline ("Web analytics are leaking into meatspace"),
#: not a section name ("News", "Tag: politics")
HEADLINE_MIN_WORDS = 5
#: words of text under such a headline that make one article, not a login wall or a stub
ESSAY_MIN_WORDS = 300
#: date candidate sources that state the article's own publication date: metadata, a <time>
#: element, the date printed by the headline (pipelines/date_signals.py)
ARTICLE_DATE_SOURCES = frozenset({"jsonld", "meta", "time", "dateline"})
#: words of a dated news brief: fewer make a stub or an error page, dated or not
BRIEF_MIN_WORDS = 25


def build_options(*, favor_precision: bool = False, fast: bool = False) -> Extractor:
    """trafilatura options, built once per process (setting ``url`` per page).

    Without trafilatura's metadata: :func:`pipelines.metadata.page_metadata` reads the
    same fields from the crawl's own parse, for half the cost. ``fast``: trafilatura's
    fast mode, which skips its comparison with readability and justext.
    """
    return Extractor(
        output_format="python",
        with_metadata=False,
        fast=fast,
        precision=favor_precision,
        comments=False,
        tables=True,
    )


def language_code(value: str | None) -> str | None:
    """ISO 639-1 code from a language tag, or None."""
    match = LANG_RE.match(value or "")
    return match.group(1).lower() if match else None


def usable_canonical(candidate: str | None, fetched_url: str) -> str | None:
    """The canonical URL if it may stand for this page (CONTRACT.md), else None.

    Not usable: another scheme than http(s), the site's home page, or another
    site than the fetched one (when the fetched URL is a web address).
    """
    if not candidate:
        return None
    try:
        absolute = urljoin(fetched_url, candidate.strip())
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 (raises ValueError for a port out of range, e.g. ":99999")
    except ValueError:  # the page's own link is malformed, e.g. "http://[::1": not usable
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if parts.path in ("", "/") and not parts.query:
        return None
    fetched = urlsplit(fetched_url)
    if fetched.scheme in ("http", "https") and (
        courlan.extract_domain(absolute) != courlan.extract_domain(fetched_url)
    ):
        return None
    return absolute.split("#", 1)[0]


def site_of(url: str) -> str:
    """The registered domain a URL belongs to ("www.bbc.co.uk" -> "bbc.co.uk"), or "" for files."""
    if not url.startswith(("http://", "https://")):
        return ""
    return courlan.extract_domain(url) or urlsplit(url).hostname or ""


def is_article_page(signals: dict[str, Any]) -> bool:
    """Does the page declare itself an article (og:type, JSON-LD type, published time)?"""
    og_types = {v.lower() for v in signals["meta"].get("og:type", [])}
    return bool(og_types & ARTICLE_OG_TYPES or signals["jsonld"]
                or signals["meta"].get("article:published_time"))


def looks_like_listing(signals: dict[str, Any], url: str, words: int = 0) -> bool:
    """A section front, tag page or home page: declared as a non-article, at a slug-less URL.

    Both conditions are needed: many articles carry og:type "website", but they
    sit at URLs with a slug or an id ("/2024/03/tidal-barrage-approved",
    "/story/3000000218734"), while "/news/" or "/tag/politics/" do not. Below the
    home page, a sentence-long ``<h1>`` over an essay's worth of ``words`` also marks
    one article ("/supermarket/" headed "Web analytics are leaking into meatspace"):
    section fronts are headed by a section name, login walls hold a few lines.
    """
    og_types = {v.lower() for v in signals["meta"].get("og:type", [])}
    if not og_types or is_article_page(signals):
        return False
    parts = urlsplit(url)
    if parts.path.strip("/") and words >= ESSAY_MIN_WORDS \
            and len((signals.get("h1") or [""])[0].split()) >= HEADLINE_MIN_WORDS:
        return False
    return parts.scheme in ("http", "https") and not parts.query and not ARTICLE_PATH_RE.search(parts.path)


def kept_without_text(signals: dict[str, Any], words: int = 0) -> bool:
    """Is a page with little or no text still one article worth a row?

    Yes when it declares itself an article and states its publication date (JSON-LD,
    meta tags, a ``<time>`` element or a date printed by the headline): a paywalled or
    script-rendered article still has its title, date and authors, and its
    ``word_count`` tells users the text is short. Also a dated news brief: a short
    text with any publication date found on the page, unless the page calls itself
    something else (og:type "website": a login wall or a stub whose only date is in a link).
    """
    published = [c for c in signals.get("date_candidates", []) if c.get("kind") == "published"]
    og_types = {v.lower() for v in signals["meta"].get("og:type", [])}
    if words >= BRIEF_MIN_WORDS and published and (not og_types or og_types & ARTICLE_OG_TYPES):
        return True
    return is_article_page(signals) and any(c.get("source") in ARTICLE_DATE_SOURCES for c in published)


def _parse(html: str) -> lxml_html.HtmlElement:
    """Parse a decoded page as a whole document (the crawl's parser options)."""
    return parse_markup(html, lxml_html.document_fromstring)


def _with_metadata(doc: Document, metadata: Document) -> Document:
    """The extraction ``doc`` with the page's metadata fields, as ``with_metadata=True`` gives it."""
    for name in METADATA_FIELDS:
        setattr(doc, name, getattr(metadata, name))
    return doc


def count_words(text: str) -> int:
    """Words in ``text``; in Chinese and Japanese, written without spaces, each character counts."""
    unspaced = len(UNSPACED_SCRIPT_RE.findall(text))
    return len(UNSPACED_SCRIPT_RE.sub(" ", text).split()) + unspaced


def extract_article(html: str, url: str, *, fetched_at: str, options: Extractor) -> dict[str, Any]:
    """Parse once, collect signals, run trafilatura; return the extract stage's fields.

    Raises:
        ValueError: the HTML cannot be parsed into a document.
    """
    try:
        tree = _parse(html)
    except (etree.ParserError, ValueError) as exc:
        raise ValueError(f"the HTML could not be parsed ({exc})") from exc
    install_xpath_walks()  # idempotent: trafilatura's costliest XPaths as tree walks, same results
    install_frozen_stoplist()  # idempotent: justext's every-language stop list, hashed once
    signals = collect_signals(tree, url)
    canonical = usable_canonical(signals["canonical"], url) or usable_canonical(signals["og_url"], url)

    # trafilatura ignores url= when options= is passed: set it on the options.
    options.url = canonical or url
    fetched_day = datetime.fromisoformat(fetched_at).date()
    options.date_params = {
        "original_date": True,
        "extensive_search": True,
        "max_date": (fetched_day + timedelta(days=1)).isoformat(),
    }
    meta = signals["meta"]
    lang = language_code(signals["html_lang"]) or language_code(signals["jsonld"].get("inLanguage")) \
        or language_code((meta.get("og:locale") or [None])[0])
    with page_languages(lang):
        metadata = page_metadata(tree, options.url, options.date_params)
        doc = trafilatura.bare_extraction(tree, options=options)
    result: dict[str, Any] = {
        "signals": signals,
        "url": canonical or url,
        "language": lang,
        "text": "",
        "title_raw": None,
        "byline_raw": None,
        "published_raw": None,
        "site_name": None,
        "description": None,
        "body_method": "none",
    }
    if doc is None:
        return result
    doc = _with_metadata(doc, metadata)
    if doc.date:
        signals["date_candidates"].append({"raw": doc.date, "source": "trafilatura", "kind": "published"})
    if doc.author:
        signals["byline_candidates"].append({"text": doc.author, "source": "trafilatura"})
    for category in doc.categories or []:
        signals["category_candidates"].append({"text": category, "source": "trafilatura"})
    for tag in doc.tags or []:
        signals["tag_candidates"].append({"text": tag, "source": "trafilatura"})
    # The same tree again: bare_extraction works on its own copy of it, so it is as parsed.
    body = extract_body(html, options.url, doc=doc, tree=tree, fast=options.fast)
    result.update(
        text=body.text,
        body_method=body.method,
        title_raw=doc.title,
        byline_raw=doc.author,
        published_raw=doc.date,
        site_name=doc.sitename,
        description=doc.description,
        language=lang or language_code(doc.language),
    )
    return result


class ExtractPipeline:
    """Scrapy adapter around :func:`extract_article`, run in a process pool (or inline).

    With a pool, each worker also applies the pure stages listed right after this
    pipeline (:mod:`pipelines.stage`), so the crawl process only receives their
    result; inline, those stages run as their own pipelines.
    """

    def __init__(self, crawler: Crawler, *, favor_precision: bool, min_words: int,
                 fast: bool = False, workers: int = 0, timeout: float = 60.0, max_tasks: int = MAX_TASKS,
                 release_memory: bool = True, trim_slack: int = TRIM_SLACK,
                 stages: tuple[StageSpec, ...] = (),
                 prefetch: int = PREFETCH) -> None:
        self.crawler = crawler
        self.options = build_options(favor_precision=favor_precision, fast=fast)
        self.min_words = min_words
        self.pool: WorkerPool | None = None
        if workers > 0:
            # Imported here: pipelines.worker imports this module (a cycle at import time).
            from pipelines.worker import init_worker

            # The workers get these very options (a copy: pages set their url on the crawl's own),
            # so a mode the settings choose reaches them by the one path it reaches inline extraction.
            initargs = (copy(self.options), release_memory, min_words, stages, trim_slack)
            self.pool = WorkerPool(workers, timeout=timeout, initializer=init_worker, initargs=initargs,
                                   max_tasks=max_tasks, preload=fork_server_preload(stages),
                                   prefetch=prefetch)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        workers = settings.getint("NEWS_EXTRACT_WORKERS", 0)
        return cls(
            crawler,
            favor_precision=settings.getbool("NEWS_EXTRACT_FAVOR_PRECISION"),
            fast=settings.getbool("NEWS_EXTRACT_FAST"),
            min_words=settings.getint("NEWS_EXTRACT_MIN_WORDS", 40),
            workers=workers,
            timeout=settings.getfloat("NEWS_EXTRACT_TIMEOUT", 60.0),
            max_tasks=settings.getint("NEWS_EXTRACT_MAX_TASKS_PER_WORKER", MAX_TASKS),
            prefetch=settings.getint("NEWS_EXTRACT_PREFETCH", PREFETCH),
            release_memory=settings.getbool("NEWS_MALLOC_TRIM", True),
            trim_slack=settings.getint("NEWS_MALLOC_TRIM_SLACK_MB", TRIM_SLACK // 2**20) * 2**20,
            stages=stages_after(settings, cls) if workers > 0 else (),
        )

    def close_spider(self) -> None:
        if self.pool is not None:
            self.crawler.stats.set_value("news/extract/workers_replaced", self.pool.replaced)
            self.crawler.stats.set_value("news/extract/workers_recycled", self.pool.recycled)
            self.pool.close()

    async def _in_worker(self, item: ArticleItem) -> Drop | None:
        """Extract ``item`` and apply the pooled stages in a worker; copy the result onto it."""
        from pipelines.drops import ExtractFailed
        from pipelines.page import WorkerTraceback
        from pipelines.worker import run_page

        assert self.pool is not None
        # The worker gets the page as UTF-8 bytes and the crawl process keeps no decoded copy:
        # CPython stores a str with one character beyond U+FFFF at 4 bytes a character, so a
        # 2.2 MB page held 8.9 MB here for as long as it queued for a worker. Later stages read
        # `text`; only extraction reads `html`. Pickling a str encoded it to UTF-8 anyway.
        page = item.html.encode("utf-8", "surrogatepass")
        item.html = ""
        try:
            result = await self.pool.run(run_page, item, page)
        except WorkerFailed as exc:
            event = "crashed" if isinstance(exc, WorkerCrashed) else "timeout"
            self.crawler.stats.inc_value(f"news/extract/{event}")
            raise ExtractFailed(item.source, exc.reason) from exc
        for name, value in result.fields.items():
            setattr(item, name, value)
        for key, count in result.stats.items():
            self.crawler.stats.inc_value(key, count)
        if result.error is not None:
            raise result.error from WorkerTraceback(result.traceback)
        return result.drop

    async def process_item(self, item: Any) -> Any:
        from pipelines.drops import NoContent, Unparsable
        from pipelines.page import process_page

        if not isinstance(item, ArticleItem):
            return item
        if self.pool is None:  # NEWS_EXTRACT_WORKERS=0: in the crawl's own process (tests, debugging)
            drop = process_page(item, options=self.options, min_words=self.min_words, stages=(),
                                stats=self.crawler.stats)
        else:
            drop = await self._in_worker(item)
        if drop is not None:
            drop_class = {"Unparsable": Unparsable, "NoContent": NoContent}[drop.kind]
            raise drop_class(item.source, drop.reason)
        return item
