"""pipelines.trafilatura_xpaths: each walk selects what trafilatura's XPath selects, in the same order.

Compared on random trees built from the expressions' own words (every walk must both
select and pass over elements there, so a walk that selected nothing would fail), on the
bundled fixture pages end to end through ``bare_extraction``, and (when it is there) on
every page of the development corpus, raw and as trafilatura cleans and converts it.
"""

from __future__ import annotations

import gzip
import json
import random
import types
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
import trafilatura
from lxml import etree
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.settings import Extractor

from pipelines.extract import _parse
from pipelines.trafilatura_xpaths import (
    WALKS,
    WalkedXPath,
    digest,
    expression_at,
    install,
    trafilatura_modules,
    uninstall,
)
from tests.conftest import PAGES

TAGS = ("div", "section", "aside", "article", "main", "p", "span", "list", "item", "ol", "ul", "details",
        "h1", "a", "head", "ref", "footer", "script", "style", "svg", "template", "fencedframe")
ATTRIBUTES = ("id", "class", "style", "role", "data-component", "aria-hidden", "itemprop",
              "data-lp-replacement-content")
#: words of the expressions, near misses and their case variants
WORDS = ("comment", "Comment", "commentary", "comol", "disqus_thread", "dsq-comments", "article-comments",
         "post-comments", "mvp-post-add-box", "mvp-post-add-wrap", "infinite-scroll", "infinitescroll",
         "elementor-share-buttons", "share", "Share", "shar", "social", "nav", "Nav", "NAV", "menu", "navbar",
         "cookie", "Cookie", "tags", "tag-list", "author", "byline", "footer", " ad ", "ad-", "-ad-",
         "widget", "related", "elated", "meta", "premium", "MostPopularStories", "reply-", "reply", "hidden",
         "hide-",
         " hide", "display:none", "display: none", "reader-comments", "akismet", "message", "comments-title",
         "true", "false", "post", "entry", "articleBody", "articleContent", "article-content", "article-body",
         "body-text", "post-content", "article", "story", "text", "cell", "postarea", "primary", "story-body",
         "fulltext", "FullText", "article ", "single-post", "content", "content-main", "contentBody",
         "main-content", "Main-Content", "page-content", "Page-Content", "main", "cookie-banner",
         "Cookie_Notice", "notice--cookie", "consentmanager", "OneTrust", "moove-gdpr", "x", " ", "-", "")


def _value(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.choice((1, 1, 1, 2, 3))))


def _random_tree(rng: random.Random, elements: int = 40) -> Any:
    root = etree.Element("body")
    nodes = [root]
    for _ in range(elements):
        element = etree.SubElement(rng.choice(nodes), rng.choice(TAGS))
        names = rng.sample(ATTRIBUTES, rng.choice((0, 1, 1, 2, 3)))
        for name in names:
            element.set(name, _value(rng))
        element.text = "t"
        nodes.append(element)
    return root


def _expressions() -> list[tuple[Any, Any, Any]]:
    """(key, trafilatura's XPath, the walk) for every walk."""
    modules = trafilatura_modules()
    found = []
    for key, (_, walk) in WALKS.items():
        expression = expression_at(modules, key)
        found.append((key, getattr(expression, "xpath", expression), walk))
    return found


def _copies() -> dict[str, Any]:
    """trafilatura's modules' expressions, in namespaces of their own (lists copied)."""
    copies: dict[str, Any] = {}
    for module, name, _ in WALKS:
        value = getattr(trafilatura_modules()[module], name)
        namespace = copies.setdefault(module, types.SimpleNamespace())
        setattr(namespace, name, list(value) if isinstance(value, list) else value)
    return copies


def _walk(key: Any) -> Any:
    return WALKS[key][1]


def _assert_same(tree: Any, tally: dict[Any, list[int]] | None = None) -> None:
    for key, expression, walk in _expressions():
        expected, got = expression(tree), walk(tree)
        assert len(got) == len(expected) and all(a is b for a, b in zip(got, expected, strict=True)), key
        if tally is not None:
            tally[key][0] += len(expected)
            tally[key][1] += len(expected) < sum(1 for _ in tree.iterdescendants())


def test_every_walk_replaces_its_expression_on_this_trafilatura() -> None:
    copies = _copies()
    uninstall(copies)
    assert set(install(copies)) == set(WALKS)
    assert all(isinstance(expression_at(copies, key), WalkedXPath) for key in WALKS)
    assert set(install(copies)) == set(WALKS)  # idempotent
    uninstall(copies)
    assert all(isinstance(expression_at(copies, key), etree.XPath) for key in WALKS)


def test_a_changed_expression_keeps_its_xpath() -> None:
    copies = _copies()
    uninstall(copies)
    changed = etree.XPath(".//*[self::div][contains(@class, 'elementor-share-buttons') or @id='share']")
    copies["xpaths"].RAW_TREE_PRUNE_XPATH[1] = changed
    changed_too = etree.XPath(".//aside|.//footer")
    copies["baseline"].BASIC_CLEAN_XPATH = changed_too
    assert digest(changed) != WALKS[("xpaths", "RAW_TREE_PRUNE_XPATH", 1)][0]
    replaced = install(copies)
    kept = {("xpaths", "RAW_TREE_PRUNE_XPATH", 1), ("baseline", "BASIC_CLEAN_XPATH", None)}
    assert set(replaced) == set(WALKS) - kept
    assert copies["xpaths"].RAW_TREE_PRUNE_XPATH[1] is changed
    assert copies["baseline"].BASIC_CLEAN_XPATH is changed_too


def test_random_trees_give_the_same_elements_in_the_same_order() -> None:
    rng = random.Random(20261205)
    tally = {key: [0, 0] for key in WALKS}
    for _ in range(1500):
        tree = _random_tree(rng)
        _assert_same(tree, tally)
        inner = rng.choice(list(tree.iterdescendants()) or [tree])
        _assert_same(inner)  # a context element other than the root: its descendants only
    # every walk selected elements on some trees and passed over elements on others
    assert all(selected > 0 and passed > 0 for selected, passed in tally.values()), tally


def test_attribute_order_decides_a_union_of_two_attributes() -> None:
    # XPath's string of @id|@class is the value of the one written first
    tree = _parse('<html><body><div class="x"><span id="reply-1" class="cookie">a</span>'
                  '<span class="reply-2" id="cookies">b</span><p id="a" style="hidden">c</p>'
                  '<p id="hidden" style="a">d</p></div></body></html>')
    _assert_same(tree)
    assert [e.text for e in _walk(("xpaths", "OVERALL_DISCARD_XPATH", 1))(tree)] == ["a", "b", "d"]


#: the consent words of BASIC_CLEAN_XPATH (case-insensitive) in ASCII and non-ASCII case variants,
#: and near misses; the Kelvin sign, dotted and dotless I and long s match k, i and s there
CONSENT_VALUES = ("cookie-banner", "COOKIE_LAW", "Cookie-Notice", "CooKie-bar", "cookİe_policy",
                  "cookıe-description", "notice__COOKIE", "conſent-sdk", "CONSENT_manager", "consent",
                  "BorLabs", "cookieBOT", "cmplZ-x", "oneTrust", "moove_GDPR", "mooveGDPR", "moove-gd",
                  "cookies", "coookie-banner", "cook ie-law", "x cookie-banner y", "Kookie-bar")


def test_consent_words_in_any_case_are_read_as_the_xpath_reads_them() -> None:
    import re

    from pipelines.trafilatura_xpaths import _CONSENT_STEMS, _FOLD_TO_ASCII

    # every non-ASCII character that re.IGNORECASE takes for a letter of those words is folded
    letters = re.compile(f"[{''.join(sorted(set(''.join(_CONSENT_STEMS))))}]", re.IGNORECASE)
    found = {cp for cp in range(0x80, 0x110000) if letters.fullmatch(chr(cp))}
    assert found == set(_FOLD_TO_ASCII)
    body = "".join(f'<div class="{v}">{v}</div><span id="{v}">{v}</span><p class="a {v}">{v}</p>'
                   for v in CONSENT_VALUES)
    tree = _parse(f"<html><body>{body}</body></html>")
    _assert_same(tree)
    selected = {e.text for e in _walk(("baseline", "BASIC_CLEAN_XPATH", None))(tree)}
    assert {"CooKie-bar", "cookİe_policy", "cookıe-description", "conſent-sdk"} <= selected
    assert not selected & {"consent", "moove-gd", "cookies", "coookie-banner", "cook ie-law"}


def test_first_match_per_parent_and_first_in_document() -> None:
    tree = _parse('<html><body><div><div class="post">1</div><div class="entry">2</div></div>'
                  '<section><div class="post">3</div><div id="content">4</div></section>'
                  '<div id="content">5</div></body></html>')
    _assert_same(tree)
    assert [e.text for e in _walk(("xpaths", "BODY_XPATH", 0))(tree)] == ["1", "3"]
    assert [e.text for e in _walk(("xpaths", "BODY_XPATH", 3))(tree)] == ["4"]


def _fixture_pages() -> list[Any]:
    return [pytest.param(path, id=str(path.relative_to(PAGES))) for path in sorted(PAGES.rglob("*.htm*"))]


@pytest.mark.parametrize("path", _fixture_pages())
def test_fixture_pages_extract_the_same_with_the_walks(path: Path) -> None:
    raw = path.read_bytes()
    html = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8", "replace")
    results = []
    try:
        for walks in (False, True):
            (install if walks else uninstall)()
            for precision in (False, True):
                options = Extractor(output_format="python", with_metadata=True, precision=precision)
                options.url = "https://news.example/2024/05/a-story"
                document = trafilatura.bare_extraction(_parse(html), options=options).as_dict()
                results.append({name: etree.tostring(value) if isinstance(value, etree._Element) else value
                                for name, value in document.items()})
    finally:
        install()
    assert results[:2] == results[2:]
    _assert_same(_parse(html))


def _cleaned(tree: Any) -> Any:
    options = Extractor(output_format="python")
    return convert_tags(tree_cleaning(deepcopy(tree), options), options)


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_pages_raw_and_converted(corpus: Path) -> None:
    for name in ("fundus", "dates"):
        for line in (corpus / name / "truth.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            html = gzip.decompress((corpus / name / record["file"]).read_bytes()).decode("utf-8", "replace")
            tree = _parse(html)
            _assert_same(tree)
            _assert_same(_cleaned(tree))
