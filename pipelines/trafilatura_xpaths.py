"""trafilatura's costliest XPath expressions, evaluated as one walk of the tree each.

Why: trafilatura prunes and searches its trees with XPath expressions whose tests are
EXSLT regular expressions (``re:test(@class, '...')``). lxml answers each ``re:test``
by calling back into Python for every element the step reaches, which made these ten
expressions ~10 ms of a worker's page (over the corpus, where the whole extraction took
~38 ms a page). The same tests written as a walk over the elements with those tags (lxml
filters the tags in C) and Python's ``re`` on their attributes select the same elements,
in the same order, in under a third of the time: ~3 ms a page
(``benchmarks/trafilatura_xpaths.py``). Hand-rolled because neither lxml nor trafilatura
offers a faster evaluation of these expressions.

How it stays exact: each walk is written from the text of one expression of
trafilatura 2.3.1 and carries the SHA-256 of that text (its first 16 hex digits).
:func:`install` puts a walk in place of its expression, inside trafilatura's own lists
or modules, only while the expression's text still has that digest, so a trafilatura
that changes an expression keeps its own XPath for it. The XPath rules the walks follow:

- ``re:test(@a, 'p')``: lxml runs Python's ``re.search('p', value)`` (flag ``'i'``:
  ``re.IGNORECASE``); an absent attribute is the empty string.
- ``@a|@b`` used as a string: the value of whichever of the two comes first among the
  element's attributes (a node-set's string is its first node in document order).
- ``@a='v'`` is false for an absent attribute; ``contains`` and ``starts-with`` of an
  absent one test the empty string.
- ``.//*[...]``: the descendants of the context element, not itself, in document order.
- ``.//*[...][1]``: among each parent's children, the first that passes;
  ``(.//*[...])[1]``: the first in the document.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lxml import etree

Walk = Callable[[Any], list[Any]]
#: an expression's place: trafilatura's module, its name there, the index in that list or None
Key = tuple[str, str, int | None]


def _first_of(element: Any, first: str, second: str) -> str:
    """XPath's string of ``@first|@second``: whichever of the two the element lists first."""
    for name, value in element.items():
        if name in (first, second):
            return value
    return ""


def _in_document_order(tree: Any, tags: Iterable[Any], test: Callable[[Any], bool]) -> list[Any]:
    return [element for element in tree.iterdescendants(*tags) if test(element)]


def _first_in_document(tree: Any, tags: Iterable[Any], test: Callable[[Any], bool]) -> list[Any]:
    for element in tree.iterdescendants(*tags):
        if test(element):
            return [element]
    return []


def _first_per_parent(tree: Any, tags: Iterable[Any], test: Callable[[Any], bool]) -> list[Any]:
    found, parents = [], set()
    for element in tree.iterdescendants(*tags):
        if test(element):
            parent = element.getparent()
            if parent not in parents:
                parents.add(parent)
                found.append(element)
    return found


# RAW_TREE_PRUNE_XPATH
_INFINITE = re.compile("mvp-post-add-(?:box|wrap)|infinite-?scroll")
_MVP = re.compile("mvp-post-add-(?:box|wrap)")
_CONTAINERS = ("div", "section", "aside")


def _infinite_scroll(element: Any) -> bool:
    ident, cls = element.get("id") or "", element.get("class") or ""
    return bool((_INFINITE.search(ident) or _INFINITE.search(cls))
                and (next(element.iterdescendants("h1"), None) is None
                     or _MVP.search(ident) or _MVP.search(cls)))


def _elementor_share(element: Any) -> bool:
    return "elementor-share-buttons" in (element.get("class") or "")


# REMOVE_COMMENTS_XPATH and REMOVE_COMMENTS_AND_LISTS_XPATH
_COMMENTS_ID = re.compile("^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)")
_COMMENTS_LIST_ID = re.compile("^(?:[Cc]omment(?!ary)|comol)")
_COMMENTS_CLASS = re.compile("^[Cc]omment(?!ary)|(?:article|post)-comments")
_COMMENT_TAGS = ("div", "list", "section", "details")


def _comments(element: Any) -> bool:
    return bool(_COMMENTS_ID.search(element.get("id") or "")
                or _COMMENTS_CLASS.search(element.get("class") or ""))


def _comments_or_list(element: Any) -> bool:
    ident, cls = element.get("id") or "", element.get("class") or ""
    return bool((_COMMENTS_ID.search(ident) or _COMMENTS_CLASS.search(cls))
                and (element.tag not in ("ol", "ul") or _COMMENTS_LIST_ID.search(ident)
                     or _COMMENTS_CLASS.search(cls)))


# OVERALL_DISCARD_XPATH
_DISCARD_TAGS = ("div", "item", "list", "p", "section", "span")
_DISCARD_ID = re.compile(
    "^shar|social|viral|newsletter|syndication|tags|sidebar|banner|bread-?crumb|button|author|"
    "^(?:jp-|dpsp-content)|bmdh|footer|Footer|share|Share|nav|Nav|menu|related|message-container|premium|^ad-")
_DISCARD_CLASS = re.compile(
    "^shar|social|viral|newsletter|syndication|tags|sidebar|banner|bread-?crumb|button|author|"
    "^(?:nav|post-nav|ZendeskForm)|subnav|avigation|navbar|navbox|menu|bar| ad |-ad-|(?:^| )ad-|dfp[Aa]d|"
    "outbrain|taboola|criteo|paid-?content|widget|footer|Footer|byline|Byline|share-|sociable|embedded|embed|"
    "tag-list|consent|modal-content|permission|elated|next-|-stories|most-popular|more-on|meta|rating|"
    "attachment|timestamp|user-info|user-profile|-icon|article-infos|message-container|slide|viewport|overlay|"
    "options|expand|obfuscated|blurred|mol-factbox|yin|zlylin|nfoline")
_HIDDEN_ID = re.compile("reader-comments|akismet")
_HIDDEN_CLASS = re.compile(
    "^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|hide-print| hidden| hide|"
    "noprint|notloaded")


# The string of @a|@b is one of the two values: _first_of (which lists the element's
# attributes) is asked only when either value passes the test.

def _discarded(element: Any) -> bool:
    ident, cls = element.get("id") or "", element.get("class") or ""
    return bool(_DISCARD_ID.search(ident) or _DISCARD_CLASS.search(cls)
                or ("cookie" in ident or "cookie" in cls) and "cookie" in _first_of(element, "id", "class")
                or element.get("data-lp-replacement-content") is not None
                or "nav" in (element.get("role") or "").replace("N", "n")
                or "MostPopularStories" in (element.get("data-component") or ""))


def _hidden(element: Any) -> bool:
    ident, cls, style = element.get("id") or "", element.get("class"), element.get("style") or ""
    return bool(cls == "comments-title"
                or (ident.startswith("reply-") or (cls or "").startswith("reply-"))
                and _first_of(element, "id", "class").startswith("reply-")
                or ("hidden" in ident or "hidden" in style) and "hidden" in _first_of(element, "id", "style")
                or "display:none" in style or "display: none" in style
                or _HIDDEN_ID.search(ident)
                or _HIDDEN_CLASS.search(cls or "")
                or element.get("aria-hidden") == "true")


# BODY_XPATH
_BODY_TAGS = ("article", "div", "main", "section")
_ARTICLE_ID = re.compile(
    "(?:entry|article|art)-content|article__content|article(?:-|__)?body|articleBody|body-text")
_ARTICLE_CLASS = re.compile(
    "post[-_]text|post-body|post-?entry|post[-_]?content|postContent|post_inner_wrapper|article-?text|"
    "articleText|(?:entry|page|text|article|art)-content|article__content|article(?:-|__)?body|articleBody|"
    "ArticleContent|body-text|article__container")
_STORY_ID = re.compile("^primary|story-body")
_FULLTEXT = re.compile("fulltext", re.IGNORECASE)
_STORY_CLASS = re.compile(
    "^article |post-bodycopy|story-?content|(?:theme|blog|section|single)-content|single-post|main-column|"
    "wpb_text_column|story-body|field-body")
_MAIN_ID = re.compile("content-main|content-body|contentBody")
_MAIN_CLASS = re.compile("content[-_]main|content(?:-|__)body")


def _article_body(element: Any) -> bool:
    cls, ident = element.get("class"), element.get("id")
    return bool(cls in ("post", "entry") or element.get("itemprop") == "articleBody"
                or ident == "articleContent"
                or _ARTICLE_ID.search(ident or "") or _ARTICLE_CLASS.search(cls or ""))


def _story(element: Any) -> bool:
    cls, ident = element.get("class"), element.get("id")
    return bool(element.get("role") == "article" or ident in ("article", "story")
                or cls in ("postarea", "art-postcontent", "text", "cell", "story")
                or _STORY_ID.search(ident or "") or _FULLTEXT.search(cls or "")
                or _STORY_CLASS.search(cls or ""))


def _main_content(element: Any) -> bool:
    cls, ident = element.get("class") or "", element.get("id") or ""
    return bool(ident == "content" or cls == "content"
                or _MAIN_ID.search(ident) or _MAIN_CLASS.search(cls)
                or "main-content" in ident.replace("C", "c").replace("M", "m")
                or "main-content" in cls.replace("C", "c").replace("M", "m")
                or "page-content" in cls.replace("C", "c").replace("P", "p"))


def _walk(select: Callable[[Any, Iterable[Any], Callable[[Any], bool]], list[Any]],
          tags: Iterable[Any], test: Callable[[Any], bool]) -> Walk:
    return lambda tree: select(tree, tags, test)


_ELEMENTS = (etree.Element,)

# BASIC_CLEAN_XPATH (trafilatura.settings, called from trafilatura.baseline)
_BASIC_TAGS = frozenset({"aside", "fencedframe", "footer", "script", "style", "svg", "template"})
_CONSENT = re.compile(
    "cookie[-_]?(?:banner|bar|consent|law|notice|policy|description)|notice[-_]{0,2}cookie"
    "|consent[-_]?(?:banner|manager|sdk)|borlabs|cookiebot|cmplz|onetrust|moove[-_]?gdpr", re.IGNORECASE)


#: a word that every match of _CONSENT holds, in lower case (each of its alternatives names one)
_CONSENT_STEMS = ("cookie", "consent", "borlabs", "cmplz", "onetrust", "moove")
#: the characters other than ASCII letters that re.IGNORECASE matches to an ASCII letter of those
#: words (found by trying every code point): dotted and dotless I, long s, the Kelvin sign
_FOLD_TO_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _consent(value: str) -> bool:
    """``_CONSENT.search(value)``, run only when the case-folded value holds one of its words:
    the case-insensitive search over its alternatives cost ~0.6 us a value, ~1.1 ms a page."""
    if not value:
        return False
    folded = value.lower() if value.isascii() else value.translate(_FOLD_TO_ASCII).lower()
    return any(stem in folded for stem in _CONSENT_STEMS) and _CONSENT.search(value) is not None


def _basic_clean(element: Any) -> bool:
    # one walk in document order selects the union of the expression's paths, each once
    tag, cls, ident = element.tag, element.get("class") or "", element.get("id") or ""
    return bool(tag in _BASIC_TAGS
                or tag == "div" and ("footer" in cls or "footer" in ident)
                and "footer" in _first_of(element, "class", "id")
                or _consent(cls) or _consent(ident))


#: an expression's place -> (SHA-256 of the expression's text, its walk)
WALKS: dict[Key, tuple[str, Walk]] = {
    ("xpaths", "RAW_TREE_PRUNE_XPATH", 0): (
        "01e7c660fd6406f2", _walk(_in_document_order, _CONTAINERS, _infinite_scroll)),
    ("xpaths", "RAW_TREE_PRUNE_XPATH", 1): (
        "3c7afe92279543d5", _walk(_in_document_order, _CONTAINERS, _elementor_share)),
    ("xpaths", "REMOVE_COMMENTS_XPATH", 0): (
        "5d97216ca15d0558", _walk(_in_document_order, _COMMENT_TAGS, _comments)),
    ("xpaths", "REMOVE_COMMENTS_AND_LISTS_XPATH", 0): (
        "9cc18d34e6e2d258", _walk(_in_document_order, _COMMENT_TAGS + ("ol", "ul"), _comments_or_list)),
    ("xpaths", "OVERALL_DISCARD_XPATH", 0): (
        "a837e58a1b1ea116", _walk(_in_document_order, _DISCARD_TAGS, _discarded)),
    ("xpaths", "OVERALL_DISCARD_XPATH", 1): (
        "c1d5b70b8cd03783", _walk(_in_document_order, _ELEMENTS, _hidden)),
    ("xpaths", "BODY_XPATH", 0): (
        "caaa561ceca17064", _walk(_first_per_parent, _BODY_TAGS, _article_body)),
    ("xpaths", "BODY_XPATH", 2): (
        "6c9b5e1fdc092943", _walk(_first_in_document, _BODY_TAGS, _story)),
    ("xpaths", "BODY_XPATH", 3): (
        "10a7ceacc0ff8cdf", _walk(_first_in_document, _BODY_TAGS, _main_content)),
    # baseline.py imported it from settings.py: basic_cleaning reads baseline's name for it
    ("baseline", "BASIC_CLEAN_XPATH", None): (
        "db6c25acd08aef99", _walk(_in_document_order, _ELEMENTS, _basic_clean)),
}


def digest(expression: etree.XPath) -> str:
    """The first 16 hex digits of the SHA-256 of an expression's text."""
    return hashlib.sha256(expression.path.encode()).hexdigest()[:16]


class WalkedXPath:
    """Stands in for one of trafilatura's XPath objects: called on a tree, it runs the walk."""

    def __init__(self, expression: etree.XPath, walk: Walk) -> None:
        self.xpath = expression
        self._walk = walk

    def __call__(self, tree: Any) -> list[Any]:
        return self._walk(tree)


def trafilatura_modules() -> dict[str, Any]:
    """The modules of trafilatura that hold the expressions (``trafilatura.baseline`` is
    also the name of a function there, hence the lookup by module name)."""
    return {name: importlib.import_module(f"trafilatura.{name}") for name in ("xpaths", "baseline")}


def expression_at(modules: Mapping[str, Any], key: Key) -> Any:
    """What stands at ``key`` in ``modules`` now (an XPath, a :class:`WalkedXPath`), or None."""
    module, name, index = key
    value = getattr(modules.get(module), name, None)
    if index is None:
        return value
    return value[index] if isinstance(value, list) and index < len(value) else None


def set_expression(modules: Mapping[str, Any], key: Key, value: Any) -> None:
    """Put ``value`` at ``key`` in ``modules``."""
    module, name, index = key
    if index is None:
        setattr(modules[module], name, value)
    else:
        getattr(modules[module], name)[index] = value


def install(modules: Mapping[str, Any] | None = None) -> list[Key]:
    """Put each walk in place of its expression; return the expressions replaced.

    Idempotent. An expression whose text no longer has the walk's digest keeps its XPath.
    ``modules``: where to look (:func:`trafilatura_modules` by default).
    """
    modules = trafilatura_modules() if modules is None else modules
    replaced = []
    for key, (expected, walk) in WALKS.items():
        current = expression_at(modules, key)
        if isinstance(current, WalkedXPath):
            replaced.append(key)
        elif isinstance(current, etree.XPath) and digest(current) == expected:
            set_expression(modules, key, WalkedXPath(current, walk))
            replaced.append(key)
    return replaced


def uninstall(modules: Mapping[str, Any] | None = None) -> None:
    """Put trafilatura's own expressions back (for comparisons and benchmarks)."""
    modules = trafilatura_modules() if modules is None else modules
    for key in WALKS:
        current = expression_at(modules, key)
        if isinstance(current, WalkedXPath):
            set_expression(modules, key, current.xpath)
