"""htmldate's dateparser fallback, limited to the page's own languages.

trafilatura's date search (htmldate with ``extensive_search``) hands the strings its
own patterns cannot read to one process-wide ``dateparser.DateDataParser`` built
with ``languages=None``. dateparser then tries every language it knows: the first
string no language reads builds every language's tables (measured: 0.96 s and
35 MB), and each one after that still costs about 11 ms. The dates stage already limits
dateparser to the page's language plus English (``pipelines.dates``); this does
the same for htmldate, which has no parameter for it.

Hand-rolled because neither library offers a hook: htmldate looks its parser up
through the module attribute ``htmldate.extractors.get_external_parser`` on every
call, so :func:`install` replaces that attribute once with a function that reads
the languages of the page being extracted from a context variable. A page whose
language is unknown gets :class:`AnyLanguageParser`: the answers of htmldate's own
every-language parser, from only the languages that can read each string
(:mod:`pipelines.date_languages`), so no process builds every language's tables.

htmldate caches ``try_date_expr`` by string alone; with the answer now depending on
the languages, that cache is emptied when a page with known languages begins and when
it ends, so a page's dates never depend on which pages a worker extracted before it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import htmldate.extractors
from dateparser import DateDataParser
from dateparser.date import DateData

from pipelines.date_languages import candidate_languages
from pipelines.dates import dateparser_languages

#: htmldate 1.11's own settings for its fallback parser (htmldate/extractors.py)
HTMLDATE_SETTINGS: dict[str, Any] = {
    "NORMALIZE": True,
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}

_page_languages: ContextVar[tuple[str, ...] | None] = ContextVar("page_languages", default=None)


@functools.lru_cache(maxsize=256)  # one parser per language set seen; a parser holds no page data
def _parser_for(languages: tuple[str, ...]) -> DateDataParser:
    return DateDataParser(languages=list(languages), settings=HTMLDATE_SETTINGS)


class AnyLanguageParser:
    """htmldate's every-language parser, answering as it does but trying only the languages
    that can read each string (:func:`pipelines.date_languages.candidate_languages`)."""

    def get_date_data(self, date_string: str) -> DateData:
        languages = candidate_languages(date_string)
        if not languages:  # no language can read it: dateparser would answer None
            return DateData(date_obj=None, period="day", locale=None)
        return _parser_for(languages).get_date_data(date_string)


_any_language = AnyLanguageParser()


def _external_parser() -> DateDataParser | AnyLanguageParser:
    languages = _page_languages.get()
    return _parser_for(languages) if languages else _any_language


def install() -> None:
    """Route htmldate's fallback through :func:`_external_parser` (idempotent)."""
    htmldate.extractors.get_external_parser = _external_parser  # type: ignore[assignment]


@contextmanager
def page_languages(language: str | None) -> Iterator[None]:
    """Within the block, htmldate's fallback reads dates in ``language`` and English only."""
    install()
    languages = dateparser_languages([language] if language else None)
    if languages is None:  # every language, as outside a page: the cache stays valid
        yield
        return
    htmldate.extractors.try_date_expr.cache_clear()
    token = _page_languages.set(languages)
    try:
        yield
    finally:
        _page_languages.reset(token)
        htmldate.extractors.try_date_expr.cache_clear()
