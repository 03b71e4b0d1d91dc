"""Give the C heap's free pages back to the system after each page (glibc only).

lxml and libxml2 allocate a page's tree with ``malloc``; when the tree is freed, glibc
keeps the freed memory in its heap for reuse, and one large page leaves an extraction
worker holding tens of megabytes it no longer uses. ``malloc_trim(0)`` hands free pages
back to the kernel. Measured on the dev corpus (657 pages, one process): a worker's
peak RSS 157 -> 133 MB, for 0.47 ms a call. The next page faults what was given back in
again, which costs more than the call: ~3 ms of system time a page in the pool's workers
(README, "Free memory given back"), traded for the 16-20 MB of free heap each would hold.

:func:`limit_arenas` caps glibc's malloc arenas: by default a process gets up to 8
per core, a thread keeps to the one it first allocated in, and memory free in one
arena serves no other. The crawl process runs many threads (each extraction worker's
executor has a management and a queue-feeder thread, new ones whenever a worker is
recycled), and its RSS crept up ~3 MB per 1,000 pages (114 -> 146 MB over 9,000 pages
of a synthetic replay) while its Python heap did not grow (``tracemalloc``); with
two arenas it stayed at 99-119 MB over 9,500 pages, with no trend.

Hand-rolled because no maintained library wraps them; no-ops where the C library has
no ``malloc_trim`` / ``mallopt`` (macOS, musl).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

#: <malloc.h>: the mallopt parameter for the most arenas glibc creates
M_ARENA_MAX = -8


def _load(function: str) -> Callable[..., int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return getattr(ctypes.CDLL(name), function)  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_malloc_trim = _load("malloc_trim")
_mallopt = _load("mallopt")
#: can this process give free heap pages back (glibc)?
TRIM_AVAILABLE = _malloc_trim is not None


def release_free_memory() -> None:
    """Return the C heap's free pages to the system (nothing without glibc: see TRIM_AVAILABLE)."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def limit_arenas(count: int) -> bool:
    """Let glibc create at most ``count`` malloc arenas from now on; False where it cannot.

    Takes effect for arenas not yet created: call it before the process starts threads.
    """
    if _mallopt is None or count < 1:
        return False
    return bool(_mallopt(M_ARENA_MAX, count))
