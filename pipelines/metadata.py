"""trafilatura's page metadata, read the way ``trafilatura.metadata.extract_metadata`` reads it, cheaper.

:func:`page_metadata` gives the same :class:`trafilatura.settings.Document` fields as
``extract_metadata`` (title, author, url, hostname, date, sitename, categories, tags,
description, ...), read from the tree the crawl parsed, with four costs removed:

- the licence search (``extract_license``, ~1.2 ms a page): nothing here stores a licence;
- the author search's copy of the whole page (``extract_author`` deep-copies the tree to
  prune comments, dates and figures from it before its XPaths look for an author: ~11 ms
  on each page without a meta or JSON-LD author). Here one walk over the page as it is
  finds what those XPaths select (:func:`author_elements`), an element under a pruned one
  is skipped, and only a candidate's own subtree is copied and pruned to read its text,
  which gives the same text;
- the category and tag link searches when no link of the page has a category or tag
  address: their XPaths (EXSLT regular expressions, a Python call for every ``class``)
  keep only links whose ``href`` matches, so none can match then;
- the quadratic author search in JSON-LD that does not parse (:mod:`pipelines.jsonld_metadata`).

Hand-rolled over trafilatura's own readers (no library offers the cheaper equivalent);
``tests/test_pipelines_metadata.py`` checks the result against ``extract_metadata`` on
the fixtures and generated pages, so a trafilatura upgrade that changes them is caught.
Pure; reads no settings.
"""

from __future__ import annotations

import contextlib
import re
from copy import deepcopy
from itertools import chain
from typing import Any

from courlan import extract_domain
from htmldate import find_date
from lxml import etree
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_catstags,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import line_processing, trim
from trafilatura.xml import delete_element

from pipelines.jsonld_metadata import jsonld_metadata

#: the Document fields extract_metadata fills (bare_extraction's own are the text and trees)
METADATA_FIELDS = tuple(name for name in Document.__slots__
                        if name not in {"body", "comments", "commentsbody", "raw_text", "text", "license"})
#: extract_metainfo's bounds on an author text
AUTHOR_MAX_CHARS = 120


def _any_of(*words: str) -> re.Pattern[str]:
    """A pattern that finds any of ``words`` in a string, as ``contains()`` of each or-ed together."""
    return re.compile("|".join(map(re.escape, words)))


#: the tags and attribute words of trafilatura.xpaths.AUTHOR_XPATHS and AUTHOR_DISCARD_XPATHS:
#: contains() (or re:test) of any word, and the values tested for equality or as a prefix
AUTHOR_TAGS = (frozenset({"a", "address", "div", "link", "p", "span", "strong"}),
               frozenset({"a", "div", "h3", "h4", "p", "span"}))
AUTHOR_CLASS_WORDS = (("authorname", "author-name", "AuthorName", "authorName"),
                      ("author", "channel-name", "zuozhe", "bianji", "xiaobian", "submitted-by", "posted-by",
                       "journalist-name"),
                      ("Author", "author", "screenname", "writer", "Byline", "byline"))
AUTHOR_CLASS_VALUES = (("author",), ("byline", "username", "byl", "BBL"))
AUTHOR_ID_WORDS = (("author", "zuozhe", "bianji", "xiaobian"), ("Author", "author"))
AUTHOR_TEST_IDS = ("AuthorCard", "AuthorURL")
DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
DISCARD_CLASS_WORDS = ("commentlist", "comments-list", "sidebar", "is-hidden", "quote", "embedly-instagram",
                       "article-share", "article-support", "print", "category", "meta-date", "meta-reviewer")
DISCARD_CLASS_VALUES = ("comments", "title", "date")
DISCARD_CLASS_PREFIXES = ("comments", "Comments")
DISCARD_ID_WORDS = ("commentlist", "comment-list", "ProductReviews")
AUTHOR_CLASS = tuple(_any_of(*words) for words in AUTHOR_CLASS_WORDS)
AUTHOR_ID = tuple(_any_of(*words) for words in AUTHOR_ID_WORDS)
DISCARD_CLASS = _any_of(*DISCARD_CLASS_WORDS)
DISCARD_ID = _any_of(*DISCARD_ID_WORDS)
#: a class or id that holds none of the words or values above fails every test of it, so most of
#: the page's elements need no closer look (built from them: a word left out would lose matches)
MARKED_CLASS = _any_of(*chain(*AUTHOR_CLASS_WORDS, *AUTHOR_CLASS_VALUES, DISCARD_CLASS_WORDS,
                              DISCARD_CLASS_VALUES, DISCARD_CLASS_PREFIXES))
MARKED_ID = _any_of(*chain(*AUTHOR_ID_WORDS, DISCARD_ID_WORDS, ("comments",)))


def _discarded(element: HtmlElement) -> bool:
    """Does AUTHOR_DISCARD_XPATHS' first expression select ``element`` (were it below the tree)?"""
    if element.tag not in DISCARD_TAGS:
        return False
    ident, cls = element.get("id", ""), element.get("class", "")
    return (ident.startswith("comments") or cls in DISCARD_CLASS_VALUES
            or cls.startswith(DISCARD_CLASS_PREFIXES) or "Figure" in element.get("data-component", "")
            or DISCARD_ID.search(ident) is not None or DISCARD_CLASS.search(cls) is not None)


def author_elements(tree: HtmlElement) -> tuple[list[HtmlElement], ...]:
    """What trafilatura's author XPaths select, in one walk over the page.

    Returns five lists in page order: the elements of ``AUTHOR_XPATHS``' three
    expressions, then of ``AUTHOR_DISCARD_XPATHS``' two. Hand-rolled (no library
    evaluates XPath faster than lxml): lxml evaluates each of the ~40 clauses of those
    XPaths for every element of the page, five walks in all; one walk that looks closer
    only at elements whose class or id holds one of their words cut the author search
    from 18 to 2.3 ms a call on the corpus pages that need it. The XPaths test an
    element's tag and attributes only (and, in one clause, a ``rel`` child element), so
    plain string tests give the same answer; ``tests/test_pipelines_metadata.py``
    compares the lists with the XPaths' own.
    """
    root = tree.getroottree().getroot()
    # "rel='me'" in AUTHOR_XPATHS tests for a child *element* <rel>me</rel>, not an attribute
    rel_me = {rel.getparent() for rel in root.iter("rel") if rel.text_content() == "me"}
    first: list[HtmlElement] = []
    second: list[HtmlElement] = []
    third: list[HtmlElement] = []
    discard: list[HtmlElement] = []
    figures: list[HtmlElement] = []
    for element in root.iter(etree.Element):
        tag = element.tag
        if tag == "time" or tag == "figure":
            figures.append(element)
        cls, ident = element.get("class", ""), element.get("id", "")
        itemprop, component = element.get("itemprop", ""), element.get("data-component", "")
        if not (cls and MARKED_CLASS.search(cls) or ident and MARKED_ID.search(ident) or "author" in itemprop
                or "Byline" in component or "Figure" in component or tag == "author"
                or element.get("rel") == "author" or element.get("data-testid") in AUTHOR_TEST_IDS
                or element in rel_me):
            continue
        if tag == "author" or tag in AUTHOR_TAGS[0] and (
                element.get("rel") == "author" or ident == "author" or cls in AUTHOR_CLASS_VALUES[0]
                or itemprop == "author name" or element.get("data-testid") in AUTHOR_TEST_IDS
                or AUTHOR_CLASS[0].search(cls) is not None or element in rel_me):
            first.append(element)
        if tag in AUTHOR_TAGS[1] and (
                cls in AUTHOR_CLASS_VALUES[1] or "author" in itemprop
                or AUTHOR_ID[0].search(ident) is not None or AUTHOR_CLASS[1].search(cls) is not None):
            second.append(element)
        if ("author" in itemprop or AUTHOR_ID[1].search(ident) is not None
                or AUTHOR_CLASS[2].search(cls) is not None or "Byline" in component):
            third.append(element)
        # the first discard XPath is relative (".//*"): the tree's descendants only
        if element is not tree and _discarded(element) and (tree is root or tree in element.iterancestors()):
            discard.append(element)
    return first, second, third, discard, figures


def _pruned_copy(element: HtmlElement) -> HtmlElement:
    """A copy of ``element`` with what AUTHOR_DISCARD_XPATHS selects in it deleted, tails kept.

    As trafilatura's ``prune_unwanted_nodes`` does on its copy of the page: the first
    expression's matches, then ``//time|//figure`` in what is left.
    """
    copy = deepcopy(element)
    for match in [e for e in copy.iterdescendants(etree.Element) if _discarded(e)]:
        delete_element(match)
    for match in list(copy.iter("time", "figure")):
        delete_element(match)
    return copy


#: links extract_catstags could keep: its href patterns are "/categor(y|ies|s)?/" and
#: "/tag(y|ies|s)?/", so every such href contains one of these
CATSTAGS_LINKS = {
    "category": (XPath("//a[contains(@href, '/categor')]/@href"), re.compile(r"/categor(?:y|ies|s)?/")),
    "tag": (XPath("//a[contains(@href, '/tag')]/@href"), re.compile(r"/tag(?:y|ies|s)?/")),
}
#: extract_catstags' category fallback
SECTION_META = XPath('.//head//meta[@property="article:section" or contains(@name, "subject")][@content]')


def author_from_elements(tree: HtmlElement) -> str | None:
    """``trafilatura.metadata.extract_author`` without copying the whole page.

    extract_author prunes ``AUTHOR_DISCARD_XPATHS`` from a copy of the page, then takes
    the first ``AUTHOR_XPATHS`` match whose text has 3 to 119 characters. Those discard
    XPaths test an element's own tag and attributes only, so an element survives the
    pruning exactly when neither it nor an ancestor matches one; its text is read from a
    copy of its own subtree pruned the same way (a pruned element's tail joins its
    previous sibling or parent there, as in the whole-page copy).
    """
    *candidates, discard, figures = author_elements(tree)
    pruned = {*discard, *figures}
    holders: set[HtmlElement] | None = None  # the ancestors of pruned elements, found when first needed
    for matches in candidates:
        for element in matches:
            if element in pruned or any(a in pruned for a in element.iterancestors()):
                continue
            if holders is None:
                holders = {a for p in pruned for a in p.iterancestors()}
            subtree = _pruned_copy(element) if element in holders else element
            content = trim(" ".join(subtree.itertext()))
            if content and 2 < len(content) < AUTHOR_MAX_CHARS:
                return normalize_authors(None, content)
    return None


def terms_from_links(metatype: str, tree: HtmlElement) -> list[str]:
    """``trafilatura.metadata.extract_catstags``, skipping its link searches when none can match."""
    candidates, pattern = CATSTAGS_LINKS[metatype]
    if any(pattern.search(href) for href in candidates(tree)):
        return extract_catstags(metatype, tree)
    if metatype != "category":
        return []
    # extract_catstags' fallback for categories, as it reads it: the section meta tags
    found = (element.attrib["content"] for element in SECTION_META(tree))
    return [term for term in dict.fromkeys(line_processing(x) for x in found if x) if term]


def page_metadata(tree: HtmlElement, url: str | None, date_params: dict[str, Any]) -> Document:
    """The metadata ``extract_metadata(tree, url, date_params)`` gives, but the licence.

    ``tree`` is read, never changed.
    """
    date_config = {**date_params}
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    # as extract_metadata: a bug in trafilatura's JSON-LD reader costs the JSON-LD fields only
    with contextlib.suppress(Exception):
        metadata = jsonld_metadata(tree, metadata)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = author_from_elements(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if metadata.url:
        metadata.hostname = extract_domain(metadata.url, fast=True)
    date_config["url"] = metadata.url
    metadata.date = find_date(tree, **date_config)
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url:
        match = META_URL.match(metadata.url)
        if match:
            metadata.sitename = match[1]
    if not metadata.categories:
        metadata.categories = terms_from_links("category", tree)
    if not metadata.tags:
        metadata.tags = terms_from_links("tag", tree)
    metadata.filedate = date_config.get("max_date")
    metadata.clean_and_trim()
    return metadata
