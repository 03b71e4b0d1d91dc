"""Tables for pipelines/signals.py: which visible elements become byline candidates."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from pipelines import signals as S


def _bylines(body: str) -> list[dict[str, object]]:
    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    return S.visible_bylines(tree)


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p><b>Ulrich Exner</b><span>Korrespondent</span></p>", "Ulrich Exner\nKorrespondent"),
        ("<p><span>Jane</span> <span>Doe</span></p>", "Jane Doe"),
        ("<p>By <a>Jane Doe</a></p>", "By Jane Doe"),
    ],
)
def test_glued_text(markup: str, text: str) -> None:
    element = lxml_html.fragment_fromstring(markup)
    assert S.glued_text(element) == text


@pytest.mark.parametrize(
    ("body", "texts"),
    [
        ('<h1>T</h1><div class="byline">By Jane Doe</div>', ["By Jane Doe"]),
        # related stories, comments and figures hold other people's names
        ('<div class="related-posts"><span class="author">John Roe</span></div>', []),
        ('<ol class="comment-list"><li><span class="comment-author">Kim</span></li></ol>', []),
        ('<figure><span class="author">Photo Agency</span></figure>', []),
        # a photo credit in a byline-looking element
        ('<span class="author">Foto: dpa/Jane Doe</span>', []),
        # the author's bio and avatar are not the byline
        ('<div class="author-bio">Jane writes about cats.</div>', []),
        ('<div class="author__avatar">JD</div>', []),
        # "credit" classes are photo credits, not bylines
        ('<span class="credit">Jane Doe</span>', []),
    ],
)
def test_visible_bylines_skip_foreign_elements(body: str, texts: list[str]) -> None:
    assert [c["text"] for c in _bylines(body)] == texts


def test_visible_bylines_group_and_leaf() -> None:
    found = _bylines('<h1>T</h1><div class="byline">Von <a class="author-name">Jane Doe</a></div>'
                     '<p class="byline">John Roe</p>')
    assert [(c["text"], c["group"], c["leaf"], c["after_h1"]) for c in found] == [
        ("Von Jane Doe", 0, False, True), ("Jane Doe", 0, True, True), ("John Roe", 1, True, True)]


def test_visible_bylines_before_h1_are_marked() -> None:
    found = _bylines('<p class="byline">John Roe</p><h1>T</h1><p class="byline">Jane Doe</p>')
    assert [(c["text"], c["after_h1"]) for c in found] == [("John Roe", False), ("Jane Doe", True)]


def _labelled(body: str) -> list[tuple[str, bool]]:
    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    return [(str(c["text"]), bool(c["after_h1"])) for c in S.labelled_bylines(tree, first_group=5)]


@pytest.mark.parametrize(
    ("body", "found"),
    [
        # a label element, then the name as its tail
        ("<h1>T</h1><ul><li><strong>Autorin/Autor</strong>\nJane Doe</li></ul>",
         [("Autorin/Autor\nJane Doe", True)]),
        # a label as the element's own leading text, names in child elements
        ('<h1>T</h1><ul><li>Von: <span><a href="/jane">Jane Doe</a>,</span>'
         '<span><a href="/john">John Roe</a></span></li></ul>', [("Von: Jane Doe\n,\nJohn Roe", True)]),
        ('<p>von <a href="/autoren/jane-doe">Dr. Jane Doe</a></p><h1>T</h1>', [("von Dr. Jane Doe", False)]),
        # no label, a label with nothing after it, a long paragraph, a comment
        ("<p>Jane Doe</p>", []),
        ("<p><b>By</b></p>", []),
        ("<p>By " + "word " * 60 + "</p>", []),
        ('<div class="comments"><p>Von: Kim Roe</p></div>', []),
        # a word that only starts like a label
        ("<p>Bye bye, Jane Doe</p>", []),
    ],
)
def test_labelled_bylines(body: str, found: list[tuple[str, bool]]) -> None:
    assert _labelled(body) == found


def test_promoted_article_is_not_a_promo_box() -> None:
    found = _bylines('<article class="node--promoted"><h1>T</h1><div class="byline">Jane Doe</div></article>')
    assert [c["text"] for c in found] == ["Jane Doe"]


_TEXT = "<p>First paragraph of the story.</p><p>Second paragraph.</p><p>Third paragraph.</p>"


@pytest.mark.parametrize(
    ("body", "texts"),
    [
        (f"<div><p>&nbsp;</p><p><strong>Jane Doe</strong></p>{_TEXT}</div>", ["Jane Doe"]),
        (f"<div><p><em>A lead.</em></p><p><strong>JANE DOE/John Roe</strong></p>{_TEXT}</div>",
         ["JANE DOE/John Roe"]),
        # subheads, a bold run inside a sentence, a name deep in the text, too few paragraphs
        (f"<div><p><strong>Best value airer, 8/10</strong></p>{_TEXT}</div>", []),
        (f"<div><p><strong>A preventable crisis.</strong></p>{_TEXT}</div>", []),
        (f"<div><p><strong>Jane Doe</strong> said so.</p>{_TEXT}</div>", []),
        (f"<div>{_TEXT}<p><strong>Jane Doe</strong></p></div>", []),
        ("<div><p><strong>Jane Doe</strong></p><p>Only text.</p></div>", []),
        (f'<div class="related"><p><b>Jane Doe</b></p>{_TEXT}</div>', []),
    ],
)
def test_bold_lead_bylines(body: str, texts: list[str]) -> None:
    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    found = S.bold_lead_bylines(tree, first_group=3)
    assert [c["text"] for c in found] == texts
    assert all(c["group"] >= 3 for c in found)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<nav class="breadcrumb"><a href="/">Home</a><h1>Seo headline</h1></nav><h2>Shown</h2>',
         ["Seo headline"]),
        ('<ol class="c-breadcrumb__list"><li><h1 class="c-breadcrumb__title">Seo</h1></li></ol>', ["Seo"]),
        ('<div class="kick__article__header__crumb"><h1>Seo</h1></div>', ["Seo"]),
        ("<header><h1>Shown headline</h1></header>", []),
    ],
)
def test_h1_in_navigation(body: str, expected: list[str]) -> None:
    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    assert S.collect_signals(tree, "https://x.example/a")["h1_navigation"] == expected


def test_author_profile_urls_travel_with_the_names() -> None:
    page = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", "author": ['
            '{"@id": "https://x.example/author/admin/", "name": "Gazette D"}, {"name": "Jane Doe"}]}'
            '</script></head><body><h1>T</h1>'
            '<a rel="author" href="/author/jane-doe">Jane Doe</a></body></html>')
    found = S.collect_signals(lxml_html.document_fromstring(page), "https://x.example/a")["byline_candidates"]
    assert [(c["text"], c["source"], c.get("url")) for c in found] == [
        ("Gazette D", "jsonld", "https://x.example/author/admin/"), ("Jane Doe", "jsonld", None),
        ("Jane Doe", "rel-author", "/author/jane-doe")]


@pytest.mark.parametrize(
    "marks",
    ["entry-byline  ", "c-Author__name  ", "AUTEUR", "autorin box", "post-writer", "meta date",
     "by-line", "", "Ꮩ author", "bylİne", "ᴀuthor", "\u212aey"],
)
def test_byline_marked_is_the_class_pattern(marks: str) -> None:
    # the ASCII fast path answers as BYLINE_CLASS_RE does; other marks go through the regex
    assert S._byline_marked(marks) is bool(S.BYLINE_CLASS_RE.search(marks))
