"""The extraction workers start warm: forked from a fork server that ran pipelines/warmup.py."""

from __future__ import annotations

import gc
import subprocess
import sys

from tests.conftest import ROOT


def warm_state() -> tuple[int, int]:
    """In a worker: how many dateparser languages have their tables built, and the frozen objects."""
    from dateparser.languages.loader import default_loader

    built = sum(1 for locale in default_loader.get_locales() if "_normalized_dictionary" in vars(locale))
    return built, gc.get_freeze_count()


# A fresh interpreter: the fork server's preload only applies when the process starts its first one.
SCRIPT = """
import asyncio
from pipelines.extract import WORKER_PRELOAD
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


def test_a_worker_is_forked_with_every_language_built_and_the_heap_frozen() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    built, frozen = map(int, result.stdout.split())
    # the worker itself parsed nothing: the tables came from the fork server
    assert built >= 150, built
    assert frozen > 10_000, frozen


def test_without_the_warm_up_a_fresh_process_has_no_tables() -> None:
    # the check above measures something: a plain process has built none
    script = "from tests.test_warmup import warm_state; print(*warm_state())"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["0", "0"]
