"""Date candidates read from a parsed page: structured metadata, ``<time>`` elements, the URL
and the visible dateline under the headline.

Pure functions over one lxml tree, called by :func:`pipelines.signals.collect_signals`;
the dates stage (:mod:`pipelines.dates`) decides between the candidates. Each candidate
is ``{"raw", "source", "kind"}`` with ``kind`` "published" or "modified".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from lxml import etree
from lxml import html as lxml_html

#: meta names/properties for the publication instant, highest priority first
PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datepublished", "pubdate", "publishdate", "publish-date", "publish_date",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date",
    "dcterms.created", "dc.date.created", "date", "article.published", "cxenseparse:recs:publishtime",
)
#: meta names/properties for the last modification
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
                 "dc.date.modified", "last-modified", "lastmod")
#: a path that dates the article: /2016/07/25/slug, /2016-07-25/, /news/20160725/slug
URL_DATE_RE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:[/-]|$)"
    r"|/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:/|$)")
#: ancestors whose dates belong to something else than the article: comments, embedded
#: posts (an Instagram blockquote), teasers of related articles
FOREIGN_DATE_CONTEXT_RE = re.compile(
    r"comment|kommentar|repl(?:y|ies)|discussion|related|recommend|teaser|embed|instagram|"
    r"twitter|tweet|trending|popular|read-?more|more-(?:from|stories|articles)|caption|credit",
    re.IGNORECASE)
FOREIGN_DATE_TAGS = frozenset({"blockquote", "iframe", "figure", "figcaption"})
#: elements whose text is never a visible dateline
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select", "option"})
#: text read after the headline before giving up on a dateline: the byline block, not the story
DATELINE_WINDOW_CHARS = 400
#: text read above the headline for a dateline printed over it ("Samstag, 19. Juli 2014")
DATELINE_BEFORE_CHARS = 150
#: where in a text a dateline may start: "Karlsruhe, (12.11.2021). ..." but not mid-sentence
DATELINE_MAX_START = 40
#: <time> elements read: a live blog or a comment thread holds hundreds
MAX_TIME_ELEMENTS = 10
#: words of an <h1> that is the site's logo rather than the headline ("News.az")
HEADLINE_MIN_WORDS = 2
#: a time of day that may follow a visible date: "22:11 GMT+10", "um 14.03 Uhr", "9:25 pm EST"
_TIME = (r"(?:[,.]?\s*(?:um|at|à|a\s+las|alle|om|kl\.?|-|\||\u2013)?\s*\d{1,2}[:.h]\d{2}"
         r"(?:\s*[ap]\.?m\.?)?(?:\s*(?:uhr|h)\b)?(?:\s*(?:gmt|utc)?\s*[+-]\d{1,2}(?::?\d{2})?"
         r"|\s+(?:gmt|utc|[a-z]{1,2}[sd]t)\b)?)?")
#: a full visible date (day, month and year), optionally with a time of day; the month name
#: alternatives take any word, which the dates stage's parser then accepts or rejects
VISIBLE_DATE_RE = re.compile(
    r"(?<![\d.])(?:"
    r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}"  # 2020-01-13
    r"|\d{1,2}\.\s?\d{1,2}\.\s?(?:19|20)\d{2}"  # 13.01.2020
    r"|(?:19|20)\d{2}[./]\s?\d{1,2}[./]\s?\d{1,2}"  # 2020.01.13, 2020/1/13
    r"|\d{1,2}/\d{1,2}/(?:19|20)\d{2}"  # 1/13/2020
    r"|(?:19|20)\d{2}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日"  # 2020年1月13日
    r"|\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?[^\W\d_]{3,}\.?,?\s+(?:de\s+)?(?:19|20)\d{2}"  # 13 Jan 2020
    r"|[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"  # January 13, 2020
    r")(?!\d)" + _TIME + r"(?!\s?[-\u2013]\s?\d)",  # not a range ("2020/7/11-12")
    re.IGNORECASE,
)
WS_RE = re.compile(r"\s+")
#: <time datetime="..."> and elements with itemprop="datePublished"/"dateModified"; the
#: itemprop attribute is tested before its element (libxml2 evaluates a predicate on every
#: node of a step: attribute nodes named itemprop are far fewer than the page's elements)
TIME_ELEMENTS = etree.XPath(
    "//time[@datetime] | //@itemprop[. = 'datePublished' or . = 'dateModified']/parent::*")


def clean(text: str | None) -> str:
    """Collapse whitespace; '' for None."""
    return WS_RE.sub(" ", text or "").strip()


def marks_of(element: lxml_html.HtmlElement) -> str:
    """An element's class, id and itemprop, one string for the class-name patterns to search."""
    return f"{element.get('class', '')} {element.get('id', '')} {element.get('itemprop', '')}"


def inside(element: lxml_html.HtmlElement, tags: Collection[str], marks: re.Pattern[str]) -> bool:
    """Is the element below one of ``tags``, or below an element whose class or id matches ``marks``?"""
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            return False
        if ancestor.tag in tags or marks.search(f"{ancestor.get('class', '')} {ancestor.get('id', '')}"):
            return True
    return False


def in_foreign_context(element: lxml_html.HtmlElement) -> bool:
    """Is the element inside a comment, an embedded post or a teaser of another article?"""
    return inside(element, FOREIGN_DATE_TAGS, FOREIGN_DATE_CONTEXT_RE)


def url_date(url: str) -> str | None:
    """The day a URL path dates its article by ("/2016/07/25/slug" -> "2016-07-25"), or None."""
    match = URL_DATE_RE.search(url.split("?", 1)[0])
    if not match:
        return None
    year, month, day = (int(g) for g in (match.groups()[:3] if match[1] else match.groups()[3:]))
    return f"{year:04d}-{month:02d}-{day:02d}"


def headline(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The article's headline element: the first ``<h1>`` that is more than a logo, else an ``<h2>``."""
    for tag in ("h1", "h2"):
        for element in tree.iter(tag):
            if len(clean(element.text_content()).split()) >= HEADLINE_MIN_WORDS \
                    and not in_foreign_context(element):
                return element
    return None


def visible_dates(text: str) -> list[str]:
    """Full dates written in ``text``, in order ("Dienstag, 29. Januar 2019" -> ["29. Januar 2019"])."""
    return [_date_text(m) for m in VISIBLE_DATE_RE.finditer(text)]


def dateline(tree: lxml_html.HtmlElement) -> list[str]:
    """Dates written next to the headline, where articles print their own date, nearest first.

    Hand-rolled: htmldate searches the whole page and so also finds the dates of
    comments, related articles and the site's "today" header; reading only the text
    just above and below the headline keeps to the article's own byline block. A date
    deep inside a sentence ("... its lowest price since 6 March 2002.") is not a dateline.
    """
    head = headline(tree)
    if head is None:
        return []
    hidden = _HiddenText()
    found: list[tuple[int, int, str]] = []  # (distance, below before above, text)
    distance = 0
    for piece in _pieces_before(head, hidden):
        if distance > DATELINE_BEFORE_CHARS:
            break
        dates = list(VISIBLE_DATE_RE.finditer(piece))
        if dates:
            found.append((distance + len(piece) - dates[-1].end(), 1, _date_text(dates[-1])))
            break
        distance += len(piece) + 1
    distance = 0
    for piece in _pieces_after(head, hidden):
        if distance > DATELINE_WINDOW_CHARS:
            break
        match = VISIBLE_DATE_RE.search(piece)
        if match and match.start() <= DATELINE_MAX_START:
            found.append((distance + match.start(), 0, _date_text(match)))
        distance += len(piece) + 1
    return [text for *_, text in sorted(found)][:3]


def _pieces_before(head: lxml_html.HtmlElement, hidden: _HiddenText) -> Iterator[str]:
    """Visible text pieces before ``head``, nearest first: the preceding siblings of the
    headline and of each of its ancestors, each subtree read backwards, then the
    ancestor's own leading text."""
    node = head
    while node is not None and isinstance(node.tag, str):
        parent = node.getparent()
        for sibling in node.itersiblings(preceding=True):
            if sibling.tail and sibling.tail.strip() and not hidden.skipped(parent):
                yield clean(sibling.tail)
            for text, owner in _subtree_pieces_backwards(sibling):
                if not hidden.skipped(owner):
                    yield clean(text)
        if parent is not None and parent.text and parent.text.strip() and not hidden.skipped(parent):
            yield clean(parent.text)
        node = parent


def _pieces_after(head: lxml_html.HtmlElement, hidden: _HiddenText) -> Iterator[str]:
    """Visible text pieces after ``head`` in document order, its own text excluded."""
    node = head
    while node is not None and isinstance(node.tag, str):
        if node.tail and node.tail.strip() and not hidden.skipped(node.getparent()):
            yield clean(node.tail)
        for sibling in node.itersiblings():
            for text, owner in _subtree_pieces(sibling):
                if not hidden.skipped(owner):
                    yield clean(text)
            if sibling.tail and sibling.tail.strip() and not hidden.skipped(sibling.getparent()):
                yield clean(sibling.tail)
        node = node.getparent()


def _subtree_pieces(root: lxml_html.HtmlElement) -> Iterator[tuple[str, lxml_html.HtmlElement]]:
    """(text, element it belongs to) of a subtree in document order, its root's tail excluded."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text and element.text.strip():
            yield element.text, element
        if element is not root and element.tail and element.tail.strip():
            parent = element.getparent()
            if parent is not None:
                yield element.tail, parent


def _subtree_pieces_backwards(root: lxml_html.HtmlElement) -> Iterator[tuple[str, lxml_html.HtmlElement]]:
    """:func:`_subtree_pieces` in reverse order, lazily: the block before a headline can be a
    whole page header, of which the dateline search reads the last few pieces."""
    # Reverse pre-order: an element's children last one first, each subtree whole, then the
    # element's own pieces (its tail, which _subtree_pieces yields after its text, first).
    stack: list[tuple[lxml_html.HtmlElement, bool]] = [(root, False)]
    while stack:
        element, children_done = stack.pop()
        if not isinstance(element.tag, str):
            continue
        if not children_done:
            stack.append((element, True))
            stack.extend((child, False) for child in element)
            continue
        if element is not root and element.tail and element.tail.strip():
            parent = element.getparent()
            if parent is not None:
                yield element.tail, parent
        if element.text and element.text.strip():
            yield element.text, element


def _date_text(match: re.Match[str]) -> str:
    return clean(match.group(0)).strip(" ,|-\u2013")


def _foreign_marks(element: lxml_html.HtmlElement) -> bool:
    """Does the element's class or id name a foreign context (a comment, a teaser, an embed)?"""
    return FOREIGN_DATE_CONTEXT_RE.search(f"{element.get('class', '')} {element.get('id', '')}") is not None


class _HiddenText:
    """Which elements' text a dateline search skips: text inside a :data:`SKIPPED_TAGS`
    element, or in a foreign context (:func:`in_foreign_context`).

    Remembers the answer for each ancestor it looks at: the text pieces around a headline
    share their ancestors, which each piece used to walk (and search the classes of) anew.
    """

    def __init__(self) -> None:
        #: element -> (it or an ancestor is a skipped tag, it or an ancestor below <body> is foreign)
        self._context: dict[lxml_html.HtmlElement, tuple[bool, bool]] = {}

    def skipped(self, element: lxml_html.HtmlElement | None) -> bool:
        """Is the text that ``element`` owns skipped?"""
        if element is None:
            return False
        if element.tag in SKIPPED_TAGS:
            return True
        skipped, foreign = self._above(element.getparent())
        return skipped or foreign

    def _above(self, element: lxml_html.HtmlElement | None) -> tuple[bool, bool]:
        """(``element`` or an ancestor is a skipped tag, ``element`` or an ancestor below
        ``<body>`` is foreign), from the nearest ancestor already known down."""
        chain = []
        while element is not None and element not in self._context:
            chain.append(element)
            element = element.getparent()
        skipped, foreign = self._context[element] if element is not None else (False, False)
        for node in reversed(chain):
            tag = node.tag
            skipped = skipped or tag in SKIPPED_TAGS
            # as in inside(): <body> and <html> end the search, and are never foreign themselves
            foreign = tag not in ("body", "html") and (
                foreign or tag in FOREIGN_DATE_TAGS or _foreign_marks(node))
            self._context[node] = (skipped, foreign)
        return skipped, foreign


def date_candidates(tree: lxml_html.HtmlElement, jsonld: dict[str, Any],
                    meta: dict[str, list[str]], url: str) -> list[dict[str, str]]:
    """Date strings in priority order with their kind (published / modified) and source."""
    found: list[dict[str, str]] = []
    if jsonld.get("datePublished"):
        found.append({"raw": jsonld["datePublished"], "source": "jsonld", "kind": "published"})
    if jsonld.get("dateModified"):
        found.append({"raw": jsonld["dateModified"], "source": "jsonld", "kind": "modified"})
    for kind, keys in (("published", PUBLISHED_META), ("modified", MODIFIED_META)):
        found += [{"raw": v, "source": "meta", "kind": kind} for key in keys for v in meta.get(key, [])]
    found += [{"raw": d, "source": "dateline", "kind": "published"} for d in dateline(tree)]
    day = url_date(url)
    if day:
        found.append({"raw": day, "source": "url", "kind": "published"})
    times = 0
    for element in TIME_ELEMENTS(tree):
        raw = clean(element.get("datetime") or element.get("content") or element.text_content())
        if not raw or in_foreign_context(element):
            continue
        marks = marks_of(element).lower()
        kind = "modified" if ("modified" in marks or "updated" in marks) else "published"
        found.append({"raw": raw, "source": "time", "kind": kind})
        times += 1
        if times == MAX_TIME_ELEMENTS:
            break
    return found
