"""Give the C heap's free pages back to the system after a page that grew it (glibc only).

lxml and libxml2 allocate a page's tree with ``malloc``; when the tree is freed, glibc
keeps the freed memory in its heap for reuse, and one large page leaves an extraction
worker holding tens of megabytes it no longer uses. ``malloc_trim(0)`` hands free pages
back to the kernel. Measured on the dev corpus (657 pages, one process): a worker's
peak RSS 157 -> 133 MB, for 0.47 ms a call. The next page faults what was given back in
again, which costs more than the call: ~3 ms of system time a page in the pool's workers
(README, "Free memory given back"). So a worker trims through :class:`HeapTrimmer`: only
once it has grown past the heap its usual pages reuse.

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
import os
from collections.abc import Callable

#: <malloc.h>: the mallopt parameter for the most arenas glibc creates
M_ARENA_MAX = -8
#: bytes a page of memory (what /proc/self/statm counts in)
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: how far a worker may grow past its size after the last trim before it trims again (bytes)
TRIM_SLACK = 32 * 2**20


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


def resident_bytes(pid: int | str = "self") -> int | None:
    """A process's resident set size (Linux ``/proc``; this one by default), or None where it
    cannot be read (or the process is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


class HeapTrimmer:
    """:func:`release_free_memory` once the process has grown ``slack`` bytes past where the
    last trim left it (after every call with ``slack`` 0, or where the size cannot be read).

    A worker's heap holds ~25 MB of freed tree between pages, which the next page reuses
    (measured over the dev corpus: 24 MB above the post-trim size at the median, 27 at
    most). Trimming after every page gave those pages back, and every next page faulted
    them in again: ~3 ms of system time a page. With a slack above that working set, a
    worker trims only after a page larger than usual, which is what trimming is for.
    """

    def __init__(self, slack: int) -> None:
        self.slack = slack
        self.floor = resident_bytes()

    def after_page(self) -> bool:
        """Trim if the process has outgrown the slack; return whether it trimmed."""
        size = resident_bytes()
        if self.slack and size is not None and self.floor is not None and size <= self.floor + self.slack:
            return False
        release_free_memory()
        self.floor = resident_bytes()
        return True


def limit_arenas(count: int) -> bool:
    """Let glibc create at most ``count`` malloc arenas from now on; False where it cannot.

    Takes effect for arenas not yet created: call it before the process starts threads.
    """
    if _mallopt is None or count < 1:
        return False
    return bool(_mallopt(M_ARENA_MAX, count))
