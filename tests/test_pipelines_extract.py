from __future__ import annotations

import pytest

from pipelines.body import extract_body
from pipelines.extract import (
    _parse,
    build_options,
    count_words,
    extract_article,
    is_article_page,
    language_code,
    usable_canonical,
)

FETCHED = "https://news.example.com/2024/03/14/story?utm_source=rss"


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("https://news.example.com/2024/03/14/story", "https://news.example.com/2024/03/14/story"),
        ("/2024/03/14/story", "https://news.example.com/2024/03/14/story"),  # relative: resolved
        ("https://www.example.com/a/story#top", "https://www.example.com/a/story"),  # same site, no fragment
        ("https://news.example.com/", None),  # the home page is not this article
        ("https://news.example.com", None),
        ("https://other-site.org/2024/story", None),  # another site
        ("javascript:void(0)", None),
        ("", None),
        (None, None),
    ],
)
def test_usable_canonical(candidate: str | None, expected: str | None) -> None:
    assert usable_canonical(candidate, FETCHED) == expected


def test_canonical_of_a_file_page_needs_only_a_web_address() -> None:
    assert usable_canonical("https://a.org/x", "file:///tmp/x.html") == "https://a.org/x"


@pytest.mark.parametrize(
    ("tag", "code"),
    [("en-US", "en"), ("de", "de"), ("pt_BR", "pt"), ("EN", "en"), ("", None), (None, None),
     ("english", None), ("zh-Hant-TW", "zh")],
)
def test_language_code(tag: str | None, code: str | None) -> None:
    assert language_code(tag) == code


PAGE = """<!DOCTYPE html><html lang="en-GB"><head><title>Tidal barrage approved | Harbour Times</title>
<link rel="canonical" href="https://harbour.example/news/tidal-barrage-approved">
<meta property="og:type" content="article"><meta property="og:site_name" content="Harbour Times">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Tidal barrage approved",
 "datePublished": "2024-03-14T09:30:00+00:00", "author": [{"@type": "Person", "name": "Ruth Evans"}]}</script>
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Tidal barrage approved</h1>
<p>The council approved the tidal barrage on Thursday after a debate that lasted well into the night,
ending a planning dispute that has divided the harbour towns for more than ten years.</p>
<p>Supporters said the scheme would protect hundreds of homes from flooding, while opponents warned
about the cost to the fishing fleet and to the birds that feed on the mudflats every winter.</p>
</article><footer>Copyright Harbour Times</footer></body></html>"""


def test_extract_article_collects_text_and_signals() -> None:
    fields = extract_article(PAGE, "https://harbour.example/news/tidal-barrage-approved?ref=x",
                             fetched_at="2024-03-15T00:00:00+00:00", options=build_options())
    assert fields["url"] == "https://harbour.example/news/tidal-barrage-approved"
    assert fields["language"] == "en"
    assert fields["text"].startswith("The council approved the tidal barrage")
    assert fields["body_method"] == "trafilatura"
    assert "\n\nSupporters said" in fields["text"]
    assert "Copyright" not in fields["text"]
    assert fields["signals"]["jsonld"]["authors"] == ["Ruth Evans"]
    assert {"raw": "2024-03-14T09:30:00+00:00", "source": "jsonld", "kind": "published"} in \
        fields["signals"]["date_candidates"]
    assert is_article_page(fields["signals"])


def test_extract_article_rejects_unparsable_input() -> None:
    with pytest.raises(ValueError, match="could not be parsed"):
        extract_article(
            "", "https://a.org/x", fetched_at="2024-01-01T00:00:00+00:00", options=build_options()
        )


def _signals(og_type: str | None, jsonld: bool = False) -> dict:
    meta = {"og:type": [og_type]} if og_type else {}
    return {"meta": meta, "jsonld": {"headline": "x"} if jsonld else {}}


@pytest.mark.parametrize(
    ("og_type", "jsonld", "url", "listing"),
    [
        ("website", False, "https://gazette.example/news/", True),  # a section front
        ("website", False, "https://gazette.example/tag/politics/", True),
        ("website", False, "https://gazette.example/", True),  # the home page
        ("website", False, "https://gazette.example/2024/03/tidal-barrage-approved", False),  # slug
        ("website", False, "https://gazette.example/story/3000000218734", False),  # id
        ("website", False, "https://gazette.example/news/story.html", False),
        ("website", False, "https://gazette.example/news/?id=7", False),  # query: could be one article
        ("website", True, "https://gazette.example/news/", False),  # JSON-LD article wins
        ("article", False, "https://gazette.example/news/", False),
        (None, False, "https://gazette.example/news/", False),  # undeclared: trafilatura decides
        ("website", False, "file:///tmp/saved.html", False),
        ("website", False, "https://feeds.example/~r/Gazette/~3/_k8dJ5xnwYw/", False),  # opaque id
        ("website", False, "https://gazette.example/covid19/", True),  # too short for an id
        ("website", False, "https://gazette.example/bbc3world/", True),  # lower case: a section name
    ],
)
def test_looks_like_listing(og_type: str | None, jsonld: bool, url: str, listing: bool) -> None:
    from pipelines.extract import looks_like_listing

    assert looks_like_listing(_signals(og_type, jsonld), url) is listing


@pytest.mark.parametrize(
    ("h1", "url", "words", "listing"),
    [
        ("Web analytics are leaking into meatspace", "https://essays.example/supermarket/", 1300, False),
        ("News", "https://gazette.example/news/", 1300, True),  # a section name
        ("Tag: harbour politics", "https://gazette.example/tag/politics/", 1300, True),
        ("The best news from the valley since 1887", "https://gazette.example/", 1300, True),  # home page
        ("Please log in to continue reading", "https://gazette.example/account/signin/", 52, True),
    ],
)
def test_sentence_headline_is_not_a_listing(h1: str, url: str, words: int, listing: bool) -> None:
    from pipelines.extract import looks_like_listing

    assert looks_like_listing({**_signals("website"), "h1": [h1]}, url, words) is listing


def _dated(og_type: str | None, *sources: str) -> dict:
    return {**_signals(og_type), "date_candidates": [
        {"raw": "2020-05-28T17:43:00+03:00", "source": s, "kind": "published"} for s in sources]}


@pytest.mark.parametrize(
    ("signals", "kept"),
    [
        (_dated("article", "jsonld"), True),  # paywalled or script-rendered article: keep its metadata
        (_dated("article", "meta"), True),
        (_dated("article", "dateline"), True),  # the date printed by the headline
        (_dated("article", "trafilatura"), False),  # htmldate's guess from the whole page is not enough
        (_dated("article"), False),  # no date at all
        (_dated("website", "time"), False),  # not declared an article
        (_dated(None, "jsonld"), False),
        ({**_signals("article"), "date_candidates": [
            {"raw": "2020-05-28", "source": "jsonld", "kind": "modified"}]}, False),  # modified only
    ],
)
def test_kept_without_text(signals: dict, kept: bool) -> None:
    from pipelines.extract import kept_without_text

    assert kept_without_text(signals) is kept


@pytest.mark.parametrize(
    ("signals", "words", "kept"),
    [
        (_dated(None, "trafilatura"), 38, True),  # a dated news brief, whatever found its date
        (_dated(None, "trafilatura"), 12, False),  # a stub
        (_dated("website", "trafilatura"), 38, False),  # a login wall whose only date is in a link
        (_dated(None), 38, False),  # short and undated
        (_dated("article", "jsonld"), 0, True),
    ],
)
def test_kept_short_dated_brief(signals: dict, words: int, kept: bool) -> None:
    from pipelines.extract import kept_without_text

    assert kept_without_text(signals, words) is kept


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Jane Doe wrote this", 4),
        ("東京新聞", 4),  # no spaces between words: each character counts
        ("ひらがな and kanji 漢字", 8),
        ("한국어 문장", 2),  # Hangul is written with spaces
        ("", 0),
    ],
)
def test_count_words(text: str, count: int) -> None:
    assert count_words(text) == count


def test_xml_declaration_in_decoded_page_parses() -> None:
    page = ('<?xml version="1.0" encoding="iso-8859-1"?>\n<html><head><title>T</title></head>'
            "<body><p>Grüße aus Köln</p></body></html>")
    assert "Grüße" in _parse(page).text_content()


def test_comments_inside_paragraphs_do_not_cut_the_text() -> None:
    # React pages separate text nodes with empty comments; trafilatura loses what follows
    # a link ending in a comment when it is handed a tree that still holds comments.
    block = ('<div class="text-block"><p>A new law is set to <!-- --><a href="/news/1">prevent any '
             "future government sidelining the office<!-- --></a>.<!-- --></p><p>The office would be "
             "given powers to judge any major taxation or spending announcement, the Treasury said."
             "<!-- --></p></div>")
    page = f"<html><head><title>T</title></head><body><article>{block * 6}</article></body></html>"
    fields = extract_article(page, "https://news.example/2024/05/office-explained",
                             fetched_at="2024-05-01T00:00:00+00:00", options=build_options())
    assert "A new law is set to prevent any future government sidelining the office." in fields["text"]
    # the body extractor on its own (its tests, benchmarks/body_quality.py) parses the same way
    alone = extract_body(page, "https://news.example/2024/05/office-explained").text
    assert "A new law is set to prevent any future government sidelining the office." in alone


def test_page_tree_elements_are_plain_html_elements_in_copies_too() -> None:
    # The crawl's parser picks element classes in C (no per-element Python callback): every
    # element, form controls included, is an HtmlElement, and so are those of trafilatura's copies.
    from copy import deepcopy

    from lxml.html import HtmlComment, HtmlElement

    tree = _parse("<html><body><form><input name=q value=news></form><!-- c -->"
                  "<p>Grüße <b>aus</b> Köln</p></body></html>")
    for copy in (tree, deepcopy(tree)):
        assert {type(element) for element in copy.iter(tag="*")} == {HtmlElement}
        assert not any(isinstance(node, HtmlComment) for node in copy.iter())  # comments dropped
        assert copy.find(".//p").text_content() == "Grüße aus Köln"


def test_fast_mode_skips_trafilaturas_comparison_also_in_the_second_opinion(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Two headlines make the body extractor ask trafilatura's precision mode for a second
    # opinion; each trafilatura run compares its result with readability's unless it is fast.
    import trafilatura.external

    calls: list[str] = []
    readability = trafilatura.external.try_readability
    monkeypatch.setattr(trafilatura.external, "try_readability",
                        lambda tree: calls.append("readability") or readability(tree))
    page = PAGE.replace("</article>", "</article><h1>Next: the ferry timetable</h1>")

    def extract(fast: bool) -> dict:
        calls.clear()
        return extract_article(page, "https://harbour.example/news/tidal-barrage-approved",
                               fetched_at="2024-03-15T00:00:00+00:00", options=build_options(fast=fast))

    default = extract(fast=False)
    assert calls == ["readability", "readability"]  # the extraction and the second opinion
    fast = extract(fast=True)
    assert calls == []
    assert fast["text"].startswith("The council approved the tidal barrage")
    assert fast["text"] == default["text"]  # a clean page: the comparison changes nothing
