"""A process pool for CPU-bound page work: tasks queued per worker, a timeout, and self-repair.

:class:`WorkerPool` runs a picklable function in ``workers`` separate processes
and lets asyncio code ``await`` the result. Each worker is its own one-process
``concurrent.futures.ProcessPoolExecutor`` (a *lane*) that runs one task at a
time, with ``prefetch`` more queued behind it (so it never idles while the
owner's event loop is busy), and when a page hangs or kills its worker, exactly
that page fails:

- a task running longer than ``timeout`` seconds (timed from when it could
  start, not from when it was queued) gets its worker killed and raises
  :class:`WorkerTimeout`;
- a task whose worker dies (segfault, out of memory, ``os._exit``) raises
  :class:`WorkerCrashed`;

and in both cases the lane is replaced by a fresh executor; the tasks queued
behind the failed one never started, so they run again in a fresh worker. A
shared multi-process executor cannot do this: a dead worker breaks *every*
pending future of a ``ProcessPoolExecutor``, and a running task cannot be
cancelled there at all.

Workers never outlive the process that owns the pool, even when it is killed
with SIGKILL (no handler, no ``atexit``): a worker left behind would keep
running and hold the crawl's stdout/stderr pipes open, so whoever waits on
them (cron, a test, a shell pipeline) would hang. See :func:`_die_with_owner`.
A worker is also retired after ``max_tasks`` tasks and replaced by a fresh
one, so whatever a long run leaves in a worker's heap (library caches,
fragmentation) is returned to the system: memory stays flat over a run of any
length. Reads no settings (the Scrapy adapter passes them).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from typing import Any, TypeVar

T = TypeVar("T")

#: "forkserver": workers start from a clean single-threaded server process, not
#: from a fork of the running crawler (its reactor, threads and open database)
START_METHOD = "forkserver"
#: tasks a worker runs before it is retired and replaced (keeps memory flat); warm-up
#: (imports are preloaded in the fork server, but library caches refill) costs far less
#: than a few hundred pages
MAX_TASKS = 1000
#: tasks handed to a worker beyond the one it runs: without one, a worker idled ~10 ms a page
#: (median, 2 workers on 2 cores) while its result reached the busy crawl process and a new
#: page came back
PREFETCH = 1
#: seconds between two checks of the fallback owner watch (see _watch_owner)
WATCH_INTERVAL = 0.5
#: linux/prctl.h: deliver a signal to this process when its parent process dies
PR_SET_PDEATHSIG = 1


def slots_per_worker(prefetch: int = PREFETCH) -> int:
    """Tasks one worker holds at once: the one it runs and ``prefetch`` waiting."""
    return 1 + prefetch


def _owner_gone(owner: int, parent: int) -> bool:
    """Has the pool's owner (or this worker's parent, the fork server) ended?"""
    if os.getppid() != parent:  # re-parented: the fork server is gone
        return True
    try:
        os.kill(owner, 0)  # signal 0: an existence check, nothing is delivered
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, under another user (pid reuse): not ours, gone
        return True
    return False


def _watch_owner(owner: int, parent: int) -> None:
    """Portable fallback: poll for the owner's end and kill this worker then.

    It needs the GIL, so a worker stuck in C code holding it is only reaped by the
    parent-death signal (Linux) or, when the owner lives, by the pool's timeout.
    """
    while not _owner_gone(owner, parent):
        time.sleep(WATCH_INTERVAL)
    os.kill(os.getpid(), signal.SIGKILL)


def _release_fork_server() -> None:
    """Close this worker's copy of the pipe by which the fork server notices its owner's end.

    The fork server exits when every write end of that pipe is closed, but it hands
    one to each process it forks (for grandchildren we never start): while a worker
    holds it, the fork server outlives a killed owner, and so the parent-death signal
    that should reach the worker never fires.
    """
    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(fd, int):
        with contextlib.suppress(OSError):
            os.close(fd)
        server._forkserver_alive_fd = None  # type: ignore[union-attr]


def _die_with_owner(owner: int) -> None:
    """Make this worker process die when the pool's owner process dies, even by SIGKILL.

    On Linux the kernel does it: prctl(PR_SET_PDEATHSIG, SIGKILL) sends SIGKILL to
    this worker when its parent (the fork server, which itself exits as soon as the
    owner's end of its pipe closes) dies. Hand-rolled through ctypes because neither
    the standard library nor multiprocessing exposes prctl, and the one PyPI binding
    (python-prctl) is an unmaintained C extension for a single call. Everywhere (and
    should prctl fail), a daemon thread also polls the parent pid and the owner pid.
    """
    parent = os.getppid()
    _release_fork_server()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the thread below still watches
            pass
    if _owner_gone(owner, parent):  # the owner died before the signal was armed
        os.kill(os.getpid(), signal.SIGKILL)
    threading.Thread(target=_watch_owner, args=(owner, parent), name="owner-watch", daemon=True).start()


def _init_lane(owner: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """Every worker's initializer: tie its life to the owner, then the pool's own initializer."""
    _die_with_owner(owner)
    if initializer is not None:
        initializer(*initargs)


#: worker processes start one at a time (see _start_worker)
_START_LOCK = threading.Lock()


def _start_worker(executor: ProcessPoolExecutor) -> Any:
    """Start ``executor``'s one process, without its owner's main script; its pid's future.

    A child started by the fork server (or spawned) runs its parent's main script again,
    as ``__mp_main__``, so that functions defined there can be unpickled; our tasks are
    functions of importable modules and never need it. For ``scrapy crawl`` that script
    is Scrapy's console script, for ``news-ingest`` ours: each worker imported Scrapy,
    Twisted and the command line again. multiprocessing has no switch for this: it
    sends the script's path when ``__main__`` has a ``__file__`` and no module spec
    (``python -m`` runs send a spec, and ``*.__main__`` is never run again), so the
    attribute is taken off while the process starts. Starts are serialised so that a
    second one cannot take the hidden path for the real one.
    """
    main = sys.modules["__main__"]
    with _START_LOCK:
        path = getattr(main, "__file__", None)
        hide = path is not None and getattr(getattr(main, "__spec__", None), "name", None) is None
        if hide:
            del main.__file__
        try:
            return executor.submit(os.getpid)
        finally:
            if hide:
                main.__file__ = path


def usable_cores() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def start_fork_server(preload: tuple[str, ...]) -> None:
    """Start this process's fork server now, importing ``preload`` before it forks a worker.

    It runs its preload in its own process, so whatever this process does next overlaps it.
    A :class:`WorkerPool` created later uses the running server (its own ``preload`` is then
    not applied, so pass the same modules). Does nothing if the server is already running.
    """
    multiprocessing.get_context(START_METHOD).set_forkserver_preload(list(preload))
    forkserver.ensure_running()


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
    """One worker process (a single-process executor), its pid for killing it, and its tasks."""

    def __init__(self, executor: ProcessPoolExecutor, pid: int) -> None:
        self.executor = executor
        self.pid = pid
        self.tasks = 0  # submitted over its life
        self.running = 0  # submitted and not yet settled
        self.last: asyncio.Future[Any] | None = None  # the task most recently submitted to it
        self.closed = False  # takes no new task: retiring, killed or dead
        self.replaced = False  # its replacement is started (exactly once)

    def submit(self, fn: Callable[..., Any], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> tuple[asyncio.Future[Any] | None, asyncio.Future[Any]]:
        """Queue a task behind the ones already handed to this worker: (the one ahead, this one)."""
        ahead = self.last
        future = asyncio.wrap_future(self.executor.submit(fn, *args, **kwargs))
        self.last = future
        self.tasks += 1
        self.running += 1
        return ahead, future

    def kill(self) -> None:
        """Kill the worker now (it may be stuck in C code) and let the executor go."""
        with contextlib.suppress(ProcessLookupError):  # already gone: the crash case
            os.kill(self.pid, signal.SIGKILL)
        self.executor.shutdown(wait=False, cancel_futures=True)


def _broke(future: asyncio.Future[Any]) -> bool:
    """Did this task end with its worker (killed on a timeout, crashed), not with a result?"""
    return future.cancelled() or isinstance(future.exception(), BrokenProcessPool)


class WorkerPool:
    """``workers`` processes, each initialised once with ``initializer(*initargs)``.

    Args:
        workers: number of worker processes (at least 1).
        timeout: seconds one task may run before its worker is killed.
        initializer: run once in each new worker, e.g. to build expensive options.
        initargs: picklable arguments for ``initializer``.
        max_tasks: tasks a worker runs before it is replaced by a fresh one (0: never).
        preload: modules the fork server imports once, so each new worker starts with
            them loaded (fast replacement, and their pages shared between workers).
        prefetch: tasks handed to a worker beyond the one it runs, so that it starts the
            next as soon as it is done instead of idling while the result travels back
            and the owner's event loop hands it another (0: one task at a time).
    """

    def __init__(self, workers: int, *, timeout: float,
                 initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = (), max_tasks: int = MAX_TASKS,
                 preload: tuple[str, ...] = (), prefetch: int = PREFETCH) -> None:
        if workers < 1:
            raise ValueError("a WorkerPool needs at least one worker")
        if prefetch < 0:
            raise ValueError("prefetch cannot be negative")
        self.workers = workers
        self.timeout = timeout
        self.initializer = initializer
        self.initargs = initargs
        self.max_tasks = max_tasks
        self.slots = slots_per_worker(prefetch)
        self.context = multiprocessing.get_context(START_METHOD)
        if preload:
            # Only takes effect if this process's fork server is not running yet.
            self.context.set_forkserver_preload(list(preload))
        self.replaced = 0
        self.recycled = 0
        #: one entry per free slot of a worker (a worker appears up to ``slots`` times)
        self._idle: asyncio.Queue[_Lane] | None = None
        self._lanes: set[_Lane] = set()
        self._recycling: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start every worker; :meth:`run` does so on the first page, so a crawl that
        extracts nothing (a rerun where every article is current) starts no worker (~250 MB).
        The fork server starts with the first worker unless :func:`start_fork_server` (the
        early-start add-on, crawler/warmstart.py) started it already."""
        if self._idle is not None:
            return
        idle = self._idle = asyncio.Queue()
        self._offer(await asyncio.gather(*(self._new_lane() for _ in range(self.workers))), idle)

    def _offer(self, lanes: list[_Lane], idle: asyncio.Queue[_Lane]) -> None:
        """Hand freshly started ``lanes`` out through ``idle``, or shut them down if the pool
        was closed while they started (a start takes the whole warm-up, a replacement less):
        close() did not see them."""
        if self._idle is not idle:
            for lane in lanes:
                self._lanes.discard(lane)
                lane.executor.shutdown(wait=False)
            return
        # Interleaved (a, b, a, b), so that a worker's second slot is taken only once
        # every worker has work.
        for _ in range(self.slots):
            for lane in lanes:
                idle.put_nowait(lane)

    async def _new_lane(self) -> _Lane:
        executor = ProcessPoolExecutor(max_workers=1, mp_context=self.context, initializer=_init_lane,
                                       initargs=(os.getpid(), self.initializer, self.initargs))
        # The worker reports its own pid: the public way to know which process to kill.
        # submit() starts the process, and the first start waits until the fork server has
        # run its preload (imports and warm-up, ~0.7 s): from a thread, so that the owner's
        # event loop (a live crawl's downloads, the writes) goes on meanwhile.
        pid = await asyncio.wrap_future(await asyncio.to_thread(_start_worker, executor))
        lane = _Lane(executor, pid)
        self._lanes.add(lane)
        return lane

    async def _free_slot(self, idle: asyncio.Queue[_Lane]) -> _Lane:
        while True:
            lane = await idle.get()
            if not lane.closed:
                return lane
            # a slot of a worker that has since retired or died: dropped with it

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` in a worker; raise :class:`WorkerFailed` if it hangs or dies.

        Exceptions raised by ``fn`` itself come back unchanged (the worker lives on).
        Waiting for a free worker, or for the task queued ahead in the same worker,
        does not count towards the timeout. A task queued behind one that hangs or
        crashes its worker never ran: it is run again in another worker.
        """
        await self.start()
        idle = self._idle
        assert idle is not None
        while True:
            lane = await self._free_slot(idle)
            ahead, future = lane.submit(fn, args, kwargs)
            if self.max_tasks and lane.tasks >= self.max_tasks:
                lane.closed = True  # retiring: replaced once its last task is settled
            try:
                if ahead is not None:
                    await asyncio.wait([ahead])  # this task's clock starts when the worker is free
                done, _ = await asyncio.wait([future], timeout=self.timeout)
                if done and not _broke(future):
                    return future.result()  # or the exception fn raised
                if not done:
                    future.cancel()  # settled now: a task queued behind it sees it broke
                if not lane.replaced:  # whichever owner sees the worker fail first replaces it
                    await self._replace(lane, idle, killed=True)
                if done and ahead is not None and _broke(ahead):
                    continue  # never started here: run it in another worker
                if not done:
                    raise WorkerTimeout(
                        f"extraction took longer than {self.timeout:g} seconds and was stopped")
                raise WorkerCrashed("the extraction process crashed on this page")
            finally:
                lane.running -= 1
                if not lane.closed:
                    idle.put_nowait(lane)
                elif not lane.running and not lane.replaced and self._idle is idle:
                    # Retired, replaced in the background: this result is not held up by a start-up.
                    task = asyncio.ensure_future(self._replace(lane, idle))
                    self._recycling.add(task)
                    task.add_done_callback(self._recycling.discard)

    async def _replace(self, lane: _Lane, idle: asyncio.Queue[_Lane], *, killed: bool = False) -> None:
        """Put a fresh worker in the place of ``lane``: one that hung or died (``killed``: it
        is killed now), or one that has run ``max_tasks`` tasks (retired: it is idle and
        exits after its queue's sentinel). None if the pool was closed meanwhile."""
        lane.closed = lane.replaced = True  # before any await: no other task takes or replaces it
        if killed:
            lane.kill()
            self.replaced += 1
        else:
            lane.executor.shutdown(wait=False)
            self.recycled += 1
        self._lanes.discard(lane)
        self._offer([await self._new_lane()], idle)

    def close(self) -> None:
        """Stop every worker; called when the crawl has no page left in flight."""
        self._idle = None  # a recycling still under way shuts its fresh worker down itself
        for lane in list(self._lanes):
            lane.executor.shutdown(wait=True, cancel_futures=True)
        self._lanes.clear()
