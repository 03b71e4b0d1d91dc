"""A process pool for CPU-bound page work: one task per worker, a timeout, and self-repair.

:class:`WorkerPool` runs a picklable function in ``workers`` separate processes
and lets asyncio code ``await`` the result. Each worker is its own one-process
``concurrent.futures.ProcessPoolExecutor`` (a *lane*) that gets one task at a
time, so when a page hangs or kills its worker, exactly that page fails:

- a task running longer than ``timeout`` seconds gets its worker killed and
  raises :class:`WorkerTimeout`;
- a task whose worker dies (segfault, out of memory, ``os._exit``) raises
  :class:`WorkerCrashed`;

and in both cases the lane is replaced by a fresh executor before it takes the
next task. A shared multi-process executor cannot do this: a dead worker breaks
*every* pending future of a ``ProcessPoolExecutor``, and a running task cannot
be cancelled there at all. Reads no settings (the Scrapy adapter passes them).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")

#: "forkserver": workers start from a clean single-threaded server process, not
#: from a fork of the running crawler (its reactor, threads and open database)
START_METHOD = "forkserver"


class WorkerFailed(Exception):
    """A task did not complete in its worker; ``reason`` is a sentence for users."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WorkerTimeout(WorkerFailed):
    """The task ran past the pool's timeout; its worker was killed."""


class WorkerCrashed(WorkerFailed):
    """The worker process died while running the task."""


class _Lane:
    """One worker process (a single-process executor) and its pid, for killing it."""

    def __init__(self, executor: ProcessPoolExecutor, pid: int) -> None:
        self.executor = executor
        self.pid = pid

    def kill(self) -> None:
        """Kill the worker now (it may be stuck in C code) and let the executor go."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:  # already gone: the crash case
            pass
        self.executor.shutdown(wait=False, cancel_futures=True)


class WorkerPool:
    """``workers`` processes, each initialised once with ``initializer(*initargs)``.

    Args:
        workers: number of worker processes (at least 1).
        timeout: seconds one task may run before its worker is killed.
        initializer: run once in each new worker, e.g. to build expensive options.
        initargs: picklable arguments for ``initializer``.
    """

    def __init__(self, workers: int, *, timeout: float,
                 initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        if workers < 1:
            raise ValueError("a WorkerPool needs at least one worker")
        self.workers = workers
        self.timeout = timeout
        self.initializer = initializer
        self.initargs = initargs
        self.context = multiprocessing.get_context(START_METHOD)
        self.replaced = 0
        self._idle: asyncio.Queue[_Lane] | None = None
        self._lanes: set[_Lane] = set()

    async def start(self) -> None:
        """Start every worker now (a crawl should not pay start-up on its first pages)."""
        if self._idle is not None:
            return
        self._idle = asyncio.Queue()
        lanes = await asyncio.gather(*(self._new_lane() for _ in range(self.workers)))
        for lane in lanes:
            self._idle.put_nowait(lane)

    async def _new_lane(self) -> _Lane:
        executor = ProcessPoolExecutor(max_workers=1, mp_context=self.context,
                                       initializer=self.initializer, initargs=self.initargs)
        # The worker reports its own pid: the public way to know which process to kill.
        pid = await asyncio.wrap_future(executor.submit(os.getpid))
        lane = _Lane(executor, pid)
        self._lanes.add(lane)
        return lane

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` in a worker; raise :class:`WorkerFailed` if it hangs or dies.

        Exceptions raised by ``fn`` itself come back unchanged (the worker lives on).
        Waiting for a free worker does not count towards the timeout.
        """
        await self.start()
        assert self._idle is not None
        lane = await self._idle.get()
        try:
            future = asyncio.wrap_future(lane.executor.submit(fn, *args, **kwargs))
            try:
                result = await asyncio.wait_for(future, self.timeout)
            except TimeoutError:
                lane = await self._replace(lane)
                raise WorkerTimeout(
                    f"extraction took longer than {self.timeout:g} seconds and was stopped") from None
            except BrokenProcessPool:
                lane = await self._replace(lane)
                raise WorkerCrashed("the extraction process crashed on this page") from None
            return result
        finally:
            self._idle.put_nowait(lane)

    async def _replace(self, lane: _Lane) -> _Lane:
        lane.kill()
        self._lanes.discard(lane)
        self.replaced += 1
        return await self._new_lane()

    def close(self) -> None:
        """Stop every worker; called when the crawl has no page left in flight."""
        for lane in list(self._lanes):
            lane.executor.shutdown(wait=True, cancel_futures=True)
        self._lanes.clear()
        self._idle = None
