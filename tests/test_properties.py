"""Property tests of the pure functions: no exception escapes, outputs keep their invariants.

Profiles: "ci" (default, modest example counts, keeps the suite fast) and "fuzz"
(thousands of examples per property). A long fuzz run::

    HYPOTHESIS_PROFILE=fuzz .venv/bin/python -m pytest tests/test_properties.py -q

(or ``--hypothesis-profile=fuzz``; ``benchmarks/fuzz_extract.py`` drives
extract_article with atheris when it is installed).
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls
from lxml import html as lxml_html

from pipelines.bylines import choose_authors, parse_byline
from pipelines.captions import remove_repeated_captions, without_credit
from pipelines.dates import normalise_date
from pipelines.dedup import TRACKING_PARAMS, canonical_url
from pipelines.extract import build_options, extract_article
from pipelines.leadlines import strip_lead_lines
from pipelines.titles import strip_site_name
from tests.badinput.generate import EN_PARAGRAPHS, EN_TITLE, JA_PARAGRAPHS, JA_TITLE, page
from tests.conftest import PAGES

settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "fuzz",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Test-runner knob, not a component setting: which profile this run uses.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: text that looks like bylines: names, "By", separators, dates, e-mails, handles, noise
NAME = st.sampled_from(
    [
        "Jane Doe",
        "John Smith",
        "María López",
        "O'Brien",
        "Ann-Marie Lee",
        "山田太郎",
        "Reuters",
        "The Duran",
        "AP",
        "staff",
        "Editor",
        "Smith, John",
        "j.doe@x.org",
        "@handle",
        "July 25, 2016",
        "2 hours ago",
        "By",
        "by",
        "and",
        "&",
        ",",
        "|",
        "Von",
        "Par",
        "Photo:",
        "Updated",
        "Mr.",
        "Dr.",
        "https://x.org/author/jane-doe",
    ]
)
BYLINE = st.one_of(
    st.lists(NAME, max_size=12).map(" ".join),
    st.text(max_size=300),
    st.lists(st.one_of(NAME, st.text(max_size=20)), max_size=8).map(" ".join),
)
SOURCES = st.sampled_from(["jsonld", "meta", "rel-author", "byline", "trafilatura", "url"])
BASE = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def _authors_ok(authors: list[str]) -> None:
    assert isinstance(authors, list)
    for name in authors:
        assert isinstance(name, str) and name.strip() == name and name
        assert not re.match(r"(?i)by\b", name), name
    assert len({a.casefold() for a in authors}) == len(authors)


@given(BYLINE, st.lists(st.sampled_from(["The Duran", "Reuters", "valley.example", ""]), max_size=3))
def test_parse_byline_gives_clean_names(raw: str, sites: list[str]) -> None:
    byline = parse_byline(raw, site_names=sites)
    _authors_ok(byline.authors)
    assert all(isinstance(o, str) for o in byline.outlets)
    assert byline.date_text is None or isinstance(byline.date_text, str)


@given(st.lists(st.fixed_dictionaries({"text": BYLINE, "source": SOURCES}), max_size=6))
def test_choose_authors_gives_clean_names(candidates: list[dict[str, str]]) -> None:
    authors, source, outlets = choose_authors(candidates, site_names=["The Duran"])
    _authors_ok(authors)
    assert source is None or isinstance(source, str)
    assert not authors or source is not None


def _valid_iso(value: str) -> bool:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        date.fromisoformat(value)
        return True
    moment = datetime.fromisoformat(value)
    return moment.tzinfo is not None


DATE_TEXT = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"\A\d{1,5}[-/.]\d{1,3}[-/.]\d{1,5}( \d{1,2}:\d{2}(:\d{2})?)?( ?[+-]\d{2}:?\d{2}|Z)?\Z"),
    st.sampled_from(
        [
            "0000-00-00",
            "2099-01-01",
            "yesterday",
            "2 hours ago",
            "vor 3 Tagen",
            "gestern",
            "July 25, 2016",
            "25/07/2016",
            "2016-07-25T14:03:00+03:00",
            "Mon, 25 Jul 2016 14:03 GMT",
            "99999999999999999999-99-99",
            "1970-01-01T00:00:00Z",
            "2024-02-30",
        ]
    ),
)


@given(
    DATE_TEXT,
    st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]),
    st.sampled_from([None, ["en"], ["de"], ["ja"], ["ru"]]),
)
def test_normalise_date_is_valid_iso_or_none(raw: str, tz: str, languages: list[str] | None) -> None:
    value = normalise_date(raw, base=BASE, timezone=tz, languages=languages)
    if value is None:
        return
    assert _valid_iso(value), value
    assert value[:10] <= (BASE + timedelta(days=1)).date().isoformat(), value  # never in the future
    assert value[:4] >= "1990"


@given(
    st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2024, 5, 30)),
    st.sampled_from([0, 60, -300, 330, 540]),
)
def test_iso_dates_round_trip(moment: datetime, offset_minutes: int) -> None:
    from datetime import timezone

    aware = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset_minutes)))
    value = normalise_date(aware.isoformat(), base=BASE)
    assert value is not None and datetime.fromisoformat(value) == aware
    assert normalise_date(aware.date().isoformat(), base=BASE) == aware.date().isoformat()


PARAGRAPH = st.one_of(
    st.sampled_from(
        EN_PARAGRAPHS
        + ["Photo: Reuters", "A caption of a photo.", "By Jane Doe", "In Politics, World", EN_TITLE, ""]
    ),
    st.text(max_size=80),
)
TEXT = st.lists(PARAGRAPH, max_size=8).map("\n\n".join)


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def _is_subsequence(part: list[str], whole: list[str]) -> bool:
    it = iter(whole)
    return all(any(p == w for w in it) for p in part)


@given(
    TEXT,
    st.lists(
        st.fixed_dictionaries({"text": PARAGRAPH, "source": st.sampled_from(["caption", "alt", "title"])}),
        max_size=5,
    ),
)
def test_remove_repeated_captions_never_adds_text(text: str, candidates: list[dict[str, str]]) -> None:
    captions, cleaned = remove_repeated_captions(text, candidates)
    assert _is_subsequence(_paragraphs(cleaned), _paragraphs(text))
    # A caption is a candidate's text with its photo credit cut off ("Harbour at dawn. © Jo Bloggs").
    assert all(c in [without_credit(d["text"]) for d in candidates] for c in captions)
    assert len({c for c in captions}) == len(captions)


@given(TEXT, st.lists(PARAGRAPH, max_size=3), st.lists(PARAGRAPH, max_size=3))
def test_strip_lead_lines_only_removes_leading_paragraphs(
    text: str, titles: list[str], categories: list[str]
) -> None:
    cleaned, bylines = strip_lead_lines(text, titles=titles, categories=categories)
    kept, given_ = _paragraphs(cleaned), _paragraphs(text)
    assert kept == given_[len(given_) - len(kept) :]  # a suffix of the input
    assert all(b in [p.strip() for p in given_] for b in bylines)
    assert len(bylines) <= 4


@given(
    st.one_of(
        st.text(max_size=120),
        st.tuples(
            st.text(max_size=60),
            st.sampled_from([" | ", " - ", " – ", ": ", " » "]),
            st.sampled_from(["The Duran", "Valley News", "BBC News"]),
        ).map("".join),
    ),
    st.lists(st.sampled_from(["The Duran", "Valley News", "BBC News", "bbc.co.uk", ""]), max_size=3),
)
def test_strip_site_name_returns_part_of_the_title(title: str, sites: list[str]) -> None:
    result = strip_site_name(title, sites)
    assert result in title
    assert result == result.strip()


TRACKERS = st.sampled_from([*TRACKING_PARAMS, "id", "page", "q"])


@given(
    urls(),
    st.lists(st.tuples(TRACKERS, st.text("abc123", max_size=5)), max_size=4),
    st.sampled_from(["", "#top", "#x?utm_source=1"]),
)
def test_canonical_url_is_idempotent_and_clean(
    url: str, params: list[tuple[str, str]], fragment: str
) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    full = url.split("#")[0] + ("&" if "?" in url else "?") + query + fragment if query else url + fragment
    result = canonical_url(full)
    assert canonical_url(result) == result
    parts = urlsplit(result)
    assert not parts.fragment
    assert parts.netloc == parts.netloc.lower() or "@" in parts.netloc
    kept = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    assert not kept & {t.lower() for t in TRACKING_PARAMS if t not in ("sid",)} - {
        k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)
    }


@given(st.text(max_size=200))
def test_canonical_url_of_any_text_is_a_string_or_value_error(text: str) -> None:
    try:
        result = canonical_url(text)
    except ValueError:
        return  # documented: urlsplit's error for a malformed address
    assert isinstance(result, str)


# --- extract_article on mutated real-looking pages ----------------------------------

SEEDS = [p.read_bytes() for p in sorted(PAGES.rglob("*.html"))] + [
    page(EN_TITLE, EN_PARAGRAPHS).encode(),
    page(JA_TITLE, JA_PARAGRAPHS, lang="ja").encode(),
]
OPTIONS = build_options()
TAG_RE = re.compile(rb"<[^<>]{0,200}>")
WORD_RE = re.compile(r"\w+")


@st.composite
def mutated_pages(draw: st.DrawFn) -> bytes:
    body = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "delete-tag", "delete-range", "duplicate"]))
        if not body:
            break
        at = draw(st.integers(0, len(body) - 1))
        if kind == "truncate":
            del body[at:]
        elif kind == "flip":
            for i in range(at, min(len(body), at + draw(st.integers(1, 16)))):
                body[i] ^= draw(st.integers(1, 255))
        elif kind == "delete-tag":
            tags = list(TAG_RE.finditer(body))
            if tags:
                tag = tags[draw(st.integers(0, len(tags) - 1))]
                del body[tag.start() : tag.end()]
        elif kind == "delete-range":
            del body[at : at + draw(st.integers(1, 2000))]
        else:
            body[at:at] = body[at : at + draw(st.integers(1, 2000))]
    return bytes(body)


@given(mutated_pages())
def test_extract_article_survives_mutations(body: bytes) -> None:
    html = body.decode("utf-8", "replace").replace("\x00", "")
    assume(html.strip())
    try:
        result = extract_article(
            html, "https://valley.example/news/pipes", fetched_at="2024-06-01T12:00:00+00:00", options=OPTIONS
        )
    except ValueError:
        return  # documented: the HTML could not be parsed into a document
    assert isinstance(result["text"], str)
    assert result["url"].startswith("https://")
    # Text never grows: every word of the extracted text is in the page's text (adjacent text
    # nodes may be joined, "Search" + "Lavrov": compare with the whitespace taken out).
    page_text = lxml_html.document_fromstring(html).text_content() + html
    blob = re.sub(r"\W+", "", page_text.casefold())
    extra = {w for w in WORD_RE.findall(result["text"].casefold()) if w not in blob}
    assert not extra, sorted(extra)[:10]
    for name in ("title_raw", "byline_raw", "published_raw", "site_name", "language", "description"):
        assert result[name] is None or isinstance(result[name], str), name
    json.dumps(result["signals"], default=str)  # plain data, storable


def test_seed_pages_exist() -> None:
    assert len(SEEDS) >= 3
    assert any(Path(p).suffix == ".html" for p in PAGES.rglob("*.html"))
