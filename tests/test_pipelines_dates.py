"""Tables for pipelines/dates.py and pipelines/dates_rules.py (frozen base, no network)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from pipelines import dates_rules as R
from pipelines.dates import DatesPipeline, choose_dates, country_zone, normalise_date

# Frozen clock for every test: the fixture's fetched_at, never datetime.now().
BASE = datetime(2016, 7, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "tz", "langs", "expected"),
    [
        # ISO 8601 fast path keeps the page's offset
        ("2016-07-25T14:03:00+03:00", "UTC", None, "2016-07-25T14:03:00+03:00"),
        ("2016-07-25T10:00:00.000Z", "UTC", None, "2016-07-25T10:00:00+00:00"),
        ("2016-07-25T10:00:00+0200", "UTC", None, "2016-07-25T10:00:00+02:00"),
        ("2016-07-25 14:03:00 +0200", "UTC", None, "2016-07-25T14:03:00+02:00"),
        ("2016-07-25", "Europe/Berlin", None, "2016-07-25"),  # never midnight UTC for a day
        # naive times take the site zone's offset for that date (DST-correct)
        ("2016-07-25T14:03", "Europe/Berlin", None, "2016-07-25T14:03:00+02:00"),
        ("2016-01-25T14:03", "Europe/Berlin", None, "2016-01-25T14:03:00+01:00"),
        ("July 25, 2016 14:03", "Europe/Berlin", ["en"], "2016-07-25T14:03:00+02:00"),
        ("January 25, 2016 14:03", "Europe/Berlin", ["en"], "2016-01-25T14:03:00+01:00"),
        ("March 27, 2016 03:30", "Europe/Berlin", ["en"], "2016-03-27T03:30:00+02:00"),  # DST day
        ("July 25, 2016 2:03 pm EDT", "UTC", ["en"], "2016-07-25T14:03:00-04:00"),
        ("25.07.2016, 14.03 Uhr", "Europe/Berlin", ["de"], "2016-07-25T14:03:00+02:00"),
        # RFC 822 / 2822 and unix timestamps
        ("Mon, 25 Jul 2016 14:03:00 +0300", "UTC", None, "2016-07-25T14:03:00+03:00"),
        ("Mon, 25 Jul 2016 14:03:00 GMT", "UTC", None, "2016-07-25T14:03:00+00:00"),
        ("1469455380", "Europe/Berlin", None, "2016-07-25T16:03:00+02:00"),
        ("1469455380000", "UTC", None, "2016-07-25T14:03:00+00:00"),
        # day-only forms in several languages
        ("July 25, 2016", "UTC", ["en"], "2016-07-25"),
        ("25. Juli 2016", "Europe/Berlin", ["de"], "2016-07-25"),
        ("25 juillet 2016", "Europe/Paris", ["fr"], "2016-07-25"),
        ("25 de julio de 2016", "UTC", ["es"], "2016-07-25"),
        ("2016年7月25日", "Asia/Tokyo", ["ja"], "2016-07-25"),
        ("25.07.2016", "UTC", ["de"], "2016-07-25"),  # "25.07" is not a time of day
        ("Published: July 25, 2016", "UTC", ["en"], "2016-07-25"),
        ("Veröffentlicht am 25. Juli 2016", "UTC", ["de"], "2016-07-25"),
        ("https://example.com/2016/07/25/some-story", "UTC", None, "2016-07-25"),
        # a wrong language hint: only that language and English are tried (every locale
        # cost more CPU than the rest of the crawler process, for no date on the corpus)
        ("25 juillet 2016", "UTC", ["de"], None),
        ("25 juillet 2016", "UTC", None, "2016-07-25"),  # no hint: every language
        # relative strings against the frozen base (12:00 UTC = 14:00 in Berlin)
        ("2 hours ago", "Europe/Berlin", ["en"], "2016-07-26T12:00:00+02:00"),
        ("vor 2 Stunden", "Europe/Berlin", ["de"], "2016-07-26T12:00:00+02:00"),
        ("yesterday", "UTC", ["en"], "2016-07-25"),
        ("gestern", "Europe/Berlin", ["de"], "2016-07-25"),
        # rejected: placeholders, future, before the floor, garbage
        ("0000-00-00", "UTC", None, None),
        ("0000-00-00 00:00:00", "UTC", None, None),
        ("2099-01-01", "UTC", None, None),
        ("2016-07-28", "UTC", None, None),  # beyond base + 1 day
        ("2016-07-27T11:00:00Z", "UTC", None, "2016-07-27T11:00:00+00:00"),  # within slack
        ("1989-12-31", "UTC", None, None),
        ("9999999999", "UTC", None, None),
        ("2016-13-45", "UTC", None, None),
        ("not a date at all", "UTC", ["en"], None),
        ("", "UTC", None, None),
        ("x" * 5000, "UTC", None, None),
    ],
)
def test_normalise_date(raw: str, tz: str, langs: list[str] | None, expected: str | None) -> None:
    assert normalise_date(raw, base=BASE, timezone=tz, languages=langs) == expected


def test_floor_is_a_named_constant() -> None:
    assert R.DATE_FLOOR.isoformat() == "1990-01-01"
    assert normalise_date("1990-01-01", base=BASE) == "1990-01-01"


@pytest.mark.parametrize(
    ("text", "has_time"),
    [
        ("14:03", True),
        ("2.03 pm", True),
        ("14h03", True),
        ("14.03 Uhr", True),
        ("2 pm", True),
        ("14時03分", True),
        ("25.07.2016", False),
        ("July 25, 2016", False),
        ("2016-07-25", False),
        ("Juli 2016", False),
    ],
)
def test_time_of_day_re(text: str, has_time: bool) -> None:
    assert bool(R.TIME_OF_DAY_RE.search(text)) is has_time


def _c(raw: str, source: str, kind: str = "published") -> dict[str, str]:
    return {"raw": raw, "source": source, "kind": kind}


@pytest.mark.parametrize(
    ("candidates", "published", "source"),
    [
        (
            [_c("2016-07-25T14:03:00+03:00", "jsonld"), _c("/2016/07/25/", "url")],
            "2016-07-25T14:03:00+03:00",
            "jsonld",
        ),
        # a JSON-LD datetime beats a day-only URL date, whatever the input order
        (
            [
                _c("https://x.example/2016/07/25/a", "url"),
                _c("2016-07-25T14:03:00+03:00", "jsonld"),
            ],
            "2016-07-25T14:03:00+03:00",
            "jsonld",
        ),
        # a day-only JSON-LD date takes the time of a same-day meta datetime
        (
            [_c("2016-07-25", "jsonld"), _c("2016-07-25T14:03:00+03:00", "meta")],
            "2016-07-25T14:03:00+03:00",
            "meta",
        ),
        # ... but not one from another day
        (
            [_c("2016-07-25", "jsonld"), _c("2016-07-20T14:03:00+03:00", "meta")],
            "2016-07-25",
            "jsonld",
        ),
        # placeholder midnight is upgraded by a same-day real time
        (
            [_c("2016-07-25T00:00:00+02:00", "jsonld"), _c("2016-07-25T09:15:00+02:00", "time")],
            "2016-07-25T09:15:00+02:00",
            "time",
        ),
        # unparseable first candidate: the next one
        ([_c("0000-00-00", "jsonld"), _c("25. Juli 2016", "byline")], "2016-07-25", "byline"),
        # structured sources disagree by > 2 days: lower sources break the tie ...
        (
            [
                _c("2016-01-01T10:00:00Z", "jsonld"),
                _c("2016-07-25T10:00:00Z", "meta"),
                _c("/2016/07/25/", "url"),
            ],
            "2016-07-25T10:00:00+00:00",
            "meta",
        ),
        # ... and without support the higher structured source stays
        (
            [
                _c("2016-01-01T10:00:00Z", "jsonld"),
                _c("2016-07-25T10:00:00Z", "meta"),
                _c("2016-03-03", "htmldate"),
            ],
            "2016-01-01T10:00:00+00:00",
            "jsonld",
        ),
        # structured metadata beats text-derived dates that disagree
        (
            [_c("July 20, 2016", "byline"), _c("2016-07-25T10:00:00Z", "meta")],
            "2016-07-25T10:00:00+00:00",
            "meta",
        ),
        # structured values a day apart: the same wall-clock time printed on the page decides ...
        (
            [_c("2016-07-24T18:19+01:00", "jsonld"), _c("2016-07-25T07:30+01:00", "meta"),
             _c("25.07.2016, 07:30 Uhr", "dateline")],
            "2016-07-25T07:30:00+01:00",
            "meta",
        ),
        # ... not a day alone (a print edition's date beside the online time) ...
        (
            [_c("2016-07-24T19:30:04+02:00", "jsonld"), _c("2016-07-25", "meta"),
             _c("25.07.2016", "dateline")],
            "2016-07-24T19:30:04+02:00",
            "jsonld",
        ),
        # ... nor a repeat of the same source
        (
            [_c("2016-07-25T13:21:30+01:00", "meta"), _c("2016-07-24T20:35:36+01:00", "time"),
             _c("2016-07-24T20:35:36+01:00", "time")],
            "2016-07-25T13:21:30+01:00",
            "meta",
        ),
        # modified is never published
        ([_c("2016-07-25T10:00:00Z", "jsonld", "modified")], None, None),
        ([], None, None),
    ],
)
def test_choose_published(
    candidates: list[dict[str, str]], published: str | None, source: str | None
) -> None:
    choice = choose_dates(candidates, base=BASE, timezone="UTC", languages=None)
    assert (choice.published, choice.published_source) == (published, source)


def test_choose_modified_and_raw() -> None:
    cands = [_c("2016-07-25T10:00:00Z", "jsonld"), _c("2016-07-26T08:00:00Z", "jsonld", "modified")]
    choice = choose_dates(cands, base=BASE, timezone="UTC", languages=None)
    assert choice.modified == "2016-07-26T08:00:00+00:00"
    assert (choice.published_raw, choice.modified_source) == ("2016-07-25T10:00:00Z", "jsonld")
    # published after modified: keep published, drop modified
    cands = [_c("2016-07-25T10:00:00Z", "jsonld"), _c("2016-07-24T08:00:00Z", "meta", "modified")]
    choice = choose_dates(cands, base=BASE, timezone="UTC", languages=None)
    assert (choice.published, choice.modified) == ("2016-07-25T10:00:00+00:00", None)


def test_cached_parse_is_fast() -> None:
    normalise_date(
        "25. Juli 2016 um 14:03 Uhr", base=BASE, timezone="Europe/Berlin", languages=["de"]
    )
    start = time.perf_counter()
    for _ in range(200):
        normalise_date(
            "25. Juli 2016 um 14:03 Uhr", base=BASE, timezone="Europe/Berlin", languages=["de"]
        )
    assert time.perf_counter() - start < 0.5


def _item(**kw: object) -> ArticleItem:
    item = ArticleItem(
        fetched_url="https://x.example/a",
        source="x",
        html="",
        fetched_at="2016-07-26T12:00:00+00:00",
    )
    for k, v in kw.items():
        setattr(item, k, v)
    return item


def _pipe(settings: dict[str, object]) -> tuple[DatesPipeline, object]:
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    return build_from_crawler(DatesPipeline, crawler), crawler.stats


def test_pipeline_uses_setting_timezone_language_and_hint() -> None:
    pipe, stats = _pipe({"NEWS_DATES_DEFAULT_TIMEZONE": "Europe/Berlin"})
    item = _item(
        language="de",
        signals={
            "date_candidates": [
                _c("bogus", "meta"),
                _c("25. Juli 2016 um 14:03 Uhr", "byline"),
                _c("2016-07-26T09:00:00", "jsonld", "modified"),
            ]
        },
    )
    out = pipe.process_item(item)
    assert (out.published, out.published_source) == ("2016-07-25T14:03:00+02:00", "byline")
    assert out.published_raw == "25. Juli 2016 um 14:03 Uhr"
    assert (out.modified, out.modified_source) == ("2016-07-26T09:00:00+02:00", "jsonld")
    assert out.stages == ["dates"]
    assert stats.get_value("news/dates/from_byline") == 1  # type: ignore[attr-defined]
    assert stats.get_value("news/dates/unparsed") == 1  # type: ignore[attr-defined]
    out = pipe.process_item(
        _item(
            hints={"published": "Mon, 25 Jul 2016 14:03:00 +0300"},
            site_config={"timezone": "America/New_York"},
        )
    )
    assert (out.published, out.published_source) == ("2016-07-25T14:03:00+03:00", "hint")


def test_pipeline_none_keeps_extracted_raw() -> None:
    pipe, stats = _pipe({})
    out = pipe.process_item(
        _item(published_raw="sometime", signals={"date_candidates": [_c("2099-01-01", "meta")]})
    )
    assert (out.published, out.published_raw, out.published_source) == (None, "sometime", None)
    assert stats.get_value("news/dates/none") == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "time_only"),
    [
        ("9:05 PM", True),
        ("14:03 Uhr", True),
        ("14h03", True),
        ("2:33 pm EDT", True),
        ("25.07.2016", False),
        ("July 25, 2016 9:05 PM", False),
        ("2016-07-25T14:03", False),
    ],
)
def test_time_only_re(text: str, time_only: bool) -> None:
    assert bool(R.TIME_ONLY_RE.match(text)) is time_only


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9:05 PM", None),  # no date: not today's date
        ("8.5.12", "2012-05-08"),  # dotted dates are day first, with or without a language
        ("25.07.2016", "2016-07-25"),
        ("05/08/2012", "2012-05-08"),  # slashes stay month first without a language hint
    ],
)
def test_time_only_and_dotted_dates(raw: str, expected: str | None) -> None:
    base = datetime(2024, 1, 1, tzinfo=UTC)
    assert normalise_date(raw, base=base, timezone="UTC", languages=None) == expected


@pytest.mark.parametrize(
    ("candidates", "published", "source"),
    [
        # the same instant written with the page's offset elsewhere: keep that offset
        (
            [_c("2016-07-24T22:04:00Z", "jsonld"), _c("Mon, 25 Jul 2016 00:04:00 +0200", "meta")],
            "2016-07-25T00:04:00+02:00",
            "jsonld+meta",
        ),
        # a visible wall-clock time a whole hour away, to the second: the offset by difference
        (
            [_c("2016-07-25T11:43:08.000Z", "jsonld"), _c("2016-07-25 13:43:08", "time")],
            "2016-07-25T13:43:08+02:00",
            "jsonld+time",
        ),
        # ... not a time that is no whole number of quarter hours away (another item's time)
        (
            [_c("2016-07-25T11:43:08Z", "jsonld"), _c("2016-07-25 14:40:00", "time")],
            "2016-07-25T11:43:08+00:00",
            "jsonld",
        ),
        # ... not a visible time that states its own zone (it is an instant, not a wall clock)
        (
            [_c("2016-07-25T11:43:08Z", "jsonld"), _c("2016-07-25T13:43:08Z", "time")],
            "2016-07-25T11:43:08+00:00",
            "jsonld",
        ),
        # the URL's local day, a day before a UTC instant just after midnight: the day alone
        (
            [_c("2016-07-25T02:25:54Z", "jsonld"), _c("2016-07-24", "url")],
            "2016-07-24",
            "jsonld+url",
        ),
        # ... not when no inhabited offset reaches it (10:04 UTC is the day before only west of Hawaii)
        ([_c("2016-07-25T10:04:04Z", "jsonld"), _c("2016-07-24", "url")], "2016-07-25T10:04:04+00:00",
         "jsonld"),
        # ... not a visible day-only date: it may be another item's
        ([_c("2016-07-25T02:25:54Z", "jsonld"), _c("24 July 2016", "dateline")], "2016-07-25T02:25:54+00:00",
         "jsonld"),
        # ... and a value not stamped in UTC is the page's own form already
        ([_c("2016-07-25T02:25:54+03:00", "jsonld"), _c("2016-07-24", "url")], "2016-07-25T02:25:54+03:00",
         "jsonld"),
    ],
)
def test_choose_keeps_the_pages_local_form(
    candidates: list[dict[str, str]], published: str | None, source: str | None
) -> None:
    choice = choose_dates(candidates, base=BASE, timezone="UTC", languages=None)
    assert (choice.published, choice.published_source) == (published, source)
    assert choice.published_raw == candidates[0]["raw"]


@pytest.mark.parametrize(
    ("candidates", "published", "source"),
    [
        # htmldate's 1 January stand-in for a bare (copyright) year is no date
        ([_c("2016-01-01", "trafilatura")], None, None),
        ([_c("2016-01-01", "htmldate")], None, None),
        # a 1 January the page states itself stays
        ([_c("2016-01-01", "dateline"), _c("2016-01-01", "trafilatura")], "2016-01-01", "dateline"),
        ([_c("2016-01-01T09:30:00+01:00", "meta")], "2016-01-01T09:30:00+01:00", "meta"),
        # any other htmldate day is a date
        ([_c("2016-02-01", "trafilatura")], "2016-02-01", "trafilatura"),
        # the visible dateline outranks htmldate's guess from the whole page (comments, headers)
        ([_c("2016-07-24", "trafilatura"), _c("23.07.2016", "dateline")], "2016-07-23", "dateline"),
        # metadata echoed by htmldate does not support it against a visible <time>
        (
            [_c("2016-07-20T14:32:06+02:00", "meta"), _c("2016-07-15", "time"), _c("15.07.2016", "dateline"),
             _c("2016-07-20", "trafilatura")],
            "2016-07-15",
            "time",
        ),
    ],
)
def test_choose_htmldate_and_dateline(
    candidates: list[dict[str, str]], published: str | None, source: str | None
) -> None:
    choice = choose_dates(candidates, base=BASE, timezone="UTC", languages=["de"])
    assert (choice.published, choice.published_source) == (published, source)


@pytest.mark.parametrize(
    ("url", "published", "source"),
    [
        # a one-offset country names the page's clock: the same instant in its offset
        ("https://gazzetta.example.it/news/voto", "2016-07-25T01:15:00+02:00", "jsonld+country"),
        ("https://paper.example.co.uk/news/vote", "2016-07-25T00:15:00+01:00", "jsonld+country"),
        # several offsets (Canada): the instant stays as stamped
        ("https://radio.example.ca/nouvelle/vote", "2016-07-24T23:15:00+00:00", "jsonld"),
        # generic domains and ccTLDs sold as generic ones name no country
        ("https://news.example.com/vote", "2016-07-24T23:15:00+00:00", "jsonld"),
        ("https://startup.example.io/vote", "2016-07-24T23:15:00+00:00", "jsonld"),
        ("file:///tmp/saved.html", "2016-07-24T23:15:00+00:00", "jsonld"),
    ],
)
def test_choose_takes_the_countrys_offset(url: str, published: str, source: str) -> None:
    choice = choose_dates([_c("2016-07-24T23:15:00Z", "jsonld")], base=BASE, timezone="UTC",
                          languages=None, local_zone=country_zone(url, BASE))
    assert (choice.published, choice.published_source) == (published, source)


@pytest.mark.parametrize(
    ("url", "zone"),
    [
        ("https://www.zeitung.example.de/politik/wahl", "Europe/Berlin"),  # Busingen keeps Berlin's clock
        ("https://paper.example.co.uk/news/vote", "Europe/London"),
        ("https://gazzetta.example.it/news/voto", "Europe/Rome"),
        ("https://radio.example.ca/nouvelle/vote", None),  # several clocks
        ("https://news.example.com/vote", None),
        ("https://startup.example.io/vote", None),  # a ccTLD sold as a generic one
        ("file:///tmp/saved.html", None),
    ],
)
def test_country_zone(url: str, zone: str | None) -> None:
    assert country_zone(url, BASE) == zone


def test_pipeline_reads_naive_times_on_the_countrys_clock() -> None:
    crawler = get_crawler(settings_dict={"NEWS_DATES_DEFAULT_TIMEZONE": "UTC"})
    pipe = build_from_crawler(DatesPipeline, crawler)
    item = ArticleItem(fetched_url="https://www.zeitung.example.de/politik/wahl", source="s", html="",
                       fetched_at="2016-07-26T12:00:00+00:00",
                       url="https://www.zeitung.example.de/politik/wahl",
                       signals={"date_candidates": [_c("2016-07-25 18:11:01.0", "jsonld")]})
    pipe.process_item(item)
    assert item.published == "2016-07-25T18:11:01+02:00"
    # a site's configured zone still wins (a fresh item: a stage applies once to an item)
    item = replace(item, site_config={"timezone": "America/New_York"}, stages=[])
    pipe.process_item(item)
    assert item.published == "2016-07-25T18:11:01-04:00"


def test_pipeline_gives_a_utc_stamp_in_the_sites_configured_zone_over_its_countrys() -> None:
    pipe = build_from_crawler(DatesPipeline, get_crawler())
    item = ArticleItem(fetched_url="https://www.zeitung.example.de/politik/wahl", source="s", html="",
                       fetched_at="2016-07-26T12:00:00+00:00", url="https://www.zeitung.example.de/politik/wahl",
                       signals={"date_candidates": [_c("2016-07-24T23:15:00Z", "jsonld")]})
    pipe.process_item(item)
    assert (item.published, item.published_source) == ("2016-07-25T01:15:00+02:00", "jsonld+country")
    item = replace(item, site_config={"timezone": "America/New_York"}, stages=[])
    pipe.process_item(item)
    assert (item.published, item.published_source) == ("2016-07-24T19:15:00-04:00", "jsonld+site")
