"""Date heuristics as data for pipelines/dates.py: patterns, bounds, source ranks.

Reads no settings. Table tests live in `tests/test_pipelines_dates.py`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

# No news page in scope predates this; earlier values are template defaults or typos.
DATE_FLOOR = date(1990, 1, 1)
# Pages may be stamped slightly ahead of the fetch (time zones, scheduled posts).
FUTURE_SLACK = timedelta(days=1)
# Strings longer than this are page text, not a date.
MAX_DATE_CHARS = 120
# Structured sources that disagree by more than this are broken by support within
# AGREEMENT; closer ones, by the same printed wall-clock time (dates._pick).
DISAGREEMENT = timedelta(days=2)
# Past DISAGREEMENT, another source "agrees" with a value when it is this close.
AGREEMENT = timedelta(days=1)

# Two values this close are the same instant written in two offsets.
SAME_INSTANT = timedelta(minutes=1)
# The span of UTC offsets where news is published: Hawaii (UTC-10:00) to Kiribati (UTC+14:00).
MIN_UTC_OFFSET = timedelta(hours=-10)
MAX_UTC_OFFSET = timedelta(hours=14)
# Sources that give the page's local day as the reader sees it (not a UTC-normalised value).
LOCAL_DAY_SOURCES = frozenset(("url", "dateline", "time", "byline"))
# Of those, the ones trusted with the day alone: a visible date without a time may belong
# to another item on the page, a dated URL path is the article's own.
LOCAL_DAY_ONLY_SOURCES = frozenset(("url",))

# ccTLDs sold and used as generic domains: they name no country's clock
GENERIC_CCTLDS = frozenset((
    "io", "co", "me", "tv", "fm", "ai", "ly", "cc", "ws", "to", "gg", "sh", "am", "tk", "nu", "la",
    "im", "su", "gl", "gd", "vc", "so", "ac", "sx",
))
# ccTLDs that differ from the country's ISO 3166 code
CCTLD_COUNTRIES = {"uk": "gb"}

# Priority of candidate sources; candidates keep their own order within a source.
SOURCE_PRIORITY: dict[str, int] = {
    s: i
    for i, s in enumerate(
        ("jsonld", "meta", "time", "url", "dateline", "byline", "hint", "htmldate", "trafilatura")
    )
}
# Sources that derive their value from the page's metadata: no independent evidence.
ECHO_SOURCES = frozenset(("htmldate", "trafilatura"))
# Sources that are site-controlled metadata rather than text the extractor guessed at.
STRUCTURED_SOURCES = frozenset(("jsonld", "meta", "time"))

# "2016-07-25", "2016-07-25T10:00:00.000Z", "2016-07-25 14:03:00+0200", "20160725T1403"
ISO_RE = re.compile(
    r"^\d{4}-?\d{2}-?\d{2}(?:[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?)?"
    r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
# a value stamped in UTC itself ("...Z", "+00:00", "GMT"), not a naive one given a default zone
EXPLICIT_UTC_RE = re.compile(r"(?:\dZ|[+-]00:?00|\b(?:GMT|UTC))\s*$", re.IGNORECASE)
# a value that writes its offset or zone: "+02:00", "Z", "GMT+0000 (Coordinated Universal Time)", "EST"
EXPLICIT_OFFSET_RE = re.compile(
    r"(?:\dZ|[+-]\d{2}:?\d{2}|\b(?:GMT|UTC)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|\b[A-Z]{1,3}[SD]?T)"
    r"\s*(?:\(.*\))?\s*$")
# "2016-07-25" exactly: a day with no time
ISO_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# "Mon, 25 Jul 2016 14:03:00 +0300", "25 Jul 2016 14:03:00 GMT" (RFC 822/2822)
RFC822_RE = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
# "1469455380" (seconds) or "1469455380000" (milliseconds)
UNIX_RE = re.compile(r"^\d{10}(?:\d{3})?$")
# "0000-00-00", "0000-00-00 00:00:00": template placeholders
ZERO_DATE_RE = re.compile(r"^0{4}-?0{2}-?0{2}")
# "14:03", "2.03 pm", "14h03", "14.03 Uhr", "2 pm", "14時03分"; not the "25.07" of "25.07.2016"
TIME_OF_DAY_RE = re.compile(
    r"(?<![\d.:])\d{1,2}(?::\d{2}|h\d{2}|\.\d{2}(?![.\d]))(?!\d)"
    r"|\b\d{1,2}\s*(?:[ap]\.?m\.?|uhr)(?!\w)|\d{1,2}\s*時",
    re.IGNORECASE,
)
# "2 hours ago", "vor 5 Minuten", "il y a 3 heures", "hace 2 horas", "just now": carry a time
RELATIVE_TIME_RE = re.compile(
    r"\d+\s*(?:h|hrs?|hours?|mins?|minutes?|secs?|seconds?|stunden?|std\.?|minuten?|"
    r"sekunden?|heures?|horas?|minutos?|ore|minuti|uur|minuten|timer?|minutter)\b"
    r"|\bjust now\b|\bgerade eben\b|\bà l'instant\b",
    re.IGNORECASE,
)
# "Published: ", "Veröffentlicht am", "Updated", "Stand:", "Posted on": labels before a date
LABEL_RE = re.compile(
    r"^\s*(?:published|updated|posted|last\s+updated|modified|created|date|"
    r"ver[öo]ffentlicht|aktualisiert|erstellt|stand|datum|publi[ée]|mis\s+à\s+jour|"
    r"publicado|actualizado|pubblicato|aggiornato)(?:\s+(?:on|am|le|el|il|at))?\s*[:|-]?\s*",
    re.IGNORECASE,
)
# "/2016/07/25/" or "/2016-07-25/" in a URL path
URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|-|$)")
# a four-digit year anywhere: the string is absolute, so results do not depend on the base time
YEAR_RE = re.compile(r"(?:19|20)\d{2}")
# "9:05 PM", "14:03 Uhr", "14h03": a time of day with no date at all is not a publication date
TIME_ONLY_RE = re.compile(
    r"^\s*\d{1,2}(?:[:.h]\d{2}){1,2}\s*(?:[ap]\.?m\.?|uhr|h)?\s*(?:[A-Z]{2,5})?\s*$", re.IGNORECASE
)
# "8.5.12", "25.07.2016": dotted numeric dates are written day first wherever they are used
DOTTED_DMY_RE = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})\b")
