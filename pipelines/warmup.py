"""Imported by the extraction pool's fork server only: fill the libraries' lazy state once.

Every worker is forked from the fork server, so what the server holds is shared
between the workers (copy-on-write) and is already there in each replacement
worker. Without this, each worker (and each recycled one, every
``NEWS_EXTRACT_MAX_TASKS_PER_WORKER`` pages) fills the same state privately on
its first pages: trafilatura's and htmldate's lazy state, English's dateparser
tables and the index of every language's date words (pipelines/date_languages.py).
The other languages' dateparser tables are not built here: a worker builds the few
its pages need (~7 ms each), where building all of them took 1.3 s and 35 MB.
After the warm-up the server's heap is frozen out of the garbage collector, so
the workers' collections do not write to (and so copy) those shared pages.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from pipelines import date_languages
from pipelines.dates import parse_date
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
    """Run one extraction, read one English date and index every language's date words,
    then freeze the heap."""
    extract_article(WARMUP_PAGE, "https://example.org/news/harbour-wall-plan-approved",
                    fetched_at="2020-03-04T00:00:00+00:00", options=build_options())
    date_languages.warm_up()
    # The dates stage's dateparser call (the extraction's dates took htmldate's own patterns):
    # builds English's tables, the language of most metadata.
    parse_date("Tuesday, 3 March 2020 10:00 am", base=datetime(2020, 3, 4, tzinfo=UTC))
    gc.collect()
    gc.freeze()


warm_up()
