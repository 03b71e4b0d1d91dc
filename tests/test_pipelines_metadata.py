"""pipelines.metadata reads what trafilatura's extract_metadata reads, minus the licence.

Compared field by field with ``trafilatura.metadata.extract_metadata`` on every bundled
fixture page, on hand-made pages that exercise the author search's pruning and the
category/tag link searches, and (when it is there) on the whole development corpus.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from trafilatura.metadata import extract_author, extract_metadata
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from pipelines.extract import _parse
from pipelines.metadata import author_elements, author_from_elements, page_metadata
from tests.conftest import PAGES

DATE_PARAMS = {"original_date": True, "extensive_search": True, "max_date": "2030-01-01"}
#: Document slots that are not metadata (trees, extracted text) or are left out on purpose
NOT_COMPARED = {"body", "commentsbody", "comments", "raw_text", "text", "license"}

HEAD = "<head><title>Harbour wall plan approved | Harbour Gazette</title></head>"
PAGES_BY_CASE = {
    "author class": f"<html>{HEAD}<body><p class='author'>Jane Doe</p><p>Text.</p></body></html>",
    "author inside comments": (
        f"<html>{HEAD}<body><div class='comments'><span class='author-name'>Troll</span></div>"
        "<div class='byline'>By Jane Doe</div></body></html>"),
    "author inside a comment list": (
        f"<html>{HEAD}<body><div class='commentlist'><span class='author-name'>Troll</span></div>"
        "<div id='comment-list-2'><p class='author'>Troll Two</p></div><p class='byline'>By Jane Doe</p>"
        "</body></html>"),
    "date pruned inside byline": (
        f"<html>{HEAD}<body><div class='byline'>By <a>Jane Doe</a><time>3 March 2020</time> and"
        " <span class='date'>today</span> tail</div></body></html>"),
    "author in figure": (
        f"<html>{HEAD}<body><figure><span class='author'>Photo Desk</span></figure>"
        "<span id='Author-box'>Max Mustermann</span></body></html>"),
    "too long first": (
        f"<html>{HEAD}<body><div class='author'>{'x' * 130}</div>"
        "<p class='post-author'>Ana Silva</p></body></html>"),
    "no author": f"<html>{HEAD}<body><p>Only text here.</p></body></html>",
    "rel child element": (
        f"<html>{HEAD}<body><p><rel>me</rel> Jane Doe</p><div class='sidebar'><author>Side Bar</author>"
        "</div><div data-testid='AuthorCard'>Ana <figure>Photo</figure>Silva</div></body></html>"),
    "category links": (
        f"<html>{HEAD}<body><div class='entry-meta'><a href='/category/politics/'>Politics</a>"
        "<a href='/tag/harbour/'>harbour</a></div><div class='tags'><a href='/tags/sea/'>sea</a></div>"
        "</body></html>"),
    "category lookalikes": (
        f"<html>{HEAD}<body><div class='entry-meta'><a href='/categorical'>Nope</a>"
        "<a href='/tagesschau/'>Tagesschau</a></div></body></html>"),
    "section meta fallback": (
        "<html><head><title>T</title><meta property='article:section' content='Lokales'>"
        "<meta name='dc.subject' content='Hafen'></head><body><p>Text.</p></body></html>"),
}


def _fields(document: Any) -> dict[str, Any]:
    return {name: value for name, value in document.as_dict().items() if name not in NOT_COMPARED}


def _fixture_pages() -> list[Any]:
    found = []
    for path in sorted(PAGES.rglob("*.htm*")):
        raw = path.read_bytes()
        html = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8", "replace")
        found.append(pytest.param(html, id=str(path.relative_to(PAGES))))
    return found


def _assert_same(html: str, url: str) -> None:
    tree = _parse(html)
    assert _fields(page_metadata(tree, url, DATE_PARAMS)) == _fields(extract_metadata(tree, url, DATE_PARAMS))
    assert author_from_elements(tree) == extract_author(tree)


@pytest.mark.parametrize("html", _fixture_pages())
def test_fixture_pages_give_trafilaturas_metadata(html: str) -> None:
    _assert_same(html, "https://news.example/2024/05/harbour-wall-plan-approved")


@pytest.mark.parametrize("case", sorted(PAGES_BY_CASE))
def test_made_pages_give_trafilaturas_metadata(case: str) -> None:
    _assert_same(PAGES_BY_CASE[case], "https://news.example/2024/05/harbour-wall-plan-approved")


def test_made_pages_reach_each_branch() -> None:
    # the cases above are only worth something if they find what they are about
    authors = {case: author_from_elements(_parse(html)) for case, html in PAGES_BY_CASE.items()}
    assert authors["author inside comments"] == "Jane Doe"  # not the commenter
    assert authors["author inside a comment list"] == "Jane Doe"
    # the <time> and the class="date" element are pruned from the byline's text, their tails kept
    assert authors["date pruned inside byline"] == "Jane Doe; Tail"
    assert authors["author in figure"] == "Max Mustermann"
    assert authors["too long first"] == "Ana Silva"
    assert authors["no author"] is None
    assert authors["rel child element"] == "Me Jane Doe"
    url = "https://news.example/a"
    links = page_metadata(_parse(PAGES_BY_CASE["category links"]), url, DATE_PARAMS)
    assert (links.categories, links.tags) == (["Politics"], ["sea"])
    lookalikes = page_metadata(_parse(PAGES_BY_CASE["category lookalikes"]), url, DATE_PARAMS)
    assert (lookalikes.categories, lookalikes.tags) == ([], [])
    section = page_metadata(_parse(PAGES_BY_CASE["section meta fallback"]), url, DATE_PARAMS)
    assert section.categories == ["Lokales", "Hafen"]


@pytest.mark.parametrize("html", _fixture_pages() + [pytest.param(h, id=c) for c, h in PAGES_BY_CASE.items()])
def test_one_walk_selects_trafilaturas_elements(html: str) -> None:
    tree = _parse(html)
    theirs = [expression(tree) for expression in AUTHOR_XPATHS + AUTHOR_DISCARD_XPATHS]
    assert list(author_elements(tree)) == theirs


def _xpath_words() -> list[str]:
    """Every literal of trafilatura's author XPaths, their regular expressions spelled out."""
    words = set()
    for expression in AUTHOR_XPATHS + AUTHOR_DISCARD_XPATHS:
        for literal in re.findall(r"'([^']+)'", expression.path):
            literal = re.sub(r"([\w-]*)\(\?:(\w+)\|(\w+)\)", r"\1\2|\1\3", literal)  # a-(?:b|c): a-b|a-c
            for word in literal.lstrip("^").replace("|^", "|").split("|"):
                for variant in (word.replace("-?", ""), word.replace("-?", "-")):
                    words.update(re.sub(r"\[(\w)\w\]", case, variant) for case in (r"\1", lambda m: m[0][2]))
    return sorted(words)


def test_one_walk_selects_what_the_xpaths_select_for_each_of_their_words() -> None:
    # every tag, attribute and word of the XPaths, alone, inside other words and as a prefix
    tags = ("a", "address", "div", "h3", "h4", "link", "p", "section", "span", "strong", "li", "time",
            "figure", "author")
    attributes = ("class", "id", "itemprop", "rel", "data-testid", "data-component")
    elements = "".join(
        f'<{tag} {attribute}="{value}">x</{tag}>'
        for tag in tags for attribute in attributes for word in _xpath_words()
        for value in (word, f"x {word} y", f"{word}s", f"pre{word}", word.upper()))
    tree = _parse(f"<html>{HEAD}<body><div>{elements}</div><span><rel>me</rel></span></body></html>")
    theirs = [expression(tree) for expression in AUTHOR_XPATHS + AUTHOR_DISCARD_XPATHS]
    assert all(theirs)  # each expression selects something here
    assert list(author_elements(tree)) == theirs


def test_one_walk_scopes_the_relative_discard_xpath_to_the_tree() -> None:
    # AUTHOR_DISCARD_XPATHS[0] is ".//*": below the element it is asked of, not the whole page
    tree = _parse(PAGES_BY_CASE["author inside comments"])
    body = tree.find("body")
    assert [e.get("class") for e in author_elements(body)[3]] == ["comments"]
    outside = tree.find("body/div")
    assert author_elements(outside)[3] == AUTHOR_DISCARD_XPATHS[0](outside) == []


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_pages_give_trafilaturas_metadata(corpus: Path) -> None:
    differ = []
    for name in ("fundus", "dates"):
        for line in (corpus / name / "truth.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            html = gzip.decompress((corpus / name / record["file"]).read_bytes()).decode("utf-8", "replace")
            tree = _parse(html)
            ours = _fields(page_metadata(tree, record["url"], DATE_PARAMS))
            if ours != _fields(extract_metadata(tree, record["url"], DATE_PARAMS)):
                differ.append(record["id"])
    assert differ == []
