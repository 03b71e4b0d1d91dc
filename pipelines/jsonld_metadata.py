"""trafilatura's JSON-LD metadata reader, without the quadratic author search of its fallback.

``trafilatura.metadata.extract_meta_json`` normalises a script's text before parsing it,
so JSON-LD whose strings hold a quote escaped as ``\\u0022`` (or as ``&quot;``, once
the text has a backslash anywhere) stops being JSON and goes to
``extract_json_parse_error``, which reads the text with regular expressions. Its author
search (``extract_json_author``) deletes each match from the text and searches the
whole text again: quadratic in the number of authors. A page carrying
~0.8 MB of JSON-LD with ~1,700 ``Person`` entries took 1.02-1.06 s of one core there
(0.14 s here), some ten times the rest of its extraction (~0.1 s).

:func:`json_author` goes on from each match instead (see there why that finds the same
names), and :func:`jsonld_metadata` is ``extract_meta_json`` around it: the same fields,
compared with trafilatura's in ``tests/test_pipelines_jsonld_metadata.py``. Hand-rolled
because the fix belongs in trafilatura (2.3 has the loop); the rest is trafilatura's
own code, called or followed line by line. Many *different* names stay as slow as in
trafilatura (400 take ~1.1 s, growing with their cube): ``normalize_authors``, which both
its paths call for each name, compares the whole list read so far with itself each time;
``benchmarks/jsonld_metadata.py`` measures both cases. Pure; reads no settings.
"""

from __future__ import annotations

import json
import re
from re import Pattern

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.json_metadata import (
    JSON_AUTHOR_1,
    JSON_AUTHOR_2,
    JSON_AUTHOR_REMOVE,
    JSON_CATEGORY,
    JSON_OGTYPE_SCHEMA,
    JSON_PUBLISHER,
    JSON_SEQ,
    JSON_TYPE,
    extract_json,
    is_plausible_sitename,
    normalize_authors,
    normalize_json,
)
from trafilatura.metadata import JSON_MINIFY
from trafilatura.settings import Document

#: what, deleted with a match, may let the author patterns match at an earlier place
BRACES = re.compile(r"[}[]")
#: the scripts extract_meta_json reads
JSONLD_SCRIPTS = XPath('.//script[@type="application/ld+json" or @type="application/settings+json"]')


def json_author(text: str, pattern: Pattern[str]) -> str | None:
    """``trafilatura.json_metadata.extract_json_author``, reading ``text`` once when it can.

    trafilatura deletes each match and searches the text again from its start. When the
    deleted match holds no ``}`` or ``[``, no match can start before it: any earlier
    place where the pattern starts (``"author"``, ``"Person"``) failed because such a
    brace stands between it and the next ``"name"`` (else it would have matched first),
    and that brace is still there. So the next match is the first one after the deleted
    one, and the search goes on from there. A match that does hold one (a name with a
    brace, an empty name whose pattern runs on) may unblock an earlier place: the text
    is then rebuilt without the matches read so far and searched from its start again,
    as trafilatura does.
    """
    authors = None
    kept: list[str] = []  # the text before ``done`` without the matches read so far
    done = 0
    match = pattern.search(text)
    while match:
        # the first group that matched (JSON_AUTHOR_1 has two)
        name = next(filter(None, match.groups()), None)
        if not name or " " not in name:
            break
        authors = normalize_authors(authors, name)
        kept.append(text[done:match.start()])
        done = match.end()
        if BRACES.search(match[0]) is None:
            match = pattern.search(text, done)
        else:
            text, kept, done = "".join(kept) + text[done:], [], 0
            match = pattern.search(text)
    return authors or None


def parse_error_metadata(text: str, metadata: Document) -> Document:
    """``trafilatura.json_metadata.extract_json_parse_error`` with :func:`json_author`."""
    author_text = JSON_AUTHOR_REMOVE.sub("", text)
    author = json_author(author_text, JSON_AUTHOR_1) or json_author(author_text, JSON_AUTHOR_2)
    if author:
        metadata.author = author
    if "@type" in text:
        match = JSON_TYPE.search(text)
        if match:
            candidate = normalize_json(match[1].lower())
            if candidate in JSON_OGTYPE_SCHEMA:
                metadata.pagetype = candidate
    if '"publisher"' in text:
        match = JSON_PUBLISHER.search(text)
        if match and "," not in match[1]:
            candidate = normalize_json(match[1])
            if is_plausible_sitename(metadata, candidate):
                metadata.sitename = candidate
    if '"articleSection"' in text:
        match = JSON_CATEGORY.search(text)
        if match:
            metadata.categories = [normalize_json(match[1])]
    for key, pattern in JSON_SEQ:
        if key in text and not metadata.title:
            match = pattern.search(text)
            if match:
                metadata.title = normalize_json(match[1])
                break
    return metadata


def jsonld_metadata(tree: HtmlElement, metadata: Document) -> Document:
    """``trafilatura.metadata.extract_meta_json(tree, metadata)``, with :func:`parse_error_metadata`."""
    for element in JSONLD_SCRIPTS(tree):
        if not element.text:
            continue
        text = normalize_json(JSON_MINIFY.sub(r"\1", element.text))
        try:
            # strict=False as trafilatura: control characters inside strings are read, not refused
            metadata = extract_json(json.loads(text, strict=False), metadata)
        except json.JSONDecodeError:
            metadata = parse_error_metadata(text, metadata)
    return metadata
