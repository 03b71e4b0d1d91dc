"""Titles stage: the on-page headline, without the site name the <title> adds.

Candidates, best first: JSON-LD ``headline``, ``og:title``, the page's ``<h1>``,
trafilatura's title, ``<title>``. When JSON-LD and ``og:title`` differ, the page's
``<h1>`` decides between them (a breadcrumb ``<h1>`` marks the SEO copy, any other
``<h1>`` the one shown). An ``<h1>`` counts on its own only when it agrees with
another source (themes put the logo in an ``<h1>`` too). Reads no settings.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipelines.bylines import site_names_for
from pipelines.captions import caption_key
from pipelines.stage import PageStage

if TYPE_CHECKING:
    from crawler.items import ArticleItem
    from pipelines.stage import Stats

#: separators between a headline and the site name, e.g. "Headline | Site", "Site – Headline"
SEPARATOR_RE = re.compile(r"\s+[|–—\-•·:»/]+\s+|\s*[|»•·]\s*|:\s+")
#: share of a headline's words another source must contain to confirm an <h1>
H1_AGREEMENT = 0.6
MAX_TITLE_CHARS = 400
#: order in which sources spell an agreed headline, and break ties, e.g. JSON-LD ``headline`` first
TITLE_PRIORITY = ("jsonld", "og:title", "h1", "trafilatura", "title")
#: separators a <title> puts before a site name, e.g. "Headline - Site", "Headline | Site"; not ":"
SITE_SEPARATOR_RE = re.compile(r"\s+[|–—\-•·»/]+\s+|\s*[|»•·]\s*")
#: UTF-8 bytes shown as Windows-1252: "Ã³" for "ó", "â€™" for "’", "Ã©" for "é"
MOJIBAKE_RE = re.compile(r"Ã[\u00a0-\u00bf\u0080-\u009f\u2018-\u203a\u0152-\u0178]|â€")
#: a title-tag edge segment this long or longer is part of the headline, not a site name
MAX_SITE_SEGMENT_WORDS = 4


def _words(text: str) -> set[str]:
    return set(caption_key(text).split())


def strip_site_name(title: str, site_names: list[str]) -> str:
    """Drop leading or trailing segments that name the site ("Headline | Sport | The Duran")."""
    site_keys = {caption_key(s) for s in site_names if s}
    site_keys |= {k.replace(" ", "") for k in site_keys}
    site_keys.discard("")
    while True:
        parts = SEPARATOR_RE.split(title)
        if len(parts) < 2:
            return title.strip()
        for index in (-1, 0):
            segment = caption_key(parts[index])
            if segment and (segment in site_keys or segment.replace(" ", "") in site_keys):
                rest = parts[1:] if index == 0 else parts[:-1]
                # Rebuild from the original string to keep the headline's own punctuation.
                kept = title[title.find(rest[0]): title.rfind(rest[-1]) + len(rest[-1])].strip()
                if not kept or len(kept) >= len(title):  # nothing left, or no progress: stop
                    return title.strip()
                title = kept
                break
        else:
            return title.strip()


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 ("sanciÃ³n" -> "sanción"); other text is returned as is.

    Hand-rolled: a CMS that double-encodes JSON-LD breaks only that field, and the
    one-step round trip is all it needs (no ftfy dependency for one repair).
    """
    if not MOJIBAKE_RE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


def agrees(candidate: str, others: list[str]) -> bool:
    """Do most of the candidate's words appear in one of the other titles?"""
    words = _words(candidate)
    if not words:
        return False
    return any(len(words & _words(o)) >= H1_AGREEMENT * len(words) for o in others if o)


def _candidates(*, jsonld: str | None, h1: list[str], og_title: str | None, extracted: str | None,
                title_tag: str | None, site_names: list[str]) -> list[tuple[str, str]]:
    """(source, headline) pairs in `TITLE_PRIORITY` order, unescaped and without the site name."""
    site_keys = {caption_key(s) for s in site_names if s}
    heading = next((h for h in h1 if h and caption_key(h) and caption_key(h) not in site_keys), None)
    values = {"jsonld": jsonld, "og:title": og_title, "h1": heading, "trafilatura": extracted,
              "title": title_tag}
    found = []
    for source in TITLE_PRIORITY:
        value = values[source]
        if value and len(value) <= MAX_TITLE_CHARS:
            # JSON-LD and meta values are sometimes HTML-escaped twice ("K&uuml;hlt&uuml;rme")
            text = strip_site_name(repair_mojibake(html.unescape(value).replace("\xad", "")), site_names)
            if caption_key(text):
                found.append((source, text))
    return found


def title_tag_site_names(title_tag: str | None, h1: list[str]) -> list[str]:
    """Edge segments of ``<title>`` that the visible headline does not contain: the site's name.

    "Akkus im Test - Golem.de" beside the ``<h1>`` "Akkus im Test" gives ["Golem.de"];
    with no ``<h1>`` to compare against nothing is guessed.
    """
    heading = caption_key(" ".join(h1))
    if not title_tag or not heading:
        return []
    parts = SITE_SEPARATOR_RE.split(title_tag)
    if len(parts) < 2:
        return []
    names = []
    for edge in (parts, parts[::-1]):
        # walk inwards from each end while the segments are short and not in the headline
        for part in edge[:-1]:
            key = caption_key(part)
            if not key or len(key.split()) > MAX_SITE_SEGMENT_WORDS or key in heading:
                break
            names.append(part.strip())
    return names


def edge_site_names(title: str | None, h1: list[str]) -> list[str]:
    """What a title adds to a whole ``<h1>`` across a separator: "Headline | Site" -> ["Site"].

    Stricter than :func:`title_tag_site_names`: the rest of the title must be exactly
    an ``<h1>``, so a headline's own " – " clause is never taken for a site name.
    """
    if not title:
        return []
    parts = SITE_SEPARATOR_RE.split(title)
    headings = {caption_key(h) for h in h1 if caption_key(h)}
    for edge, rest in ((parts[-1], parts[:-1]), (parts[0], parts[1:])):
        if len(parts) > 1 and len(caption_key(edge).split()) <= MAX_SITE_SEGMENT_WORDS \
                and caption_key(" ".join(rest)) in headings:
            return [edge.strip()]
    return []


def choose_title(*, jsonld: str | None, h1: list[str], og_title: str | None,
                 extracted: str | None, title_tag: str | None,
                 site_names: list[str], navigation_h1: Sequence[str] = ()) -> tuple[str | None, str | None]:
    """Pick the headline and name its source.

    The publisher's declared headline comes first (JSON-LD ``headline``, then
    ``og:title``), site name cut: it is the headline the outlet stands by, while an
    ``<h1>`` often glues a kicker line to it or is a logo. When the two declared
    headlines differ, the ``<h1>`` picks one: the one a breadcrumb ``<h1>`` does not
    copy, else the one an ``<h1>`` shows. Then an ``<h1>`` that shares most words with
    another source, then the rest in `TITLE_PRIORITY` order.
    """
    found = _candidates(jsonld=jsonld, h1=h1, og_title=og_title, extracted=extracted,
                        title_tag=title_tag, site_names=site_names)
    if not found:
        return None, None
    picked = _declared_by_headings(found, navigation_h1, site_names, shown=False) \
        or _declared_by_headings(found, [h for h in h1 if h not in navigation_h1], site_names, shown=True)
    if picked is not None:
        return common_spelling(picked, found)
    others = [t for s, t in found if s != "h1"]
    for source, text in found:
        if source in ("jsonld", "og:title"):
            return common_spelling((text, source), found)
        if source == "h1" and agrees(text, others):
            return common_spelling((text, "h1"), found)
    fallback = [(s, t) for s, t in found if s != "h1"] or found
    return common_spelling((fallback[0][1], fallback[0][0]), found)


def common_spelling(choice: tuple[str, str], found: list[tuple[str, str]]) -> tuple[str, str]:
    """The chosen headline as most sources punctuate it ("A: B" over one source's "A - B").

    Only spellings of the same words compete; a tie keeps the chosen one.
    """
    key = caption_key(choice[0])
    same = [(s, t) for s, t in found if caption_key(t) == key]
    counts = Counter(t for _, t in same)
    best = max(counts, key=lambda t: (counts[t], t == choice[0]))
    if counts[best] > counts[choice[0]]:
        return best, next(s for s, t in same if t == best)
    return choice


def _declared_by_headings(found: list[tuple[str, str]], headings: Sequence[str],
                         site_names: list[str], *, shown: bool) -> tuple[str, str] | None:
    """Of two different declared headlines (JSON-LD ``headline``, ``og:title``), the only
    one that ``headings`` show (``shown``), or the only one they do not show; else None.

    ``shown=False`` with the breadcrumb's ``<h1>``: a theme that puts an ``<h1>`` in its
    breadcrumb trail prints an SEO copy of the headline there and shows the reader another,
    and the JSON-LD ``headline`` and ``og:title`` then carry one each.
    """
    declared = [(s, t) for s, t in found if s in ("jsonld", "og:title")]
    if len(declared) != 2 or caption_key(declared[0][1]) == caption_key(declared[1][1]):
        return None
    keys = {caption_key(strip_site_name(h, site_names)) for h in headings if h}
    picked = [(t, s) for s, t in declared if (caption_key(t) in keys) == shown]
    return picked[0] if len(picked) == 1 else None


class TitlesPipeline(PageStage):
    """Page stage around :func:`choose_title`."""

    name = "titles"

    def apply(self, item: ArticleItem, stats: Stats) -> None:
        signals = item.signals
        meta = signals.get("meta", {})
        site_names = [item.site_name or "", *meta.get("og:site_name", []),
                      *meta.get("application-name", []),
                      signals.get("jsonld", {}).get("publisher") or "",
                      *site_names_for(item.url or item.fetched_url),
                      *title_tag_site_names(signals.get("title_tag"), signals.get("h1", [])),
                      *edge_site_names((meta.get("og:title") or [None])[0], signals.get("h1", []))]
        item.title, item.title_source = choose_title(
            jsonld=signals.get("jsonld", {}).get("headline"),
            h1=signals.get("h1", []),
            og_title=(meta.get("og:title") or [None])[0],
            extracted=item.title_raw,
            title_tag=signals.get("title_tag"),
            site_names=site_names,
            navigation_h1=signals.get("h1_navigation", []),
        )
        if item.title is None:
            stats.inc_value("news/titles/none")
