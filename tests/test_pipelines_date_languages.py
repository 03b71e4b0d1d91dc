"""The languages that can read a date string (pipelines/date_languages.py): dateparser given
only them answers as it does given every language."""

from __future__ import annotations

import importlib
import random
import re
import statistics
from datetime import datetime

import dateparser
import pytest
from dateparser import DateDataParser
from dateparser.data import language_order

from pipelines.date_languages import candidate_languages
from pipelines.htmldate_languages import HTMLDATE_SETTINGS

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: the dates stage's settings (pipelines/dates.py), with a fixed clock
DATES_SETTINGS = {"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True, "RELATIVE_BASE": datetime(2024, 6, 1),
                  "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"}
#: a group in a relative pattern, e.g. "(\d++[.,]?\d*+)": where the number goes
GROUP_RE = re.compile(r"\((?:[^()]|\([^()]*\))*\)")


def _info(language: str) -> dict:
    return importlib.import_module(f"dateparser.data.date_translation_data.{language}").info


def _words(info: dict, key: str) -> list[str]:
    return [word for word in info.get(key, []) if isinstance(word, str)]


def _from_pattern(pattern: str) -> str:
    """A string a relative or simplification pattern matches, roughly: 3 for its group."""
    text = re.sub(r"\\s[*+]?", " ", GROUP_RE.sub("3", pattern))
    return re.sub(r"[\\?+*^$]", "", text)


def language_strings(rng: random.Random, per_language: int) -> list[str]:
    """Dates written with each language's own words (months, weekdays, am/pm, relative
    phrases), some with a word of another language: what pages of unknown language hold."""
    strings = []
    for language in language_order:
        info = _info(language)
        own = []
        for month in MONTHS:
            for word in _words(info, month):
                day, year = rng.randint(1, 28), rng.randint(2001, 2024)
                clock = f"{rng.randint(0, 23)}:{rng.randint(10, 59)}"
                own += [f"{day} {word} {year}", f"{word} {day}, {year}", f"{day}. {word} {year} {clock}",
                        f"{year}{word}{day}"]
        for weekday in WEEKDAYS:
            for word in _words(info, weekday):
                month = (_words(info, rng.choice(MONTHS)) or ["x"])[0]
                own += [f"{word}, {rng.randint(1, 28)} {month} {rng.randint(2001, 2024)}",
                        f"{word} {rng.randint(1, 12)}:{rng.randint(10, 59)}"]
        for word in _words(info, "am") + _words(info, "pm"):
            own.append(f"{rng.randint(1, 12)}:{rng.randint(10, 59)} {word}")
        own += [phrase for phrases in info.get("relative-type", {}).values() for phrase in phrases]
        patterns = [p for group in info.get("relative-type-regex", {}).values() for p in group]
        patterns += [p for simplification in info.get("simplifications", []) for p in simplification]
        own += [_from_pattern(p) for p in patterns]
        other = _info(rng.choice(language_order))  # a word of another language among this one's
        march, friday = _words(info, "march") or ["x"], _words(other, "friday") or ["y"]
        own.append(f"{march[0]} {rng.randint(1, 28)} {friday[0]}")
        rng.shuffle(own)
        strings += own[:per_language]
    return strings


#: strings of no one language: numbers only, shared words, time zones, junk
SHARED = ["05.04.2025", "13/02/2020", "12.31.2020", "2020-12-05T23:15:0Z", "5 pm", "t 2020",
          "March 16, 2020, 5:01 PM IST", "Posted 3 days ago", "3 qqq 2020", "7 am màrt 2002",
          "21. juni/lipanj, 2020", "تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً", ""]


def test_dateparser_answers_alike_given_the_candidates_or_every_language() -> None:
    strings = language_strings(random.Random(7), per_language=4) + SHARED
    every_language = DateDataParser(settings=HTMLDATE_SETTINGS)  # htmldate's fallback
    differ, read, sizes = [], 0, []
    for text in strings:
        languages = candidate_languages(text)
        sizes.append(len(languages))
        # the dates stage's call and htmldate's, each with every language and with the candidates
        every = dateparser.parse(text, settings=DATES_SETTINGS)
        mine = (dateparser.parse(text, languages=list(languages), settings=DATES_SETTINGS)
                if languages else None)
        every_h = every_language.get_date_data(text).date_obj
        mine_h = (DateDataParser(languages=list(languages), settings=HTMLDATE_SETTINGS)
                  .get_date_data(text).date_obj if languages else None)
        read += every is not None
        if (every, every_h) != (mine, mine_h):
            differ.append((text, languages[:5], every, mine, every_h, mine_h))
    assert differ == []
    # not vacuous: most strings are dates, and the candidates are few
    assert read > 0.8 * len(strings), (read, len(strings))
    assert statistics.median(sizes) <= 3 and statistics.mean(sizes) < 30, statistics.mean(sizes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19 sierpnia 2020, 5:16", ("pl",)),
        ("6 Dicembre 2020", ("it",)),
        ("vor 3 Stunden", ("de",)),
        ("Friday, 3 March 2020", ("en",)),
        ("3 qqq 2020", ()),  # a word no language has
    ],
)
def test_a_string_s_own_words_name_its_languages(text: str, expected: tuple[str, ...]) -> None:
    assert candidate_languages(text) == expected


def test_words_of_several_languages_name_them_all_in_dateparser_s_order() -> None:
    languages = candidate_languages("9 oktober 2020 11:12")
    assert {"de", "nl", "sv", "da", "nb"} <= set(languages)
    assert list(languages) == sorted(languages, key=language_order.index)
    assert {"ja", "zh"} <= set(candidate_languages("2020年7月15日"))  # words not split by spaces


def test_a_string_without_words_of_its_own_gets_one_language_per_date_order() -> None:
    # what dateparser does itself for strings without letters: only the date order matters
    orders = [_info(language).get("date_order") for language in candidate_languages("05.04.2025")]
    assert candidate_languages("05.04.2025")[0] == "en"
    assert len(orders) == len(set(orders)) > 1
    # a time zone name is a word every language knows, but one language's month too: kept
    assert "tr" in candidate_languages("7 mart 2002 MART")


def test_a_long_run_of_letters_is_cut_in_time() -> None:
    # no word of any language is that long: such a run is cut into words in linear time
    assert candidate_languages("x" * 5000 + " 2020") == candidate_languages("x 2020")
    assert candidate_languages("qqqq" * 1000) == ()
    assert "ja" in candidate_languages("年" * 5000)
