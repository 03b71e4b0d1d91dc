"""The extraction workers start warm: forked from a fork server that ran pipelines/warmup.py."""

from __future__ import annotations

import gc
import subprocess
import sys

from tests.conftest import ROOT


def warm_state() -> tuple[int, int, int]:
    """In a worker: how many dateparser languages have their tables built, whether the index
    of date words is, and the frozen objects."""
    from dateparser.languages.loader import default_loader

    from pipelines import date_languages

    # the loader's own record: asking it for every locale would build them
    built = sum(1 for locale in default_loader._loaded_locales.values()
                if "_normalized_dictionary" in vars(locale))
    return built, date_languages._index.cache_info().currsize, gc.get_freeze_count()


# A fresh interpreter: the fork server's preload only applies when the process starts its first one.
SCRIPT = """
import asyncio
from pipelines.preload import WORKER_PRELOAD
from pipelines.pool import WorkerPool
from tests.test_warmup import warm_state

async def main():
    pool = WorkerPool(1, timeout=60, preload=WORKER_PRELOAD)
    try:
        print(*await pool.run(warm_state))
    finally:
        pool.close()

asyncio.run(main())
"""


def test_a_worker_is_forked_warm_and_the_heap_frozen() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    built, indexed, frozen = map(int, result.stdout.split())
    # the worker itself parsed nothing: what it has came from the fork server's warm-up, which
    # read English dates and indexed every language's date words, without building every
    # language's tables (205 of them, 1.3 s and 35 MB)
    assert 1 <= built <= 5, built
    assert indexed == 1
    assert frozen > 10_000, frozen


def test_without_the_warm_up_a_fresh_process_has_no_tables() -> None:
    # the check above measures something: a plain process has built none
    script = "from tests.test_warmup import warm_state; print(*warm_state())"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["0", "0", "0"]
