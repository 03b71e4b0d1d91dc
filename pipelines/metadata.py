"""trafilatura's page metadata, read the way ``trafilatura.metadata.extract_metadata`` reads it, cheaper.

:func:`page_metadata` gives the same :class:`trafilatura.settings.Document` fields as
``extract_metadata`` (title, author, url, hostname, date, sitename, categories, tags,
description, ...), read from the tree the crawl parsed, with three costs removed:

- the licence search (``extract_license``, ~1.2 ms a page): nothing here stores a licence;
- the author search's copy of the whole page (``extract_author`` deep-copies the tree to
  prune comments, dates and figures from it before its XPaths look for an author: ~11 ms
  on each page without a meta or JSON-LD author). Here the XPaths run on the page as it
  is, an element under a pruned one is skipped, and only a candidate's own subtree is
  copied and pruned to read its text, which gives the same text;
- the category and tag link searches when no link of the page has a category or tag
  address: their XPaths (EXSLT regular expressions, a Python call for every ``class``)
  keep only links whose ``href`` matches, so none can match then.

Hand-rolled over trafilatura's own readers (no library offers the cheaper equivalent);
``tests/test_pipelines_metadata.py`` checks the result against ``extract_metadata`` on
the fixtures and generated pages, so a trafilatura upgrade that changes them is caught.
Pure; reads no settings.
"""

from __future__ import annotations

import contextlib
import re
from copy import deepcopy
from typing import Any

from courlan import extract_domain
from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_catstags,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import line_processing, trim

#: the Document fields extract_metadata fills (bare_extraction's own are the text and trees)
METADATA_FIELDS = tuple(name for name in Document.__slots__
                        if name not in {"body", "comments", "commentsbody", "raw_text", "text", "license"})
#: extract_metainfo's bounds on an author text
AUTHOR_MAX_CHARS = 120


def _contains(attribute: str, *words: str) -> str:
    return "(" + " or ".join(f"contains({attribute}, '{word}')" for word in words) + ")"


# trafilatura.xpaths.AUTHOR_XPATHS and AUTHOR_DISCARD_XPATHS, their EXSLT regular expressions
# (alternations of literals) spelt as contains()/starts-with(): lxml runs those in C, while
# re:test calls Python for every element with a class or id, ~4 times the cost of the search.
# The same elements, in the same order (tests/test_pipelines_metadata.py compares them).
AUTHOR_PATHS = (
    XPath("//*[self::a or self::address or self::div or self::link or self::p or self::span or self::strong]"
          "[@rel='author' or @id='author' or @class='author' or @itemprop='author name' or rel='me'"
          " or @data-testid='AuthorCard' or @data-testid='AuthorURL' or "
          + _contains("@class", "authorname", "author-name", "AuthorName", "authorName") + "]|//author"),
    XPath("//*[self::a or self::div or self::h3 or self::h4 or self::p or self::span]"
          "[@class='byline' or @class='username' or @class='byl' or @class='BBL'"
          " or contains(@itemprop, 'author') or "
          + _contains("@id", "author", "zuozhe", "bianji", "xiaobian") + " or "
          + _contains("@class", "author", "channel-name", "zuozhe", "bianji", "xiaobian", "submitted-by",
                      "posted-by", "journalist-name") + "]"),
    XPath("//*[contains(@data-component, 'Byline') or contains(@itemprop, 'author') or "
          + _contains("@id", "Author", "author") + " or "
          + _contains("@class", "Author", "author", "screenname", "writer", "Byline", "byline") + "]"),
)
AUTHOR_DISCARD_PATHS = (
    XPath(".//*[self::a or self::div or self::section or self::span]"
          "[@id='comments' or @class='comments' or @class='title' or @class='date'"
          " or starts-with(@id, 'comments') or "
          + _contains("@id", "commentlist", "comment-list", "ProductReviews")
          + " or starts-with(@class, 'Comments') or starts-with(@class, 'comments') or "
          + _contains("@class", "commentlist", "comments-list", "sidebar", "is-hidden", "quote",
                      "embedly-instagram", "article-share", "article-support", "print", "category",
                      "meta-date", "meta-reviewer")
          + " or contains(@data-component, 'Figure')]"),
    XPath("//time|//figure"),
)
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
    pruned = {element for expression in AUTHOR_DISCARD_PATHS for element in expression(tree)}
    for expression in AUTHOR_PATHS:
        for element in expression(tree):
            if element in pruned or any(a in pruned for a in element.iterancestors()):
                continue
            subtree = element
            if any(d in pruned for d in element.iterdescendants()):
                subtree = prune_unwanted_nodes(deepcopy(element), list(AUTHOR_DISCARD_PATHS))
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
        metadata = extract_meta_json(tree, metadata)
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
