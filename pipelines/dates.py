"""Dates stage: normalise and choose the published and modified dates of an article.

Pure functions `normalise_date` / `parse_date` / `choose_dates` do the work;
`DatesPipeline` only reads the item and settings, calls them and counts stats.
Settings read: `NEWS_DATES_DEFAULT_TIMEZONE` (default "UTC"), used when the item's
`site_config` names no `timezone` and the URL's country code (.de, .it) names no single clock.
The clock is `item.fetched_at` (relative dates count from it); this stage never reads the wall clock.
Stats: `news/dates/unparsed`, `news/dates/none`, `news/dates/from_<source>`.
"""

from __future__ import annotations

import email.utils
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser
import pytz
from dateparser.data import language_order
from dateparser.timezone_parser import pop_tz_offset_from_string

from pipelines import dates_rules as R
from pipelines.date_languages import candidate_languages
from pipelines.stage import PageStage

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from crawler.items import ArticleItem
    from pipelines.stage import Stats


# dateparser's language codes (unknown codes would raise ValueError): its list of them, the keys
# of get_locale_map(), which would also load and copy every language's data (~45 ms at import,
# in the crawl process and the fork server alike)
KNOWN_LANGUAGES = frozenset(language_order)
# ISO 639-1 codes dateparser spells differently: "no" (Norwegian) is its "nb"
LANGUAGE_ALIASES = {"no": "nb"}


def dateparser_languages(languages: list[str] | None) -> tuple[str, ...] | None:
    """Known dateparser codes for `languages` plus English (common in metadata), or None."""
    codes = [LANGUAGE_ALIASES.get(c.lower(), c.lower()) for c in languages or ()]
    known = [c for c in codes if c in KNOWN_LANGUAGES]
    return tuple(dict.fromkeys([*known, "en"])) if known else None


@dataclass(frozen=True)
class ParsedDate:
    """A normalised date: its ISO `value`, calendar `day` and whether it has a time."""

    value: str
    day: date
    instant: datetime | None  # aware; None for day-only values
    precise: bool  # a real time of day, not a placeholder midnight


@dataclass(frozen=True)
class DateChoice:
    """The chosen published/modified values with their raw text and source."""

    published: str | None = None
    published_raw: str | None = None
    published_source: str | None = None
    modified: str | None = None
    modified_raw: str | None = None
    modified_source: str | None = None
    unparsed: int = 0


def _from_datetime(value: datetime, has_time: bool) -> ParsedDate:
    if not has_time:
        return ParsedDate(value.date().isoformat(), value.date(), None, False)
    value = value.replace(microsecond=0)
    midnight = (value.hour, value.minute, value.second) == (0, 0, 0)
    return ParsedDate(value.isoformat(), value.date(), value, not midnight)


@functools.lru_cache(maxsize=8192)  # bounded; keys hold every input, so results are pure
def _dateparser(
    raw: str, timezone: str, languages: tuple[str, ...] | None, base: datetime
) -> datetime | None:
    settings: Any = {
        **({"DATE_ORDER": "DMY"} if R.DOTTED_DMY_RE.match(raw) else {}),
        "TIMEZONE": timezone,
        "RETURN_AS_TIMEZONE_AWARE": True,
        # naive wall-clock time in `timezone`: what dateparser compares relative strings to
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
    }
    if languages is None:  # the page's language is unknown: what every language would answer
        languages = candidate_languages(raw)
        if not languages:
            return None  # no language can read it
    return dateparser.parse(raw, languages=list(languages), settings=settings)


def _fast_path(text: str, tz: ZoneInfo) -> ParsedDate | None:
    """ISO 8601, RFC 822 and unix timestamps without dateparser."""
    if R.ISO_RE.match(text):
        try:
            if R.ISO_DAY_RE.match(text):
                day = date.fromisoformat(text)
                return ParsedDate(day.isoformat(), day, None, False)
            value = datetime.fromisoformat(text.replace(" +", "+").replace(" -", "-"))
        except ValueError:  # "2016-13-45": dateparser gets its go, then the plausibility rules
            return None
        has_time = len(text) > 10
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)  # zoneinfo picks the DST offset for that date
        return _from_datetime(value, has_time)
    if R.RFC822_RE.match(text):
        try:
            value = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if value.tzinfo is None:  # "-0000" means UTC with unknown local zone
            value = value.replace(tzinfo=UTC)
        return _from_datetime(value, True)
    if R.UNIX_RE.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return _from_datetime(datetime.fromtimestamp(seconds, tz), True)
    return None


def parse_date(
    raw: str, *, base: datetime, timezone: str = "UTC", languages: list[str] | None = None
) -> ParsedDate | None:
    """Parse one date string; None when unparseable or implausible. See `normalise_date`."""
    text = R.LABEL_RE.sub("", raw.strip()).strip(" |,")
    if not text or len(text) > R.MAX_DATE_CHARS or R.ZERO_DATE_RE.match(text):
        return None
    if R.TIME_ONLY_RE.match(text):  # dateparser would put today's date in front of it
        return None
    tz = ZoneInfo(timezone)
    if base.tzinfo is None:
        base = base.replace(tzinfo=UTC)
    parsed: ParsedDate | None
    if "/" in text and (m := R.URL_DATE_RE.search(text)):
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
        parsed = ParsedDate(day.isoformat(), day, None, False)
    else:
        parsed = _fast_path(text, tz)
    if parsed is None:
        local_base = base.astimezone(tz).replace(tzinfo=None)
        if R.YEAR_RE.search(text):  # absolute: the time of day of the base cannot matter
            local_base = local_base.replace(hour=0, minute=0, second=0, microsecond=0)
        langs = dateparser_languages(languages)
        # Only the page's language and English when the language is known. Retrying every
        # locale on what fails (mostly strings that are no date at all) loaded and compiled
        # every locale's data: 10-900 ms a call, about 4 ms a page over the dev corpus, for
        # no date gained there.
        value = _dateparser(text, timezone, langs, local_base)
        if value is None:
            return None
        _, explicit = pop_tz_offset_from_string(text)
        if explicit is not None:  # dateparser converted to TIMEZONE; restore the page's offset
            offset = explicit.utcoffset(None)
            if offset is not None:
                value = value.astimezone(dt_timezone(offset))
        has_time = bool(R.TIME_OF_DAY_RE.search(text) or R.RELATIVE_TIME_RE.search(text))
        parsed = _from_datetime(value, has_time)
    limit = base + R.FUTURE_SLACK
    if parsed.day < R.DATE_FLOOR or parsed.day > limit.date():
        return None
    if parsed.instant is not None and parsed.instant > limit:
        return None
    return parsed


def normalise_date(
    raw: str, *, base: datetime, timezone: str = "UTC", languages: list[str] | None = None
) -> str | None:
    """Return ISO 8601 for `raw`: "YYYY-MM-DD" for a day, else a datetime with its offset.

    Args:
        raw: the date text as found ("July 25, 2016", "2016-07-25T14:03:00+03:00").
        base: the fetch time (aware); relative strings resolve against it and later
            dates (beyond one day of slack) are rejected.
        timezone: IANA zone for naive times of day ("Europe/Berlin").
        languages: ISO 639-1 codes for dateparser when the page language is known.
    """
    parsed = parse_date(raw, base=base, timezone=timezone, languages=languages)
    return parsed.value if parsed else None


def _days_apart(a: ParsedDate, b: ParsedDate) -> int:
    return abs((a.day - b.day).days)


def _same_wall_clock(a: ParsedDate, b: ParsedDate) -> bool:
    """Same day and same written time of day to the minute, whatever the offsets say."""
    if a.instant is None or b.instant is None or not (a.precise and b.precise):
        return False
    return a.instant.replace(tzinfo=None, second=0) == b.instant.replace(tzinfo=None, second=0)


def _pick(
    found: list[tuple[dict[str, Any], ParsedDate]],
) -> tuple[dict[str, Any], ParsedDate] | None:
    """First plausible candidate, with the tie-break and precision rules of `choose_dates`."""
    if not found:
        return None
    best = found[0]
    structured = [f for f in found if f[0].get("source") in R.STRUCTURED_SOURCES]
    apart = _days_apart(structured[0][1], structured[1][1]) if len(structured) >= 2 else 0
    if apart:
        first, second = structured[0], structured[1]
        # htmldate (through trafilatura) reads the same metadata first: it echoes, not supports
        others = [f for f in found if f is not first and f is not second
                  and f[0].get("source") not in R.ECHO_SOURCES]

        def support(c: tuple[dict[str, Any], ParsedDate]) -> int:
            if apart > R.DISAGREEMENT.days:  # days apart: a date within a day supports
                return sum(_days_apart(o[1], c[1]) <= R.AGREEMENT.days for o in others
                           if o[0].get("source") != c[0].get("source"))
            # neighbouring days (a print edition's date beside the online time): only the same
            # wall-clock time printed on the page supports, e.g. "07.11.2023, 07:30 Uhr"
            return sum(_same_wall_clock(o[1], c[1]) for o in others
                       if o[0].get("source") != c[0].get("source"))

        best = second if support(second) > support(first) else first
    if not best[1].precise:
        for cand in found:
            if cand[1].precise and cand[1].day == best[1].day:
                return cand
    return best


def year_only_guess(cand: dict[str, Any], parsed: ParsedDate) -> bool:
    """Is this htmldate's 1 January stand-in for a bare year, such as a copyright line?

    htmldate (through trafilatura) answers "2016-01-01" when all it found was "© 2016";
    an article's own 1 January date comes with a time or from another source.
    """
    return (cand.get("source") in R.ECHO_SOURCES and parsed.instant is None
            and (parsed.day.month, parsed.day.day) == (1, 1))


def _in_offset(instant: datetime, offset: timedelta) -> ParsedDate:
    return _from_datetime(instant.astimezone(dt_timezone(offset)), True)


def country_zone(url: str | None, at: datetime) -> str | None:
    """The IANA zone of the URL's ccTLD country when all its zones keep one clock at ``at``.

    "Europe/Berlin" for a .de page (Busingen keeps the same time); None for .com, or for a
    country of several clocks (.us, .ca, .au, .ru).
    """
    host = (urlsplit(url).hostname or "") if url else ""
    tld = host.rsplit(".", 1)[-1].lower()
    if len(tld) != 2 or tld in R.GENERIC_CCTLDS:
        return None
    zones = pytz.country_timezones.get(R.CCTLD_COUNTRIES.get(tld, tld).upper(), [])
    if not zones or len({at.astimezone(ZoneInfo(z)).utcoffset() for z in zones}) != 1:
        return None
    return str(zones[0])


def local_form(
    best: tuple[dict[str, Any], ParsedDate],
    found: list[tuple[dict[str, Any], ParsedDate]],
    zone: str | None = None,
    zone_source: str = "country",
) -> tuple[ParsedDate, str | None]:
    """The page's own local form of a UTC-stamped instant, and the source that gave it.

    Sites often normalise their metadata to UTC ("2020-02-25T02:25:54Z") while the
    article's day is the local one the page prints elsewhere. In order of trust:
    the same instant written with another offset gives that offset; a visible wall-clock
    time (no offset written) a whole number of quarter hours away, to the minute, gives
    the offset by difference; the URL's day ("/2020/02/24/") one day off, and reachable
    with a real offset, gives the day alone, since the offset itself is not known.
    Last, the page's own ``zone`` (the site's configured one, or its country's when the
    country keeps one clock: see :func:`country_zone`), named ``zone_source``; a page
    with neither leaves the instant as it is (the day alone would lose the time).
    """
    cand, parsed = best
    instant = parsed.instant
    if instant is None or not R.EXPLICIT_UTC_RE.search(str(cand.get("raw", ""))):
        return parsed, None
    for other_cand, other in found:
        offset = other.instant.utcoffset() if other.instant is not None else None
        if offset and abs(other.instant - instant) <= R.SAME_INSTANT:  # type: ignore[operator]
            return _in_offset(instant, offset), other_cand.get("source")
    for other_cand, other in found:
        raw = str(other_cand.get("raw", ""))
        if other_cand.get("source") not in R.LOCAL_DAY_SOURCES or other.instant is None \
                or not other.precise or R.EXPLICIT_OFFSET_RE.search(raw):
            continue
        wall = other.instant.replace(tzinfo=None) - instant.replace(tzinfo=None)
        offset = timedelta(minutes=round(wall.total_seconds() / 900) * 15)
        if offset and R.MIN_UTC_OFFSET <= offset <= R.MAX_UTC_OFFSET \
                and abs(wall - offset) <= R.SAME_INSTANT:
            return _in_offset(instant, offset), other_cand.get("source")
    since_midnight = instant - instant.replace(hour=0, minute=0, second=0, microsecond=0)
    for other_cand, other in found:
        if other_cand.get("source") not in R.LOCAL_DAY_ONLY_SOURCES:
            continue
        shift = (other.day - parsed.day).days
        if (shift == 1 and since_midnight >= timedelta(days=1) - R.MAX_UTC_OFFSET) or (
                shift == -1 and since_midnight < -R.MIN_UTC_OFFSET):
            return ParsedDate(other.day.isoformat(), other.day, None, False), other_cand.get("source")
    if zone and (offset := instant.astimezone(ZoneInfo(zone)).utcoffset()):
        return _in_offset(instant, offset), zone_source
    return parsed, None


def choose_dates(
    candidates: list[dict[str, Any]],
    *,
    base: datetime,
    timezone: str,
    languages: list[str] | None,
    local_zone: str | None = None,
    local_zone_source: str = "country",
) -> DateChoice:
    """Choose published and modified from `{"raw", "source", "kind"}` candidates.

    Sources are ranked by `SOURCE_PRIORITY` (order within a source is kept). The first
    plausible candidate wins, except that (a) a same-day candidate with a real time of
    day replaces a day-only or midnight one, and (b) when the top two structured values
    (jsonld/meta/time) fall on different days, the one more of the other candidates
    support wins (htmldate's echoes of the metadata do not count): within a day of it
    when the two are more than `DISAGREEMENT` apart, the same printed wall-clock time
    when they are closer (a print edition's date beside the online time);
    with no more support, the higher-ranked structured one stays, i.e. structured
    metadata beats text-derived dates. A UTC-stamped winner then takes the page's local
    form (:func:`local_form`; its source gets a "+<where>" suffix). `modified` never
    becomes `published`, and a modified date earlier than published is dropped.
    """
    ranked = sorted(candidates, key=lambda c: R.SOURCE_PRIORITY.get(str(c.get("source")), 99))
    found: dict[str, list[tuple[dict[str, Any], ParsedDate]]] = {"published": [], "modified": []}
    unparsed = 0
    for cand in ranked:
        kind = cand.get("kind", "published")
        raw = cand.get("raw")
        if kind not in found or not isinstance(raw, str) or not raw.strip():
            continue
        parsed = parse_date(raw, base=base, timezone=timezone, languages=languages)
        if parsed is None:
            unparsed += 1
        elif not year_only_guess(cand, parsed):
            found[kind].append((cand, parsed))
    pub, mod = _pick(found["published"]), _pick(found["modified"])
    published_source = pub[0].get("source") if pub else None
    if pub:
        local, local_source = local_form(pub, found["published"], local_zone, local_zone_source)
        if local_source:
            pub, published_source = (pub[0], local), f"{published_source}+{local_source}"
    if pub and mod:
        p, m = pub[1], mod[1]
        later = p.instant > m.instant if p.instant and m.instant else p.day > m.day
        if later:
            mod = None
    return DateChoice(
        published=pub[1].value if pub else None,
        published_raw=pub[0]["raw"] if pub else None,
        published_source=published_source,
        modified=mod[1].value if mod else None,
        modified_raw=mod[0]["raw"] if mod else None,
        modified_source=mod[0].get("source") if mod else None,
        unparsed=unparsed,
    )


class DatesPipeline(PageStage):
    """Page stage: date candidates + fetch time -> `choose_dates` -> item fields and stats."""

    name = "dates"

    def __init__(self, default_timezone: str = "UTC") -> None:
        ZoneInfo(default_timezone)  # a typo in settings fails at start-up, not per item
        self.default_timezone = default_timezone

    @classmethod
    def stage_settings(cls, settings: BaseSettings) -> dict[str, Any]:
        return {"default_timezone": settings.get("NEWS_DATES_DEFAULT_TIMEZONE", "UTC")}

    @staticmethod
    def _page_zone(item: ArticleItem, base: datetime, stats: Stats) -> tuple[str | None, str]:
        """The page's own zone and where it came from: the site's configured one ("site"),
        else its country's from the ccTLD ("country"; None when the country has no single
        clock at ``base``). A configured zone that does not exist gives None (counted), so
        the configured default reads naive times."""
        tz = item.site_config.get("timezone")
        if not tz:
            return country_zone(item.url or item.fetched_url, base), "country"
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            stats.inc_value("news/dates/bad_timezone")
            return None, "default"
        return str(tz), "site"

    def apply(self, item: ArticleItem, stats: Stats) -> None:
        try:
            base = datetime.fromisoformat(item.fetched_at)
        except (TypeError, ValueError):
            stats.inc_value("news/dates/bad_fetched_at")  # no clock to check against: leave dates unset
            return
        lang = (item.language or item.site_config.get("language") or "").lower()
        candidates = list(item.signals.get("date_candidates", []))
        if item.hints.get("published"):
            candidates.append(
                {"raw": str(item.hints["published"]), "source": "hint", "kind": "published"}
            )
        # One zone for both jobs: the clock of naive times, and the page's local form of
        # UTC-stamped ones; the configured default only reads naive times.
        zone, zone_source = self._page_zone(item, base, stats)
        choice = choose_dates(
            candidates,
            base=base,
            timezone=zone or self.default_timezone,
            languages=[lang] if lang else None,
            local_zone=zone,
            local_zone_source=zone_source,
        )
        if choice.unparsed:
            stats.inc_value("news/dates/unparsed", choice.unparsed)
        if choice.published is None:
            stats.inc_value("news/dates/none")
        else:
            stats.inc_value(f"news/dates/from_{choice.published_source}")
            item.published, item.published_raw = choice.published, choice.published_raw
            item.published_source = choice.published_source
        if choice.modified is not None:
            item.modified, item.modified_raw = choice.modified, choice.modified_raw
            item.modified_source = choice.modified_source
