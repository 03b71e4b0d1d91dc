"""Article body extraction: trafilatura's text, checked against the page's own structure
and cleaned of non-article lines.

`extract_body(html, url, doc=...)` is a pure function. It reuses the trafilatura
`Document` the caller already computed (one `bare_extraction` per page), then:

1. drops the headline trafilatura repeats as the first line, captions, and boilerplate
   lines (share prompts, "Read more"/"Lesen Sie auch" blocks, plugs, credits, datelines);
2. when the page carries a JSON-LD `articleBody` that agrees with trafilatura, uses it to
   remove what trafilatura added around the article, or replaces a truncated extraction;
3. returns "" for pages with no article (too short, or made of teaser links).

Paragraphs are separated by exactly one blank line. Reads no settings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import trafilatura

from pipelines.body_rules import cut_tail, is_boilerplate, words
from pipelines.body_structure import PageSignals, norm, page_signals, parse, shown_description

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Document

#: bodies with fewer words are not articles (error pages, login walls, empty teasers)
MIN_BODY_WORDS = 25
#: a body whose words are mostly teaser-link texts is a section front, not an article
MAX_LINK_WORD_SHARE = 0.5
#: a first line sharing this much of its words with the title is the repeated headline
TITLE_OVERLAP = 0.8
#: JSON-LD agrees with trafilatura when this share of its 4-gram shingles are in trafilatura's text
JSONLD_AGREEMENT = 0.9
#: ... and it covers at least this share of trafilatura's shingles (else it is a teaser/summary)
JSONLD_MIN_COVER = 0.6
#: a paragraph is "in" the JSON-LD body when this share of its shingles occur there
PARAGRAPH_IN_JSONLD = 0.5
#: JSON-LD replaces trafilatura when it contains trafilatura's text and is this much longer
TRUNCATION_RATIO = 1.5
#: lines of at most this many words between JSON-LD matches are kept as sub-headings
SUBHEADING_WORDS = 12
SHINGLE = 4
#: the default output is "messy" when cleaning removed at least this share of its characters
MESSY_SHARE = 0.1
#: precision mode wins when it keeps between these shares of the cleaned default text
PRECISION_KEEP_MIN = 0.3
PRECISION_KEEP_MAX = 0.8
#: how trafilatura's text output starts a list item, e.g. "- Klingbeil greift Klöckner an"
LIST_MARKERS = ("- ", "• ", "– ")
#: a list is a link list when at least this share of its items are whole link texts
LINK_LIST_SHARE = 0.6
#: a line above a link list with at most this many words is its header ("Auch interessant")
LIST_HEADER_WORDS = 6
#: an author bio is looked for among the last this many paragraphs ...
BIO_ZONE = 3
#: ... names the author within its first this-many-plus-one words ("Korrespondent Jane Doe ist …")
BIO_NAME_WITHIN = 2
#: ... and is a sentence, not a bare name line
BIO_MIN_WORDS = 6
#: a paragraph found inside a link or an embedded post is only dropped from this many words
#: on (a one-word heading also linked from the menu stays)
TEASER_MIN_WORDS = 5


@dataclass(frozen=True)
class BodyResult:
    """The article body and the strategy that produced it."""

    #: paragraphs separated by one blank line; "" when the page has no article
    text: str
    #: "trafilatura", "jsonld" (JSON-LD articleBody used as is), "merged" (trafilatura's
    #: paragraphs filtered by JSON-LD), "precision" (trafilatura's favor_precision run,
    #: second opinion on messy pages), or "none" (no article)
    method: str


def _shingles(toks: list[str]) -> Counter[tuple[str, ...]]:
    if len(toks) < SHINGLE:
        return Counter([tuple(toks)]) if toks else Counter()
    return Counter(tuple(toks[i : i + SHINGLE]) for i in range(len(toks) - SHINGLE + 1))


def _share_in(part: Counter[tuple[str, ...]], whole: Counter[tuple[str, ...]]) -> float:
    """Share of `part`'s shingles that also occur in `whole` (multiset)."""
    total = sum(part.values())
    return sum((part & whole).values()) / total if total else 0.0


def _is_title(line: str, title_words: set[str]) -> bool:
    toks = words(line)
    if not toks or not title_words:
        return False
    inside = sum(t in title_words for t in toks) / len(toks)
    # a kicker glued to the headline ("Kollaps der Bank US-Notenbank räumt …") is still the title
    covers = sum(t in set(toks) for t in title_words) / len(title_words)
    return inside >= TITLE_OVERLAP or (
        covers >= TITLE_OVERLAP and len(toks) <= len(title_words) + 6
    )


def clean_paragraphs(paragraphs: list[str], title: str | None, signals: PageSignals) -> list[str]:
    """Drop headline repeats, captions, boilerplate lines and duplicates; keep order."""
    title_words = set(words(title or ""))
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(paragraphs):
        line = " ".join(raw.split())
        key = _key(line, signals)
        if not key or key in seen:
            continue
        # trafilatura repeats the headline (sometimes with its kicker) in the first lines
        if i < 3 and not out and _is_title(line, title_words):
            continue
        if key in signals.captions or _is_boilerplate(line, signals):
            continue
        seen.add(key)
        out.append(line)
    return out


def _key(text: str, signals: PageSignals) -> str:
    """``norm(text)``, computed once per page."""
    key = signals.norm_memo.get(text)
    if key is None:
        key = signals.norm_memo[text] = norm(text)
    return key


def _is_boilerplate(line: str, signals: PageSignals) -> bool:
    """``is_boilerplate(line)``, computed once per page."""
    found = signals.boilerplate_memo.get(line)
    if found is None:
        found = signals.boilerplate_memo[line] = is_boilerplate(line)
    return found


def _body_key(paragraphs: list[str], signals: PageSignals) -> str:
    """``norm(" ".join(paragraphs))`` from the paragraphs' own keys (no word spans two paragraphs)."""
    return " ".join(key for key in (_key(p, signals) for p in paragraphs) if key)


def _clean(text: str, title: str | None, signals: PageSignals) -> list[str]:
    """All paragraph-level cleaning of one trafilatura text, in order."""
    cleaned = clean_paragraphs(text.split("\n"), title, signals)
    return cut_tail(drop_widgets(drop_link_lists(cleaned, signals), signals))


def _is_item(line: str) -> bool:
    return line.startswith(LIST_MARKERS)


def drop_link_lists(paragraphs: list[str], signals: PageSignals) -> list[str]:
    """Remove runs of list items that are mostly links (related/teaser/breadcrumb lists),
    with the short header line right above them ("Auch interessant", "Related:")."""
    drop: set[int] = set()
    i = 0
    while i < len(paragraphs):
        if not _is_item(paragraphs[i]):
            i += 1
            continue
        j = i
        while j < len(paragraphs) and _is_item(paragraphs[j]):
            j += 1
        run = range(i, j)
        linked = sum(_is_link_item(paragraphs[k], signals) for k in run)
        if linked >= LINK_LIST_SHARE * len(run):
            drop.update(run)
            header = paragraphs[i - 1] if i else ""
            if header and len(header.split()) <= LIST_HEADER_WORDS and not header.endswith("."):
                drop.add(i - 1)
        i = j
    return [p for k, p in enumerate(paragraphs) if k not in drop]


def _is_link_item(line: str, signals: PageSignals) -> bool:
    key = _key(line, signals)
    return key in signals.all_link_texts or key in signals.link_items


def _inside(key: str, blob: str) -> bool:
    """Is a paragraph (of at least TEASER_MIN_WORDS words) part of one of the blob's texts?"""
    return bool(blob) and len(key.split()) >= TEASER_MIN_WORDS and key in blob


def _in_teaser_card(key: str, signals: PageSignals) -> bool:
    # Part of a longer link (a card holding headline and first lines of another story).
    # A paragraph that is a whole link text is a heading the page also links to (a live
    # blog's key-events list, a table of contents), so it stays.
    return key not in signals.link_texts and _inside(key, signals.link_blob)


def drop_widgets(paragraphs: list[str], signals: PageSignals) -> list[str]:
    """Remove paragraphs that are embedded social posts or sit inside a teaser card's link."""
    return [
        p
        for p in paragraphs
        if not (_inside(_key(p, signals), signals.embed_blob) or _in_teaser_card(_key(p, signals), signals))
    ]


def drop_author_bio(paragraphs: list[str], byline: str | None) -> list[str]:
    """Remove the author's bio from the end of the body ("Jane Doe is a reporter covering …").

    A bio names a bylined author (full name) within its first words and sits among the
    last BIO_ZONE paragraphs; the article's own text rarely opens on its author's name.
    """
    names = [words(n) for n in (byline or "").split(";")]
    names = [n for n in names if len(n) >= 2]
    if not names or len(paragraphs) <= BIO_ZONE:
        return paragraphs
    start = len(paragraphs) - BIO_ZONE
    kept = paragraphs[:start]
    for p in paragraphs[start:]:
        head = words(p)
        opens_on_name = any(
            head[i : i + len(n)] == n for n in names for i in range(BIO_NAME_WITHIN + 1)
        )
        if not (opens_on_name and len(head) >= BIO_MIN_WORDS):
            kept.append(p)
    return kept


def _link_word_share(paragraphs: list[str], signals: PageSignals) -> float:
    total = sum(len(p.split()) for p in paragraphs)
    linked = sum(len(p.split()) for p in paragraphs if _key(p, signals) in signals.link_texts)
    return linked / total if total else 1.0


def _with_jsonld(paragraphs: list[str], jsonld: str) -> tuple[list[str], str]:
    """Use a JSON-LD articleBody that agrees with trafilatura to filter or replace it."""
    body = _shingles(words(" ".join(paragraphs)))
    ld = _shingles(words(jsonld))
    if not body or not ld:
        return paragraphs, "trafilatura"
    ld_in_body = _share_in(ld, body)
    body_in_ld = _share_in(body, ld)
    ld_total, body_total = sum(ld.values()), sum(body.values())
    if body_in_ld >= JSONLD_AGREEMENT and ld_total >= TRUNCATION_RATIO * body_total:
        # trafilatura kept a fragment of a longer article the page itself declares
        return [jsonld], "jsonld"
    if ld_in_body >= JSONLD_AGREEMENT and body_in_ld >= JSONLD_MIN_COVER:
        inside = [_share_in(_shingles(words(p)), ld) >= PARAGRAPH_IN_JSONLD for p in paragraphs]
        first = inside.index(True) if True in inside else len(paragraphs)
        last = len(inside) - 1 - inside[::-1].index(True) if True in inside else -1
        kept = [
            p
            for i, p in enumerate(paragraphs)
            # articleBody often leaves out the lead and the sub-headings: keep what
            # precedes the first matching paragraph and short lines between matches
            if inside[i] or i < first or (i < last and len(p.split()) <= SUBHEADING_WORDS)
        ]
        if len(kept) < len(paragraphs):
            return kept, "merged"
    return paragraphs, "trafilatura"


def extract_body(
    html: str, url: str | None, *, doc: Document | None = None, tree: HtmlElement | None = None,
    fast: bool = False,
) -> BodyResult:
    """Extract the article body of a page as plain text.

    Args:
        html: the decoded page.
        url: the page URL; only used when `doc` is None (trafilatura runs here then).
        doc: the result of the caller's `trafilatura.bare_extraction(..., with_metadata=True)`
            on the same page, reused so trafilatura runs once per page.
        tree: the caller's lxml tree of the same page (not modified here), reused so the
            page is parsed once; parsed from `html` when None.
        fast: run trafilatura here (when `doc` is None, and the second opinion) in its fast
            mode, without its readability and justext comparison.

    Returns:
        BodyResult with paragraphs separated by "\\n\\n", or text "" when the page has no
        article (section front, error page, login wall).
    """
    if tree is None:
        tree = parse(html)
    if doc is None and tree is not None:
        # trafilatura works on its own copy of a tree it is given: the one parse serves both
        doc = trafilatura.bare_extraction(tree, url=url, with_metadata=True, include_comments=False,
                                          fast=fast)
    text = doc.text if doc is not None and doc.text else ""
    title = doc.title if doc is not None else None
    signals = page_signals(tree)
    paragraphs = _clean(text, title, signals)
    method = "trafilatura"
    if tree is not None and _needs_second_opinion(text, paragraphs, tree):
        paragraphs, method = _second_opinion(tree, url, title, paragraphs, signals, fast=fast)
    if signals.jsonld_body:
        paragraphs, method = _with_jsonld(paragraphs, signals.jsonld_body)
    paragraphs = drop_author_bio(paragraphs, getattr(doc, "author", None))
    lead = signals.lead
    if not lead and tree is not None and paragraphs:
        lead = shown_description(tree, _body_key(paragraphs, signals))
    paragraphs = _with_lead(paragraphs, lead)
    n_words = sum(len(p.split()) for p in paragraphs)
    if n_words < MIN_BODY_WORDS and not _is_cjk(paragraphs):
        return BodyResult("", "none")
    if _link_word_share(paragraphs, signals) > MAX_LINK_WORD_SHARE:
        return BodyResult("", "none")
    return BodyResult("\n\n".join(paragraphs), method)


def _with_lead(paragraphs: list[str], lead: str) -> list[str]:
    """Put back the marked-up lead when trafilatura cut it (it sits outside the body container).

    Only when the lead is absent from the body and the body's first paragraph is real
    text, so a lead that trafilatura kept, or a teaser of an empty page, changes nothing.
    """
    if not lead or not paragraphs or is_boilerplate(lead):
        return paragraphs
    key = norm(lead)
    body = norm(" ".join(paragraphs))
    if key in body or any(key.startswith(norm(p)) for p in paragraphs[:2] if len(p.split()) > 3):
        return paragraphs
    return [lead, *paragraphs]


def _needs_second_opinion(text: str, paragraphs: list[str], tree: HtmlElement) -> bool:
    """Messy pages only: the cleaning removed much, or the page holds several headlines
    (infinite scroll appends the next article, which trafilatura's default mode keeps)."""
    kept = sum(len(p) for p in paragraphs)
    if text and kept <= (1 - MESSY_SHARE) * len(text):
        return True
    return len(tree.findall(".//h1")) >= 2


def _second_opinion(
    tree: HtmlElement, url: str | None, title: str | None, paragraphs: list[str], signals: PageSignals,
    *, fast: bool = False,
) -> tuple[list[str], str]:
    """Run trafilatura's precision mode; take it when it drops a block of the default text
    but keeps most of it (dropping almost all means it lost the article instead).

    On the page's tree, not its HTML: bare_extraction works on its own copy of a tree it
    is given, so the page is not parsed a second time."""
    precise = trafilatura.bare_extraction(
        tree, url=url, favor_precision=True, include_comments=False, with_metadata=False, fast=fast
    )
    if precise is None or not precise.text:
        return paragraphs, "trafilatura"
    alt = _clean(precise.text, title, signals)
    ratio = sum(len(p) for p in alt) / max(1, sum(len(p) for p in paragraphs))
    if PRECISION_KEEP_MIN <= ratio < PRECISION_KEEP_MAX:
        return alt, "precision"
    return paragraphs, "trafilatura"


def _is_cjk(paragraphs: list[str]) -> bool:
    """Chinese/Japanese text has no spaces, so word counts undercount it; count characters."""
    text = "".join(paragraphs)
    cjk = sum(1 for c in text if "\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af")
    return cjk >= 2 * MIN_BODY_WORDS
