"""WorkerPool (pipelines/pool.py), the pooled extract stage and the replay spider's backpressure."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.spiders.replay import ReplaySpider
from pipelines.drops import ExtractFailed
from pipelines.extract import ExtractPipeline
from pipelines.pool import WorkerCrashed, WorkerPool, WorkerTimeout, _owner_gone
from tests.badinput.many import write_pages
from tests.conftest import ROOT
from tests.proctree import descendants, state

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"

# --- callables the workers run: module level, so they pickle by name ------------------
_initialised = 0


def _init(value: int) -> None:
    global _initialised
    _initialised += value


def _whoami() -> tuple[int, int]:
    return os.getpid(), _initialised


def _square(x: int) -> int:
    return x * x


def _hang(seconds: float) -> None:
    time.sleep(seconds)


def _crash() -> None:
    os._exit(3)  # the worker dies without a Python exception, as on a segfault


def _fail() -> None:
    raise ValueError("bad page")


def _nap(seconds: float) -> tuple[float, float]:
    """Sleep; return when this task started and ended (wall clock, comparable across processes)."""
    started = time.time()
    time.sleep(seconds)
    return started, time.time()


def _worker_options() -> tuple[bool, bool]:
    """The (fast, precision) modes of the trafilatura options this worker was set up with."""
    from pipelines import worker

    assert worker._options is not None
    return worker._options.fast, worker._options.focus == "precision"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_runs_in_other_processes_initialised_once_each() -> None:
    async def go() -> list[tuple[int, int]]:
        pool = WorkerPool(2, timeout=30, initializer=_init, initargs=(1,))
        try:
            return await asyncio.gather(*(pool.run(_whoami) for _ in range(8)))
        finally:
            pool.close()

    results = run(go())
    pids = {pid for pid, _ in results}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2
    assert {count for _, count in results} == {1}  # the initializer ran once per worker


def test_exceptions_of_the_function_come_back_and_the_worker_lives_on() -> None:
    async def go() -> tuple[int, int]:
        pool = WorkerPool(1, timeout=30)
        try:
            with pytest.raises(ValueError, match="bad page"):
                await pool.run(_fail)
            return await pool.run(_square, 7), pool.replaced
        finally:
            pool.close()

    assert run(go()) == (49, 0)


def test_a_hanging_task_is_killed_after_the_timeout_and_the_pool_goes_on() -> None:
    async def go() -> tuple[float, int, int, int]:
        pool = WorkerPool(1, timeout=3.0)  # not shorter: a busy machine needs ~1 s for a short task
        try:
            before = await pool.run(_whoami)
            started = time.monotonic()
            with pytest.raises(WorkerTimeout, match="longer than 3 seconds"):
                await pool.run(_hang, 60)
            took = time.monotonic() - started
            after = await pool.run(_whoami)
            return took, await pool.run(_square, 3), pool.replaced, int(before[0] != after[0])
        finally:
            pool.close()

    took, value, replaced, new_worker = run(go())
    assert 3 <= took < 20
    assert value == 9
    assert replaced == 1
    assert new_worker == 1


@pytest.mark.parametrize(("workers", "squared"), [
    (2, [5, 6]),  # one square in the other worker, one queued behind the crash
    (1, [5]),  # one worker: the square waits behind the crash and runs in the fresh worker
])
def test_a_crash_fails_only_its_own_task(workers: int, squared: list[int]) -> None:
    async def go() -> tuple[list[Any], int]:
        pool = WorkerPool(workers, timeout=30, prefetch=1)
        try:
            results = await asyncio.gather(pool.run(_crash), *(pool.run(_square, n) for n in squared),
                                           return_exceptions=True)
            results.append(await pool.run(_square, 4))
            return results, pool.replaced
        finally:
            pool.close()

    results, replaced = run(go())
    assert isinstance(results[0], WorkerCrashed)
    assert results[1:] == [n * n for n in squared] + [16]
    assert replaced == 1


def test_a_worker_is_recycled_after_max_tasks_and_results_keep_coming() -> None:
    async def go() -> tuple[list[int], int, int]:
        pool = WorkerPool(1, timeout=30, max_tasks=3)
        try:
            pids = []
            for _ in range(7):
                pids.append((await pool.run(_whoami))[0])
            return pids, pool.recycled, pool.replaced
        finally:
            pool.close()

    pids, recycled, replaced = run(go())
    assert pids[0] == pids[1] == pids[2] != pids[3]
    assert pids[3] == pids[4] == pids[5] != pids[6]
    assert (recycled, replaced) == (2, 0)


class _ClosedWhileReplacing(WorkerPool):
    """A pool whose owner closes it just as a worker is being replaced (crawl shutdown)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.close_on_next_lane = False
        #: pids of the workers started after the pool was closed
        self.fresh: list[int] = []

    async def _new_lane(self) -> Any:
        if self.close_on_next_lane:
            self.close()
        lane = await super()._new_lane()
        if self.close_on_next_lane:
            self.fresh.append(lane.pid)
        return lane


@pytest.mark.parametrize(("task", "args", "fails"), [(_crash, (), WorkerCrashed), (_square, (2,), None)])
def test_a_worker_started_after_close_does_not_outlive_the_pool(task: Any, args: tuple[Any, ...],
                                                                fails: type[Exception] | None) -> None:
    async def go() -> list[int]:
        pool = _ClosedWhileReplacing(1, timeout=30, max_tasks=1)
        await pool.start()
        pool.close_on_next_lane = True
        with pytest.raises(fails) if fails else contextlib.nullcontext():
            await pool.run(task, *args)
        await asyncio.gather(*pool._recycling)  # a retired worker is replaced in the background
        return pool.fresh

    fresh = run(go())
    assert len(fresh) == 1, "one replacement, started after close"
    assert _wait_dead(fresh, 10) == []


def test_a_pool_closed_while_it_starts_leaves_no_worker_behind() -> None:
    # The workers start from a thread while the fork server warms up (~3 s): a crawl can be
    # stopped meanwhile, and the workers that come up after the close must go too.
    async def go() -> list[int]:
        pool = _ClosedWhileReplacing(2, timeout=30)
        pool.close_on_next_lane = True
        await pool.start()
        return pool.fresh

    fresh = run(go())
    assert len(fresh) == 2, "both workers started after close"
    assert _wait_dead(fresh, 10) == []


def _wait_dead(pids: list[int], timeout: float) -> list[int]:
    """The pids still running (not gone, not zombies) after up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in alive if state(pid) not in (None, "Z")]
    return alive


def test_owner_gone_table() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert _owner_gone(os.getpid(), os.getppid()) is False
    assert _owner_gone(dead.pid, os.getppid()) is True  # the owner ended
    assert _owner_gone(os.getpid(), os.getppid() + 1) is True  # re-parented: the parent ended


OWNER = """
import asyncio, sys, time
from pipelines.pool import WorkerPool
from tests.test_pipelines_pool import _whoami

async def main():
    pool = WorkerPool(2, timeout=30)
    await pool.start()
    pids = {(await pool.run(_whoami))[0] for _ in range(6)}
    print(" ".join(map(str, sorted(pids))), flush=True)
    time.sleep(600)

asyncio.run(main())
"""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_kill_9_of_the_owner_leaves_no_worker_behind() -> None:
    owner = subprocess.Popen([sys.executable, "-c", OWNER], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        workers = [int(pid) for pid in owner.stdout.readline().split()]
        assert workers, owner.stderr.read() if owner.stderr else ""
        assert all(state(pid) not in (None, "Z") for pid in workers)  # running before the kill
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=30)
        assert _wait_dead(workers, 15) == [], "a worker outlived the kill -9 of its pool's owner"
    finally:
        owner.kill()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_kill_9_of_a_crawl_leaves_no_worker_and_closes_its_pipes(tmp_path: Path) -> None:
    """The crawl runs with the default settings (pool on); after kill -9 nothing holds its pipes."""
    write_pages(tmp_path / "pages", 300)
    crawl = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "replay", "-a", f"path={tmp_path / 'pages'}",
         "-s", f"SQLITE_PATH={tmp_path / 'kill.db'}", "-s", "LOG_LEVEL=WARNING",
         "-s", "NEWS_EXTRACT_WORKERS=2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(descendants(crawl.pid)) < 3 and time.monotonic() < deadline:  # fork server + 2 workers
            assert crawl.poll() is None, crawl.communicate()[1][-2000:]
            time.sleep(0.1)
        tree = descendants(crawl.pid)
        assert len(tree) >= 3, tree
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=30)
        # communicate() returns only once every holder of the crawl's stdout/stderr has exited
        crawl.communicate(timeout=20)
        assert _wait_dead(tree, 15) == [], "a process of the crawl outlived its kill -9"
    finally:
        crawl.kill()


def test_a_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError):
        WorkerPool(0, timeout=1)
    with pytest.raises(ValueError):
        WorkerPool(1, timeout=1, prefetch=-1)


@pytest.mark.parametrize("prefetch", [0, 1])
def test_a_worker_starts_its_next_task_while_the_owner_is_busy(prefetch: int) -> None:
    """With prefetch, the next task waits in the worker, not in the owner's event loop."""
    async def go() -> tuple[float, float]:
        pool = WorkerPool(1, timeout=30, prefetch=prefetch)
        try:
            await pool.start()
            first = asyncio.ensure_future(pool.run(_nap, 0.3))
            second = asyncio.ensure_future(pool.run(_nap, 0.0))
            await asyncio.sleep(0.1)  # both handed out (with prefetch: both in the worker)
            time.sleep(3.0)  # the crawl process busy: its event loop hands out nothing
            loop_free = time.time()
            await first
            second_start, _ = await second
            return loop_free, second_start
        finally:
            pool.close()

    loop_free, second_start = run(go())
    if prefetch:
        assert second_start < loop_free - 1.0
    else:
        assert second_start >= loop_free


#: a pool whose fork server preloads a module that takes 1.5 s to import, and a ticker that
#: runs on the same event loop while the pool starts; prints how long the start took and the
#: longest the event loop went without running the ticker
SLOW_START_SCRIPT = r"""
import asyncio, time
from pipelines.pool import WorkerPool

async def main():
    pool = WorkerPool(1, timeout=30, preload=("slow_preload",))
    ticks = []
    async def ticker():
        while True:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.05)
    task = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.1)
    started = time.perf_counter()
    await pool.start()
    took = time.perf_counter() - started
    task.cancel()
    pool.close()
    print(took, max(b - a for a, b in zip(ticks, ticks[1:])))

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_the_event_loop_runs_on_while_the_fork_server_warms_up(tmp_path: Path) -> None:
    # The crawl's first page starts the pool, and the first worker can only start once the
    # fork server has run its preload (~3 s of imports and warm-up): a live crawl must go
    # on downloading meanwhile. In a subprocess: a fork server preloads only when it starts.
    (tmp_path / "slow_preload.py").write_text("import time\ntime.sleep(1.5)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", SLOW_START_SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    took, longest_gap = map(float, done.stdout.split())
    assert took >= 1.4  # the start did wait for the preload
    assert longest_gap < 0.5, f"the event loop stood still {longest_gap:.2f} s while the pool started"


#: a program run as a script file, as `scrapy crawl` and `news-ingest` run (console scripts):
#: prints each time it is imported under another name than __main__, then its __file__ once
#: two workers have started (at once, each from its own thread) and a task ran in each
SCRIPT_OWNER = r"""
import asyncio, os, sys
if __name__ != "__main__":
    print("imported again as", __name__, flush=True)
from pipelines.pool import WorkerPool

async def main():
    pool = WorkerPool(2, timeout=30)
    pids = await asyncio.gather(*(pool.run(os.getpid) for _ in range(4)))
    pool.close()
    print("workers", len(set(pids)), "file", __file__, flush=True)

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_workers_do_not_run_the_owners_script_again(tmp_path: Path) -> None:
    # multiprocessing runs the parent's main script again in every child it starts: for the
    # `scrapy` console script that imported Scrapy and Twisted into each worker (and slowed
    # every page). The pool's tasks are functions of importable modules: no child needs it.
    script = tmp_path / "owner.py"
    script.write_text(SCRIPT_OWNER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [f"workers 2 file {script}"]  # and __file__ is back


def test_a_task_queued_behind_a_hang_runs_in_the_fresh_worker() -> None:
    async def go() -> tuple[list[Any], int]:
        pool = WorkerPool(1, timeout=3.0, prefetch=1)
        try:
            results = await asyncio.gather(pool.run(_hang, 60), pool.run(_square, 3), return_exceptions=True)
            return results, pool.replaced
        finally:
            pool.close()

    results, replaced = run(go())
    assert isinstance(results[0], WorkerTimeout)
    assert results[1] == 9
    assert replaced == 1


def test_a_queued_task_is_timed_from_its_own_start() -> None:
    """Two tasks of 2.5 s in one worker, 5 s in all: neither passes the 4 s timeout."""
    async def go() -> list[Any]:
        pool = WorkerPool(1, timeout=4.0, prefetch=1)
        try:
            # Unpickling _nap imports this test module (Scrapy, trafilatura) in the worker: ~1 s,
            # 2-3 s on a loaded machine, which would count towards the first task's timeout.
            await pool.run(_nap, 0.0)
            return await asyncio.gather(pool.run(_nap, 2.5), pool.run(_nap, 2.5), return_exceptions=True)
        finally:
            pool.close()

    results = run(go())
    assert [type(result) for result in results] == [tuple, tuple]
    (_, first_end), (second_start, _) = results
    assert second_start >= first_end


def _fixture_item() -> ArticleItem:
    page = PAGES / "theduran.com" / "lavrov-confirms-russia-rejected-kerry-offer.html"
    return ArticleItem(fetched_url="https://theduran.com/lavrov-confirms-russia-rejected-kerry-offer/",
                       source=str(page), html=page.read_text(encoding="utf-8"),
                       fetched_at="2016-10-01T00:00:00+00:00")


def _pipeline(workers: int, **settings: Any) -> ExtractPipeline:
    crawler = get_crawler(settings_dict={"NEWS_EXTRACT_WORKERS": workers, **settings})
    crawler.stats.open_spider()
    return ExtractPipeline.from_crawler(crawler)


@pytest.mark.parametrize("fast", [False, True])
def test_the_workers_extract_in_the_mode_the_settings_name(fast: bool) -> None:
    async def go() -> tuple[bool, bool]:
        pipeline = _pipeline(1, NEWS_EXTRACT_FAST=fast)
        try:
            assert pipeline.pool is not None and pipeline.options.fast is fast
            return await pipeline.pool.run(_worker_options)
        finally:
            pipeline.close_spider()

    assert run(go()) == (fast, False)  # fast as set, precision as by default


def test_pooled_extraction_gives_the_inline_result() -> None:
    async def go(workers: int) -> ArticleItem:
        pipeline = _pipeline(workers)
        try:
            item: ArticleItem = await pipeline.process_item(_fixture_item())
            return item
        finally:
            pipeline.close_spider()

    pooled, inline = run(go(1)), run(go(0))
    assert pooled.text and len(pooled.text.split()) > 100
    assert (pooled.text, pooled.url, pooled.title_raw, pooled.signals) == \
        (inline.text, inline.url, inline.title_raw, inline.signals)
    # the crawl process handed the page to the worker and kept no decoded copy of it
    assert pooled.html == "" and inline.html == _fixture_item().html


def test_a_page_beyond_the_basic_plane_reaches_the_worker_whole() -> None:
    # one character beyond U+FFFF makes CPython store a str at 4 bytes a character: the reason
    # the page travels as UTF-8 bytes; it must come out of them as it went in
    item = _fixture_item()
    item.html = item.html.replace("<p>", "<p>\U0001F30D Γειά σου, 世界. ", 1)

    async def go(workers: int) -> ArticleItem:
        pipeline = _pipeline(workers)
        try:
            done: ArticleItem = await pipeline.process_item(copy.deepcopy(item))
            return done
        finally:
            pipeline.close_spider()

    pooled, inline = run(go(1)), run(go(0))
    assert "\U0001F30D Γειά σου, 世界." in pooled.text
    assert pooled.text == inline.text


def test_a_crawl_that_extracts_nothing_starts_no_worker() -> None:
    pipeline = _pipeline(2)
    assert pipeline.pool is not None
    # before close_spider (which empties both anyway): the pool was built but never started
    assert not pipeline.pool._lanes and pipeline.pool._idle is None
    pipeline.close_spider()


class _StuckPool:
    """Stands in for a WorkerPool whose worker hung on the page."""

    replaced = 1

    async def run(self, *args: Any) -> Any:
        raise WorkerTimeout("extraction took longer than 60 seconds and was stopped")

    def close(self) -> None:
        pass


def test_a_timed_out_page_is_dropped_as_an_extract_failure() -> None:
    pipeline = _pipeline(0)
    pipeline.pool = _StuckPool()  # type: ignore[assignment]
    with pytest.raises(ExtractFailed) as caught:
        run(pipeline.process_item(_fixture_item()))
    assert caught.value.stage == "extract"
    assert "longer than 60 seconds" in caught.value.reason
    assert pipeline.crawler.stats.get_value("news/extract/timeout") == 1


@pytest.mark.parametrize(("settings", "limit"), [
    ({"CONCURRENT_ITEMS": 2}, 2),
    # every worker's slots full and one page waiting per worker: 3 x (2 + 1)
    ({"CONCURRENT_ITEMS": 2, "NEWS_EXTRACT_WORKERS": 3, "NEWS_EXTRACT_PREFETCH": 1}, 9),
])
def test_replay_start_waits_while_concurrent_items_are_in_flight(tmp_path: Path, settings: dict[str, int],
                                                                 limit: int) -> None:
    body = "<html><head><title>t</title></head><body><p>{}</p></body></html>"
    for n in range(limit + 2):
        (tmp_path / f"p{n}.html").write_text(body.format(n), encoding="utf-8")
    crawler = get_crawler(ReplaySpider, settings_dict=settings)
    crawler.stats.open_spider()
    spider = ReplaySpider.from_crawler(crawler, path=str(tmp_path))
    crawler.spider = spider

    async def go() -> list[int]:
        start = spider.start()
        # with a timeout: a limit too low must fail here, not hang the suite
        got = [await asyncio.wait_for(anext(start), 5) for _ in range(limit)]
        nxt = asyncio.ensure_future(anext(start))
        await asyncio.sleep(0.2)
        blocked = int(not nxt.done())  # one more item must wait for room
        crawler.signals.send_catch_log(signals.item_scraped, item=got[0], response=None, spider=spider)
        await asyncio.wait_for(nxt, 5)
        return [blocked, spider.in_flight]

    assert run(go()) == [1, limit]
