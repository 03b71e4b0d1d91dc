"""Which of dateparser's languages can read a date string, from its words, without dateparser.

Asked to read a string in any language (``languages=None``), dateparser tries its 205
languages in its own order until one reads it. Trying a language means building that
language's tables (above all compiling its word-splitting pattern with ``regex``): the
first string that no early language reads builds them for every language, 1.3 s of
CPU and 35 MB, and each such string after that still costs ~11 ms. On pages that
declare no language, the dates stage and htmldate's fallback ask exactly that.

:func:`candidate_languages` answers the same question from dateparser's own data files
(``dateparser.data.date_translation_data``, 23 ms to import) and tables of words only: a
language can read a string only if it can cut each of the string's letter runs into
words of its own vocabulary (its month, weekday and unit names, its skip words, the
words of its relative and simplification patterns). Every other language fails
dateparser's own check (each token of the string must be a word of the language), so
passing dateparser just the candidates, in its own order, gives the answer it gives with
every language, without building the others' tables. Words every language knows (am, pm,
UTC, ``t``, time zone names) say nothing; a string with no other words is read by one
language of each date order, which is what dateparser itself does for strings without
letters. The index over-includes where unsure (every word of a pattern counts), which
costs speed, never an answer.

Hand-rolled because dateparser has no such index: its ``detect_languages_function`` hook
expects a text-language detector, whose guess would change answers, not only costs.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from dateparser.conf import settings as dateparser_defaults
from dateparser.data import language_order
from dateparser.languages.dictionary import PARSER_KNOWN_TOKENS
from dateparser.timezones import timezone_info_list
from dateparser.utils import normalize_unicode

#: a run of letters: digits, punctuation and spaces split a string into runs
LETTERS_RE = re.compile(r"[^\W\d_]+")
#: a regex escape such as \d or \s: its letter is no word of the pattern
ESCAPE_RE = re.compile(r"\\[A-Za-z]")
#: dateparser reads these Arabic and Persian letter variants as one another (ar, fa)
LETTER_VARIANTS = str.maketrans("یک", "يك")


def _readings(text: str) -> tuple[set[str], set[str]]:
    """The letter runs of ``text`` as dateparser compares words (lowercased, variant
    letters folded), as written and after its Unicode normalisation (accents dropped)."""
    lowered = text.lower().translate(LETTER_VARIANTS)
    written = set(LETTERS_RE.findall(lowered))
    if lowered.isascii():  # normalising changes nothing
        return written, written
    return written, set(LETTERS_RE.findall(normalize_unicode(lowered).translate(LETTER_VARIANTS)))


def _forms(text: str) -> set[str]:
    """Both readings of ``text`` together: what the index lists as a language's words."""
    written, normalised = _readings(text)
    return written | normalised


#: keys of a language's data that hold no words of the language
NOT_WORDS = frozenset({"name", "date_order", "no_word_spacing", "sentence_splitter_group"})


def _words(info: dict[str, Any]) -> Iterable[str]:
    """The strings of a language's data that a date in that language can contain.

    Not the keys of ``relative-type`` and ``relative-type-regex`` nor the replacements of
    ``simplifications``: those are what dateparser translates the words *into*.
    """
    for key, value in info.items():
        if key in NOT_WORDS:
            continue
        if key in ("relative-type", "relative-type-regex"):
            for patterns in value.values():
                yield from patterns
        elif key == "simplifications":
            for simplification in value:
                yield from simplification  # its pattern; the value is the replacement
        elif key == "locale_specific":
            for regional in value.values():
                yield from _words(regional)
        else:
            yield from value


class _Index(NamedTuple):
    """Every language's date words, read once from dateparser's data (languages as bit masks,
    bit i for ``language_order[i]``)."""

    words: dict[str, int]  # word -> the languages that have it
    universal: frozenset[str]  # words every language knows
    every: int  # all languages
    longest: int  # letters in the longest word
    orders: tuple[int, ...]  # the languages of each date order (DMY, MDY, YMD...)


@functools.cache
def _index() -> _Index:
    words: dict[str, int] = {}
    orders: dict[str, int] = {}
    for position, language in enumerate(language_order):
        info = importlib.import_module(f"dateparser.data.date_translation_data.{language}").info
        bit = 1 << position
        orders[info.get("date_order", "")] = orders.get(info.get("date_order", ""), 0) | bit
        for text in _words(info):
            for run in _forms(ESCAPE_RE.sub(" ", text)):
                words[run] = words.get(run, 0) | bit
    universal: set[str] = set()
    for token in (*PARSER_KNOWN_TOKENS, *dateparser_defaults.SKIP_TOKENS):
        universal |= _forms(token)
    for group in timezone_info_list:
        for name, _offset in group["timezones"]:
            universal |= _forms(name.replace("\\", " "))
    return _Index(words, frozenset(universal), (1 << len(language_order)) - 1,
                  max(map(len, [*words, *universal])), tuple(orders.values()))


def _readers(run: str, index: _Index) -> tuple[int, int]:
    """Languages that can cut ``run`` wholly into words (bit masks): with any words, and with
    at least one word of their own (not only words every language knows)."""
    # can[i] / own[i]: languages that can cut run[:i] into words / with one of their own
    can, own = [index.every] + [0] * len(run), [0] * (len(run) + 1)
    for end in range(1, len(run) + 1):
        # no word is longer than the longest: the cost grows with the run, not its square
        for start in range(max(0, end - index.longest), end):
            if not can[start]:
                continue
            piece = run[start:end]
            mine = index.words.get(piece, 0)
            known = index.every if piece in index.universal else mine
            can[end] |= can[start] & known
            own[end] |= own[start] & known | can[start] & mine
    return can[-1], own[-1]


def _reading(runs: set[str], index: _Index) -> int:
    """Languages to try for one reading of a string (bit mask): those that read it with
    words of their own, and for those that read it with shared words only (which every
    language translates alike), the first of each date order."""
    can, own_somewhere = index.every, 0
    for run in runs:
        readers, own = _readers(run, index)
        can &= readers
        own_somewhere |= own
        if not can:
            return 0
    mine = can & own_somewhere
    shared = can & ~mine
    for order in index.orders:
        if shared & order:
            mine |= shared & order & -(shared & order)  # its lowest bit: the first in order
    return mine


@functools.lru_cache(maxsize=4096)  # bounded; pure in its argument
def candidate_languages(text: str) -> tuple[str, ...]:
    """dateparser's languages that can read ``text``, in dateparser's order; () if none can.

    For a string on a page of unknown language: dateparser given these languages
    answers as it does given every language, at a fraction of the cost.
    """
    index = _index()
    written, normalised = _readings(text)
    mask = 0  # either reading may be the one dateparser compares
    for runs in (written,) if normalised is written else (written, normalised):
        mask |= _reading(runs, index)
    return tuple(language for position, language in enumerate(language_order) if mask >> position & 1)


def warm_up() -> None:
    """Build the index now (the fork server does, so that every worker shares it)."""
    _index()
