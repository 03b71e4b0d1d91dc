"""pipelines.jsonld_metadata reads what trafilatura's JSON-LD reader reads, without its quadratic search.

Compared with ``trafilatura.metadata.extract_meta_json`` (and its fallback's author search,
``extract_json_author``) on generated pages and on random JSON-like texts; the whole
development corpus is compared through ``page_metadata`` in test_pipelines_metadata.py.
"""

from __future__ import annotations

import json
import random
import re
from itertools import islice, product
from typing import Any

import pytest
from trafilatura.json_metadata import JSON_AUTHOR_1, JSON_AUTHOR_2, extract_json_author, normalize_json
from trafilatura.metadata import JSON_MINIFY, extract_meta_json
from trafilatura.settings import Document

from pipelines.extract import _parse
from pipelines.jsonld_metadata import json_author, jsonld_metadata

FIRST = ("Ana", "Ben", "Carla", "Dev", "Elena", "Femi", "Grace", "Hugo", "Ines", "Jonas", "Kemal", "Lena",
         "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara")
LAST = ("Silva", "Okafor", "Novak", "Haddad", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Reyes",
        "Byrne", "Costa", "Demir", "Eriksen", "Fischer", "Garcia")
#: 300 distinct names (digits would be cut off by trafilatura's author cleaning)
NAMES = [f"{first} {last}" for first, last in islice(product(FIRST, LAST), 300)]
#: pieces of JSON-LD and of what breaks it, for the random texts
PIECES = ('"author":', '"author"', "{", "}", "[", "]", ",", ":", " ", '"', '\\"', '"name":', '"names":',
          '"nam":', '"name\\":', '"name": "Bo Li"', '"Person"', '"person"', '"@type":"Person"',
          '"@type":"ImageObject",', '"@type":"Article",', '"Jane Doe"', '"Doe"', '"Mary Ann Lee"',
          '"x}y z"', '"a[b c"', '"publisher":', '"articleSection":"News"', '"headline":"Big news"',
          '"givenName":"A B"', "name")
#: texts on which going on after every match, without the rebuild, reads other names
#: (found among 200,000 random texts of PIECES, then shortened)
UNBLOCKED = (
    '"author","author":""nam":"[ "name" "o ',
    '"author"""author":""nam":"} "name":" z',
)


def _page(jsonld: str) -> str:
    return (f'<html><head><title>T</title><script type="application/ld+json">{jsonld}</script></head>'
            "<body><p>Text.</p></body></html>")


def _fields(document: Document) -> dict[str, Any]:
    return {name: value for name, value in document.as_dict().items() if name not in {"body", "commentsbody"}}


def _article(names: list[str], headline: str) -> str:
    authors = ",".join(json.dumps({"@type": "Person", "name": name, "url": f"https://example.org/{i}"})
                       for i, name in enumerate(names))
    # json.dumps writes the quote as \" ; sites also write \u0022, which trafilatura's
    # normalisation turns into a bare quote before it parses the text
    headline_json = json.dumps(headline).replace('\\"', "\\u0022")
    return ('{"@context":"https://schema.org","@type":"NewsArticle","headline":' + headline_json
            + ',"url":"https:\\/\\/example.org\\/news\\/a","articleSection":"Politics",'
            + '"publisher":{"@type":"Organization","name":"Harbour Gazette"},'
            + f'"author":[{authors}]}}')


class CountingPattern:
    """A compiled pattern that adds up how much text its searches went through."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.scanned = 0

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        match = self.pattern.search(text, pos)
        self.scanned += (match.end() if match else len(text)) - pos
        return match


def test_many_authors_in_jsonld_that_trafilatura_cannot_parse_read_the_same() -> None:
    jsonld = _article(NAMES, 'Council backs "harbour wall" plan')
    with pytest.raises(json.JSONDecodeError):  # the case at hand: trafilatura's regex fallback
        json.loads(normalize_json(JSON_MINIFY.sub(r"\1", jsonld)), strict=False)
    tree = _parse(_page(jsonld))

    ours = jsonld_metadata(tree, Document())

    assert _fields(ours) == _fields(extract_meta_json(tree, Document()))
    assert ours.author.split("; ")[0] == NAMES[0]
    assert ours.author.split("; ")[-1] == NAMES[-1]
    assert ours.sitename == "Harbour Gazette"
    assert ours.categories == ["Politics"]


def test_valid_jsonld_read_the_same() -> None:
    tree = _parse(_page(_article(NAMES[:3], "Council backs harbour wall plan")))

    ours = jsonld_metadata(tree, Document())

    assert _fields(ours) == _fields(extract_meta_json(tree, Document()))
    assert ours.title == "Council backs harbour wall plan"
    assert ours.author == "; ".join(NAMES[:3])


def test_the_author_search_reads_the_text_once() -> None:
    text = normalize_json(JSON_MINIFY.sub(r"\1", _article(NAMES, 'A "quoted" word')))
    pattern = CountingPattern(JSON_AUTHOR_2)

    authors = json_author(text, pattern)  # type: ignore[arg-type]

    assert authors is not None and authors.count("; ") == len(NAMES) - 1
    # trafilatura's loop searches the text from its start after every one of the 300 names
    assert pattern.scanned <= len(text)


@pytest.mark.parametrize("text", UNBLOCKED)
def test_a_deleted_brace_that_unblocks_an_earlier_match_is_read_as_trafilatura_does(text: str) -> None:
    for pattern in (JSON_AUTHOR_1, JSON_AUTHOR_2):
        assert json_author(text, pattern) == extract_json_author(text, pattern)


def test_random_texts_give_the_same_authors() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))
        for pattern in (JSON_AUTHOR_1, JSON_AUTHOR_2):
            assert json_author(text, pattern) == extract_json_author(text, pattern), text
