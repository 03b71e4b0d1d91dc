"""htmldate's dateparser fallback reads the page's languages only (pipelines/htmldate_languages.py)."""

from datetime import datetime

import htmldate.extractors
import pytest
from dateparser import DateDataParser
from htmldate.extractors import try_date_expr

from pipelines.htmldate_languages import HTMLDATE_SETTINGS, AnyLanguageParser, page_languages

#: a Polish dateline htmldate's own patterns cannot read: only dateparser's fallback can
POLISH = "31 stycznia 2020 | 10:00"
RANGE = (datetime(1995, 1, 1), datetime(2025, 1, 1))


def _read(text: str) -> str | None:
    return try_date_expr(text, "%Y-%m-%d", True, *RANGE)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pl", "2020-01-31"),  # the page's language
        ("de", None),  # another language: dateparser is not asked to try Polish
        (None, "2020-01-31"),  # unknown language: every language that can read the string
        ("xx", "2020-01-31"),  # a code dateparser does not know: the same
    ],
)
def test_fallback_reads_the_page_language_only(language: str | None, expected: str | None) -> None:
    with page_languages(language):
        assert _read(POLISH) == expected


def test_outside_a_page_htmldate_reads_every_language() -> None:
    with page_languages("de"):
        pass
    assert _read(POLISH) == "2020-01-31"
    assert isinstance(htmldate.extractors.get_external_parser(), AnyLanguageParser)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31 stycznia 2020 | 10:00", datetime(2020, 1, 31, 10, 0)),
        ("6 Dicembre 2020", datetime(2020, 12, 6)),
        ("2020年7月15日", datetime(2020, 7, 15)),
        ("3 qqq 2020", None),  # no language reads "qqq": answered without asking dateparser
    ],
)
def test_the_any_language_parser_answers_as_every_language(text: str, expected: datetime | None) -> None:
    every = DateDataParser(settings=HTMLDATE_SETTINGS).get_date_data(text).date_obj
    assert AnyLanguageParser().get_date_data(text)["date_obj"] == every == expected


def test_the_language_set_includes_english() -> None:
    with page_languages("pl"):
        assert htmldate.extractors.get_external_parser().languages == ["pl", "en"]
        assert _read("January 31, 2020 10:00 am") == "2020-01-31"


def test_an_answer_is_not_carried_over_to_a_page_in_another_language() -> None:
    # htmldate caches answers by string: one cached under Polish must not serve a German page
    with page_languages("pl"):
        assert _read(POLISH) == "2020-01-31"
    with page_languages("de"):
        assert _read(POLISH) is None
    with page_languages("pl"):
        assert _read(POLISH) == "2020-01-31"
