"""Bylines stage: turn byline candidates into a clean list of person names.

Pure functions `parse_byline` and `choose_authors` do the work; `BylinesPipeline`
only reads the item, calls them and counts stats. Reads no settings.
Writes `authors`, `authors_source`, `byline_raw`, maybe `site_name`/`site_name_source`,
and hands a byline date to the dates stage via `signals["date_candidates"]`.
Stats: `news/bylines/none`, `news/bylines/from_<source>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pipelines import bylines_rules as R
from pipelines.stage import PageStage

if TYPE_CHECKING:
    from crawler.items import ArticleItem
    from pipelines.stage import Stats

#: sources a site controls as data; visible byline text is reconciled against them
STRUCTURED_SOURCES = ("jsonld", "meta", "rel-author")
#: text-derived sources, in order of trust
TEXT_SOURCES = ("byline", "trafilatura")
#: sources that guess a byline from the page's text (trafilatura merges meta, JSON-LD and text)
GUESSED_SOURCES = frozenset({"trafilatura"})


@dataclass(frozen=True)
class Byline:
    """One parsed byline: people, outlets/agencies named, and any date text."""

    authors: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    date_text: str | None = None
    #: people the byline credits as editors or translators ("Editor: Jane Doe"), never authors
    editors: list[str] = field(default_factory=list, compare=False)


@dataclass(frozen=True)
class AuthorChoice:
    """What `choose_byline` decided, with the raw text it used."""

    authors: list[str]
    source: str | None
    raw: str | None
    outlets: list[str]
    date_text: str | None


def _dedupe(values: Iterable[str]) -> list[str]:
    """Keep the first spelling of each value, ignoring case and punctuation ("Chuck-Ross")."""
    seen: dict[str, str] = {}
    for v in values:
        seen.setdefault(R.squash(v) or v, v)
    return list(seen.values())


def site_names_for(url: str | None, site_name: str | None = None) -> list[str]:
    """Names an outlet goes by: its site name plus its host ("www1.wdr.de" -> "wdr", "wdr.de")."""
    names = [site_name] if site_name else []
    host = urlsplit(url or "").hostname or ""
    labels = [lb for lb in host.split(".") if lb and lb not in {"www", "m", "amp"}]
    labels = [lb for lb in labels if not (lb.startswith("www") and lb[3:].isdigit())]
    if len(labels) >= 2:
        # the registrable-looking label: "wdr" of wdr.de, "ntv" of ntv.com.tr
        core = labels[-3] if len(labels) >= 3 and len(labels[-2]) <= 3 else labels[-2]
        names += [core, ".".join(labels[labels.index(core) :])]
    return names


def _fix_case(name: str) -> str:
    """Title-case ALL-CAPS or all-lower Latin names; leave mixed case and other scripts alone."""
    letters = [c for c in name if c.isalpha()]
    if not R.is_latin(name) or not (name.isupper() or name.islower()) or len(letters) < 2:
        return name
    words = name.split()
    out = []
    for i, w in enumerate(words):
        low = w.lower()
        # particles stay lower case except as the surname itself ("Jan van der Berg")
        if low in R.NAME_PARTICLES and i < len(words) - 1:
            out.append(low)
        else:
            out.append(R.MC_RE.sub(lambda m: "Mc" + m.group(1).upper(), low.title()))
    return " ".join(out)


def _strip_prefixes(text: str) -> str:
    """Drop every leading "By"/"Von"/... ("by by Jane Doe" -> "Jane Doe")."""
    while (stripped := R.PREFIX_RE.sub("", text, count=1)) != text:
        text = stripped
    return text


def _clean_name(segment: str) -> str | None:
    """Return a person's name from one segment, or None if it is not one."""
    seg = _strip_prefixes(R.IS_A_RE.sub("", segment).strip(" .:-–—'\"“”"))
    seg = R.CJK_ROLE_SUFFIX_RE.sub("", seg).strip()
    words = seg.split()
    # "Jane Doe Senior Correspondent" / "Korrespondentin Anna Meier": drop a glued-on run of
    # role words, but only when it holds a role noun, so "Lisa House" keeps her surname.
    tail = len(words)
    while tail > 1 and words[tail - 1].casefold() in R.ROLE_WORDS:
        tail -= 1
    if tail < len(words) and _core_role(words[tail:]):
        words = words[:tail]
    head = 0
    while head < len(words) - 1 and words[head].casefold() in R.ROLE_WORDS:
        head += 1
    if head and _core_role(words[:head]):
        # "Editor by Jane Doe": once the role is gone, its "by" leads the name; drop it too
        words = _strip_prefixes(" ".join(words[head:])).split()
    if not words or len(words) > R.MAX_NAME_WORDS or R.is_role(" ".join(words)):
        return None
    if not all(R.NAME_TOKEN_RE.match(w) for w in words) or R.is_phrase(words):
        return None
    if not R.is_latin(seg) and R.CJK_NOT_NAME_RE.search(seg):
        return None
    name = " ".join(words)
    # a single lower-case token is initials or a handle ("kesm", "srf"), not a name
    if len(words) == 1 and R.is_latin(name) and (name.islower() or len(name) < 3):
        return None
    return _fix_case(name)


def _core_role(words: list[str]) -> bool:
    """True if the words contain a role noun (not just "senior" or "white house")."""
    return any(w.casefold() in _CORE_ROLES for w in words)


# role nouns that make a trailing/leading word run a job title ("Staff Writer", "Redakteurin")
_CORE_ROLES = frozenset(
    w
    for w in R.ROLE_WORDS
    if w
    not in {
        "senior",
        "chief",
        "white",
        "house",
        "washington",
        "us",
        "europe",
        "europa",
        "in",
        "of",
        "for",
        "the",
        "and",
        "at",
        "large",
        "news",
        "online",
        "digital",
        "national",
        "political",
        "foreign",
        "international",
        "business",
        "science",
        "health",
        "sports",
        "sport",
        "technology",
        "tech",
        "culture",
        "special",
        "freier",
        "freie",
        "vom",
        "dienst",
        "deputy",
        "associate",
        "assistant",
        "contributing",
        "managing",
        "executive",
        "investigative",
        "economics",
    }
)


def parse_byline(raw: str, *, site_names: Iterable[str] = ()) -> Byline:
    """Split a byline into person names, outlets and date text.

    "By Alexander Mercouris, The Duran, July 25, 2016" ->
    Byline(["Alexander Mercouris"], ["The Duran"], "July 25, 2016").
    """
    sites = frozenset(R.squash(s) for s in site_names if s and R.squash(s))
    text = raw.strip()
    if len(text) > R.MAX_BYLINE_CHARS:
        # a whole block of page text: only a short first line can still be a byline
        first = text.splitlines()[0].strip() if text else ""
        if len(first) > R.MAX_BYLINE_CHARS:
            return Byline()
        text = first
    if (own := R.PAREN_DOMAIN_RE.match(text)) and _names_site(own.group("domain"), sites):
        # "Deutsche Welle (www.dw.com)": the outlet introducing itself with its own address
        return Byline([], [own.group("name").strip()])
    editors = [e for m in R.EDITOR_CUT_RE.finditer(text)
               for e in parse_byline(m.group("names"), site_names=site_names).authors]
    text = R.EDITOR_CUT_RE.sub(" ; ", text)
    date_match = R.DATE_RE.search(text)
    date_text = date_match.group(0).strip(" ,|-–") if date_match else None
    text = R.DATE_RE.sub(" , ", text)
    text = R.STAMP_RE.sub("", text)
    text = R.CREDIT_CUT_RE.split(text, maxsplit=1)[0]
    for pattern in (R.URL_RE, R.EMAIL_RE, R.HANDLE_RE, R.RELATIVE_RE, R.TIME_RE):
        text = pattern.sub(" , ", text)
    text = R.IS_A_RE.sub("", text)
    text = R.INNER_PREFIX_RE.sub("", text)
    text = R.PREFIX_RE.sub("", text)
    text = R.DI_PREFIX_RE.sub("", text)

    segments = [s.strip() for s in R.SEPARATOR_RE.split(text)]
    segments = [s for s in segments if not (R.EDITOR_CREDIT_RE.match(s) or R.CHROME_RE.match(s))]
    segments = [R.PREFIX_RE.sub("", s).strip(" .:-–—") for s in segments]
    segments = [s for s in segments if s]
    # "Smith, John": exactly two single capitalised words -> one inverted name. Two bare
    # surnames of two co-authors look the same, but that byline style is far rarer.
    if (
        raw.count(",") == 1
        and len(segments) == 2
        and all(len(s.split()) == 1 and s[:1].isupper() and s[1:].islower() for s in segments)
        and not any(R.is_outlet(s, sites) or R.is_role(s) for s in segments)
    ):
        segments = [f"{segments[1]} {segments[0]}"]

    authors: list[str] = []
    outlets: list[str] = []
    for seg in segments:
        if R.is_outlet(seg, sites):
            outlets.append(R.OUTLET_STAFF_RE.sub("", seg))
        elif outlets and len(seg.split()) == 1 and R.is_latin(seg):
            continue  # a dateline after the outlet ("dpa, Berlin"; "site.de, Frankfurt, Germany")
        elif not R.is_role(seg) and (name := _clean_name(seg)):
            authors.append(name)
    return Byline(_drop_lone_words(_dedupe(authors)), _dedupe(outlets), date_text, editors)


def _names_site(domain: str, sites: frozenset[str]) -> bool:
    """Is ``domain`` ("www.dw.com", "dw.com") one of the page's own site names?"""
    labels = [lb for lb in domain.casefold().split(".") if lb not in {"www", "m"}]
    return bool(labels) and (R.squash(".".join(labels)) in sites or R.squash(labels[0]) in sites)


def _drop_lone_words(authors: list[str]) -> list[str]:
    """Beside a full name, a lone Latin word is chrome, a section or a place ("Lifestyle").

    CJK names are single tokens, so only Latin script is filtered.
    """
    if any(" " in a for a in authors):
        return [a for a in authors if " " in a or not R.is_latin(a)]
    return authors


def _slug_name(value: str) -> str | None:
    """ "https://site/author/jane-doe" -> "Jane Doe"; None when not an author URL."""
    match = R.AUTHOR_URL_SLUG_RE.search(value.strip())
    if not match:
        return None
    words = [w for w in match.group(1).split("-") if w and not w.isdigit()]
    return _fix_case(" ".join(words)) if 1 < len(words) <= R.MAX_NAME_WORDS else None


def _folded(names: Iterable[str]) -> set[str]:
    return {n.casefold() for n in names}


def _block_order(visible: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Visible byline candidates as blocks, most likely the article's own byline first.

    Lines the lead-lines stage cut from the body (no ``group``) come first, one block
    each; then the byline elements after the page's first ``<h1>``; then the rest.
    """
    loose = [[c] for c in visible if "group" not in c]
    grouped: dict[int, list[dict[str, Any]]] = {}
    for cand in visible:
        if "group" in cand:
            grouped.setdefault(int(cand["group"]), []).append(cand)
    blocks = [grouped[g] for g in sorted(grouped)]
    after = [b for b in blocks if any(c.get("after_h1", True) for c in b)]
    return loose + after + [b for b in blocks if b not in after]


def _without(byline: Byline, exclude: frozenset[str]) -> Byline:
    """The byline minus the names in ``exclude`` (case-folded)."""
    if not exclude:
        return byline
    kept = [a for a in byline.authors if a.casefold() not in exclude]
    return Byline(kept, byline.outlets, byline.date_text, byline.editors)


def visible_reading(
    visible: list[dict[str, Any]], *, site_names: Iterable[str], exclude: frozenset[str] = frozenset()
) -> tuple[Byline, str] | None:
    """The first visible byline block that names a person, read from its innermost elements.

    One block only: a page prints many author names (related stories, comments,
    photo credits) and only the article's own byline block is about this article.
    Inside the block, the innermost byline elements ("author-name" inside "byline")
    are read when they name someone, else the block's own text. Names in ``exclude``
    (case-folded: editors, outlets, CMS accounts) do not count as someone.
    """
    for block in _block_order(visible):
        leaves = [c for c in block if c.get("leaf")]
        credited: Byline | None = None
        for part in (leaves, [c for c in block if not c.get("leaf")]):
            readings = [(_without(parse_byline(str(c["text"]), site_names=site_names), exclude),
                         str(c["text"])) for c in part]
            named = [(b, t) for b, t in readings if b.authors]
            if not named:
                credited = credited or next((b for b, _ in readings if b.outlets), None)
                continue
            if part is leaves:
                authors = _drop_lone_words(_dedupe(a for b, _ in named for a in b.authors))
                outlets = _dedupe(o for b, _ in readings for o in b.outlets)
                date = next((b.date_text for b, _ in readings if b.date_text), None)
                return Byline(authors, outlets, date), "; ".join(t for _, t in named)
            return named[0]
        if credited is not None and all(c.get("after_h1", True) for c in block):
            # the article's own byline credits only an outlet or agency ("dpa"): people in
            # later blocks wrote other stories (teasers, "more from the author")
            return Byline([], credited.outlets, credited.date_text), ""
    return None


def choose_byline(candidates: list[dict[str, Any]], *, site_names: Iterable[str]) -> AuthorChoice:
    """Pick authors from prioritised candidates; see `choose_authors` for the rules."""
    sites = [s for s in site_names if s]
    parsed: dict[str, tuple[list[str], str]] = {}  # source -> (authors, raw texts joined)
    outlets: list[str] = []
    dates: dict[str, str] = {}
    slug_names: list[str] = []
    visible = [c for c in candidates if c.get("source") == "byline"]
    for cand in candidates:
        text, source = str(cand.get("text") or ""), str(cand.get("source") or "")
        if not text.strip() or source == "byline":
            continue
        if R.URL_RE.match(text.strip()):
            if slug := _slug_name(text):
                slug_names.append(slug)
            continue
        byline = parse_byline(text, site_names=sites)
        outlets.extend(byline.outlets)
        if byline.date_text:
            dates.setdefault(source, byline.date_text)
        found = byline.authors
        if source in GUESSED_SOURCES:
            # a lone word from a guessing extractor is initials or a place ("Amw", "Lille")
            found = [a for a in found if " " in a or not R.is_latin(a)]
        if found:
            names, raws = parsed.get(source, ([], ""))
            parsed[source] = (_dedupe(names + found), f"{raws}; {text}" if raws else text)

    # Names the page credits as editors ("Editor: Jane Doe") are not authors, even where a
    # structured source lists them (CMSs fill JSON-LD ``author`` with the desk editor) ...
    editors = _folded(e for c in candidates if c.get("source") == "byline"
                      for e in parse_byline(str(c.get("text") or ""), site_names=sites).editors)
    # ... a name another source gives as the outlet ("Deutsche Welle (www.dw.com)") is none,
    # nor is the display name of a CMS account ("/author/admin/")
    accounts = _folded(str(c.get("text") or "") for c in candidates
                       if R.ACCOUNT_URL_RE.search(str(c.get("url") or "")))
    not_authors = editors | _folded(outlets) | accounts
    if not_authors:
        parsed = {src: (kept, raw) for src, (names, raw) in parsed.items()
                  if (kept := [n for n in names if n.casefold() not in not_authors])}

    reading = visible_reading(visible, site_names=sites, exclude=frozenset(not_authors))
    if reading is not None and reading[0].authors:
        parsed["byline"] = (reading[0].authors, reading[1])
    if reading is not None:
        # the visible byline's outlet ("By Jane Doe, The Duran") is the page's own wording
        outlets[:0] = reading[0].outlets
        if reading[0].date_text:
            dates["byline"] = reading[0].date_text

    def done(source: str | None, names: list[str] | None = None) -> AuthorChoice:
        if source is None:
            return AuthorChoice([], None, None, _dedupe(outlets), None)
        got, raw = parsed.get(source, (names or [], None))
        date = dates.get(source) or dates.get("byline")
        return AuthorChoice(names or got, source, raw, _dedupe(outlets), date)

    structured = [s for s in STRUCTURED_SOURCES if s in parsed]
    texts = [s for s in TEXT_SOURCES if s in parsed]
    if structured:
        # a visible byline that agrees with one structured source picks it ...
        for v in texts:
            for s in structured:
                if _folded(parsed[s][0]) & _folded(parsed[v][0]):
                    # ... and may complete it: the visible byline names every structured author
                    # and more (a guessing extractor's merge of the page's fields may not)
                    if v == "byline" and _folded(parsed[s][0]) < _folded(parsed[v][0]):
                        return done(v)
                    return done(s)
        return done(structured[0])
    if len(texts) == 2 and not _folded(parsed[texts[0]][0]) & _folded(parsed[texts[1]][0]):
        # two text-derived readings with no name in common: neither is trustworthy
        hint = parsed.get("hint")
        for v in texts:
            if hint and _folded(hint[0]) & _folded(parsed[v][0]):
                return done(v)
        return done(None)
    if texts:
        return done(texts[0])
    if "hint" in parsed:
        return done("hint")
    if slug_names:
        return done("url-slug", _dedupe(slug_names))
    return done(None)


def choose_authors(
    candidates: list[dict[str, Any]], *, site_names: Iterable[str]
) -> tuple[list[str], str | None, list[str]]:
    """Return (authors, source used, outlets seen) from candidates in priority order.

    Structured sources (jsonld, meta, rel-author) win, reconciled with the visible
    byline: a structured value that names only the outlet gives way to a person in
    the byline; a byline naming every structured author plus more completes it.
    Two text-derived readings that share no name give [] rather than a guess.
    An author-archive URL becomes a name only when nothing else names anyone.
    """
    choice = choose_byline(candidates, site_names=site_names)
    return choice.authors, choice.source, choice.outlets


class BylinesPipeline(PageStage):
    """Page stage: item signals/hints -> `choose_byline` -> item fields and stats."""

    name = "bylines"

    def apply(self, item: ArticleItem, stats: Stats) -> None:
        candidates = list(item.signals.get("byline_candidates", []))
        candidates += [{"text": a, "source": "hint"} for a in item.hints.get("authors") or []]
        sites = site_names_for(item.url or item.fetched_url, item.site_name)
        choice = choose_byline(candidates, site_names=sites)
        item.authors = choice.authors
        item.authors_source = choice.source
        item.credits = list(choice.outlets)
        if choice.source is None:
            stats.inc_value("news/bylines/none")
        else:
            stats.inc_value(f"news/bylines/from_{choice.source}")
            item.byline_raw = choice.raw
        if choice.outlets and not item.site_name:
            item.site_name = choice.outlets[0]
            item.site_name_source = "byline"
        if choice.date_text:
            item.signals.setdefault("date_candidates", []).append(
                {"raw": choice.date_text, "source": "byline", "kind": "published"}
            )
