"""trafilatura's XPath expressions against ``pipelines.trafilatura_xpaths``' walks, where they run.

Runs ``extract_article`` (the worker's extraction: trafilatura, the precision second opinion,
the body extractor) over every page of the development corpus in this one process. Each
expression that has a walk is wrapped so that every call runs both, trafilatura's XPath and
the walk, on the same tree, in alternating order (the machine's speed drifts), checks that
they select the same elements in the same order, and adds up the time of each. Prints,
per expression and in all, the calls, the elements selected, and the milliseconds a page
each took; then the whole extraction's CPU a page with the walks and without them, in
alternating passes.

    .venv/bin/python -m benchmarks.trafilatura_xpaths [--corpus DIR] [--passes 2]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.throughput import ROOT, corpus_pages, decoded_pages
from pipelines import extract
from pipelines.extract import build_options, extract_article
from pipelines.trafilatura_xpaths import (
    WALKS,
    expression_at,
    install,
    set_expression,
    trafilatura_modules,
    uninstall,
)


class BothTimed:
    """Called like the expression: runs the XPath and the walk, compares, keeps the XPath's answer."""

    def __init__(self, key: Any, expression: Any, walk: Any) -> None:
        self.key, self.expression, self.walk = key, expression, walk
        self.calls = self.selected = self.mismatches = 0
        self.seconds: dict[str, float] = defaultdict(float)

    def _timed(self, name: str, function: Any, tree: Any) -> list[Any]:
        started = time.perf_counter()
        found = function(tree)
        self.seconds[name] += time.perf_counter() - started
        return found

    def __call__(self, tree: Any) -> list[Any]:
        if self.calls % 2:
            walked = self._timed("walk", self.walk, tree)
            expected = self._timed("xpath", self.expression, tree)
        else:
            expected = self._timed("xpath", self.expression, tree)
            walked = self._timed("walk", self.walk, tree)
        self.calls += 1
        self.selected += len(expected)
        if len(walked) != len(expected) or any(a is not b for a, b in zip(walked, expected, strict=True)):
            self.mismatches += 1
        return expected


def extract_all(pages: list[tuple[str, str, str]]) -> float:
    """CPU seconds for extract_article over ``pages``."""
    options = build_options()
    started = time.process_time()
    for html, url, fetched_at in pages:
        extract_article(html, url, fetched_at=fetched_at, options=options)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path,
                        default=Path(os.environ.get("NEWS_INGEST_CORPUS", ROOT.parent / "shared" / "corpus")))
    parser.add_argument("--passes", type=int, default=2)
    args = parser.parse_args()
    decoded = decoded_pages(corpus_pages(args.corpus))
    pages = [(html, page["url"], page["fetched_at"]) for page, html in decoded]
    count = len(pages)

    # extract_article installs the walks on every page; here this script decides
    extract.install_xpath_walks = lambda: []  # type: ignore[assignment]
    install()
    modules = trafilatura_modules()
    wrapped = []
    for key in WALKS:
        walked = expression_at(modules, key)
        both = BothTimed(key, walked.xpath, walked)
        set_expression(modules, key, both)
        wrapped.append(both)
    extract_all(pages)
    for both in wrapped:
        set_expression(modules, both.key, both.walk)
    print(f"{count} pages; each call ran both, in alternating order")
    print(f"{'expression':<36} {'calls':>6} {'selected':>9} {'XPath ms/page':>14} {'walk ms/page':>13} "
          f"{'ratio':>6}")
    for both in wrapped:
        xpath, walk = both.seconds["xpath"] / count * 1000, both.seconds["walk"] / count * 1000
        _, name, index = both.key
        print(f"{name + ('' if index is None else f'[{index}]'):<36} {both.calls:>6} {both.selected:>9} "
              f"{xpath:>14.2f} {walk:>13.2f} {xpath / walk:>6.1f}")
    xpath = sum(both.seconds["xpath"] for both in wrapped) / count * 1000
    walk = sum(both.seconds["walk"] for both in wrapped) / count * 1000
    print(f"{'all':<36} {'':>6} {'':>9} {xpath:>14.2f} {walk:>13.2f} {xpath / walk:>6.1f}")
    print(f"calls where the two selected differently: {sum(both.mismatches for both in wrapped)}")

    print("\nextract_article, CPU ms a page (alternating passes):")
    for number in range(args.passes):
        for walks in ((True, False) if number % 2 else (False, True)):
            (install if walks else uninstall)()
            seconds = extract_all(pages)
            print(f"  pass {number + 1}, {'walks ' if walks else 'XPaths'}: {seconds / count * 1000:.1f}")
    install()


if __name__ == "__main__":
    main()
