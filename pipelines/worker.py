"""What a pool worker process runs for one page: the extract stage's pure function.

The trafilatura ``Extractor`` options are built once per worker process by
:func:`init_worker` (the pool's initializer) instead of being pickled with every
page. They live in a module global because that is the only state a
``ProcessPoolExecutor`` worker keeps between tasks; it is per process and
never shared with the crawler. Reads no settings.
"""

from __future__ import annotations

import signal
from typing import Any

from trafilatura.settings import Extractor

from pipelines.extract import build_options, extract_article
from pipelines.memory import release_free_memory

_options: Extractor | None = None
_release_memory = True


def init_worker(favor_precision: bool, release_memory: bool = True) -> None:
    """Pool initializer: build this worker's trafilatura options once."""
    global _options, _release_memory
    # Ctrl-C reaches the whole process group: the crawler shuts down gracefully and
    # finishes its pages in flight, so the workers must not die of it first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _options = build_options(favor_precision=favor_precision)
    _release_memory = release_memory


def extract_page(html: str, url: str, fetched_at: str) -> dict[str, Any]:
    """:func:`extract_article` with this worker's options (see :func:`init_worker`)."""
    if _options is None:  # a pool started without the initializer is a wiring bug
        raise RuntimeError("pipelines.worker.init_worker was not run in this process")
    try:
        return extract_article(html, url, fetched_at=fetched_at, options=_options)
    finally:
        # the page's tree is freed by now; without this, one large page keeps the
        # worker's heap tens of MB larger for the rest of its life (pipelines/memory.py)
        if _release_memory:
            release_free_memory()
