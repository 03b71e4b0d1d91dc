"""JSON-LD metadata: trafilatura's ``extract_meta_json`` against ``pipelines.jsonld_metadata``.

Two measures, each interleaved in this one process (the machine's speed drifts):

- generated pages whose JSON-LD trafilatura cannot parse (a headline quote written as
  ``\\u0022``) with N author entries: the CPU each reader takes, and whether both read the
  same fields. First 20 people named over and over (a live blog's updates, a site's staff
  list), where trafilatura's search of the text again after each name made the time grow
  with N squared; then N different people, where both readers share trafilatura's
  ``normalize_authors``, which checks each name against all those read so far at every
  name (N cubed; left to the extraction timeout);
- with ``--corpus`` (default ../shared/corpus when it is there): every page of the
  development corpus, CPU a page for each reader.

    .venv/bin/python -m benchmarks.jsonld_metadata [--corpus DIR] [--passes 3]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from trafilatura.metadata import extract_meta_json
from trafilatura.settings import Document

from benchmarks.throughput import ROOT, SETS, corpus_pages, decoded_pages
from pipelines.extract import _parse
from pipelines.jsonld_metadata import jsonld_metadata

#: (author entries, different names among them)
AUTHOR_COUNTS = ((500, 20), (1000, 20), (2000, 20), (4000, 20), (100, 100), (200, 200), (400, 400))


def generated_page(authors: int, different: int) -> str:
    """An article whose JSON-LD lists ``authors`` people, ``different`` names cycled, and
    writes a quote as \\u0022."""
    people = ",".join(json.dumps({"@type": "Person", "name": f"Writer {_letters(i % different)} Example"})
                      for i in range(authors))
    jsonld = ('{"@context":"https://schema.org","@type":"NewsArticle",'
              '"headline":"Council backs \\u0022harbour wall\\u0022 plan",'
              f'"author":[{people}]}}')
    return (f'<html><head><script type="application/ld+json">{jsonld}</script></head>'
            "<body><p>Text.</p></body></html>")


def _letters(number: int) -> str:
    """A name part without digits (trafilatura's author cleaning cuts names at a digit)."""
    word = ""
    while True:
        number, rest = divmod(number, 26)
        word = chr(ord("a") + rest) + word
        if not number:
            return word.title()


def cpu(reader: Any, trees: list[Any]) -> float:
    """CPU seconds for ``reader`` over ``trees``."""
    start = time.process_time()
    for tree in trees:
        reader(tree, Document())
    return time.process_time() - start


def fields(document: Document) -> dict[str, Any]:
    return {k: v for k, v in document.as_dict().items() if k not in {"body", "commentsbody"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="corpus folder (default ../shared/corpus or $NEWS_INGEST_CORPUS)")
    parser.add_argument("--passes", type=int, default=3,
                        help="interleaved passes of each measure (default 3)")
    args = parser.parse_args()

    print("generated pages, N author entries of M names (CPU of one read, trafilatura / ours):")
    for count, different in AUTHOR_COUNTS:
        tree = _parse(generated_page(count, different))
        same = fields(extract_meta_json(tree, Document())) == fields(jsonld_metadata(tree, Document()))
        times = [(cpu(extract_meta_json, [tree]), cpu(jsonld_metadata, [tree])) for _ in range(args.passes)]
        print(f"    N={count:5d}, M={different:4d}: "
              + ", ".join(f"{a * 1000:.0f} / {b * 1000:.1f} ms" for a, b in times)
              + f"; same fields: {same}", flush=True)

    corpus = Path(args.corpus or os.environ.get("NEWS_INGEST_CORPUS", ROOT.parent / "shared" / "corpus"))
    if not (corpus / "score.py").is_file():
        print(f"development corpus not found at {corpus}: corpus measure skipped")
        return
    trees = [_parse(html) for _, html in decoded_pages(corpus_pages(corpus))]
    same = sum(fields(extract_meta_json(tree, Document())) == fields(jsonld_metadata(tree, Document()))
               for tree in trees)
    print(f"corpus ({' + '.join(SETS)}, {len(trees)} pages): same fields on {same}; CPU a page, "
          "trafilatura / ours:")
    for number in range(1, args.passes + 1):
        theirs, ours = cpu(extract_meta_json, trees), cpu(jsonld_metadata, trees)
        print(f"    pass {number}: {theirs / len(trees) * 1000:.2f} / {ours / len(trees) * 1000:.2f} ms "
              f"(ratio {theirs / ours:.2f})", flush=True)


if __name__ == "__main__":
    main()
