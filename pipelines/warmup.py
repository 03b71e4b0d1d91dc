"""Imported by the extraction pool's fork server only: fill the libraries' lazy state once.

Every worker is forked from the fork server, so what the server holds is shared
between the workers (copy-on-write) and is already there in each replacement
worker. Without this, each worker (and each recycled one, every
``NEWS_EXTRACT_MAX_TASKS_PER_WORKER`` pages) fills the same state privately on
its first pages: most of all dateparser's tables for every language, about 35 MB
and one second of CPU, built the first time htmldate's fallback meets a date
string on a page whose language is unknown (pipelines/htmldate_languages.py).
After the warm-up the server's heap is frozen out of the garbage collector, so
the workers' collections do not write to (and so copy) those shared pages.
"""

from __future__ import annotations

import gc

import htmldate.extractors

from pipelines.extract import build_options, extract_article

#: a page with a byline, a date dateparser must read and a caption: each stage runs once
WARMUP_PAGE = """<!doctype html><html><head><title>Warm-up</title>
<meta property="og:type" content="article"></head><body><article><h1>Harbour wall plan approved</h1>
<p class="byline">By Jane Doe, 3 March 2020</p>
<figure><img src="/a.jpg" alt="The harbour"><figcaption>The harbour at dusk.</figcaption></figure>
<p>The council approved the plan for the new harbour wall on Tuesday after a long debate.</p>
<p>Work is due to start in the spring and to last two years, the council said.</p></article>
</body></html>"""


def warm_up() -> None:
    """Run one extraction and load dateparser's every-language tables, then freeze the heap."""
    extract_article(WARMUP_PAGE, "https://example.org/news/harbour-wall-plan-approved",
                    fetched_at="2020-03-04T00:00:00+00:00", options=build_options())
    # A string no language reads makes dateparser build every language's tables.
    htmldate.extractors.get_external_parser().get_date_data("3 qqq 2020")
    gc.collect()
    gc.freeze()


warm_up()
