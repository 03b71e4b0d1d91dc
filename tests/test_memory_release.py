"""The crawl's memory extensions: free C-heap pages go back to the system (pipelines/memory.py,
crawler/memtrim.py); the start-up heap is frozen (crawler/gcfreeze.py)."""

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.gcfreeze import GcFreeze
from crawler.memtrim import ArenaLimit
from pipelines import memory
from pipelines.memory import TRIM_AVAILABLE, HeapTrimmer, release_free_memory, resident_bytes
from tests.conftest import PAGES, scrapy_crawl

needs_glibc = pytest.mark.skipif(not TRIM_AVAILABLE, reason="no malloc_trim: not glibc")
#: a page tree of many small nodes: ~100 MB of heap (libxml2 mallocs nodes from the heap)
BIG_PAGE = "<html><body>" + "<div><p>word <b>bold</b> word</p></div>" * 200_000 + "</body></html>"


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


@needs_glibc
def test_a_freed_page_tree_is_given_back() -> None:
    # many small nodes: libxml2 mallocs them from the heap (not mmap), where glibc keeps them
    page = BIG_PAGE
    release_free_memory()
    before = _rss_kb()
    tree = lxml_html.document_fromstring(page)
    grown = _rss_kb()
    del tree, page
    gc.collect()
    kept = _rss_kb()
    release_free_memory()
    after = _rss_kb()
    assert grown - before > 50_000, "the test page did not grow the heap enough to measure"
    assert kept - after > 0.5 * (grown - before), (before, grown, kept, after)


@needs_glibc
def test_a_worker_trims_only_once_it_has_grown_past_the_slack() -> None:
    trimmer = HeapTrimmer(slack=64 * 2**20)
    small = lxml_html.document_fromstring("<html><body>" + "<p>word</p>" * 100 + "</body></html>")
    del small
    assert trimmer.after_page() is False  # a usual page: its freed heap stays for the next
    tree = lxml_html.document_fromstring(BIG_PAGE)
    del tree
    gc.collect()
    grown = resident_bytes()
    assert trimmer.after_page() is True  # past the slack: given back
    after = resident_bytes()
    assert grown is not None and after is not None and grown - after > 32 * 2**20, (grown, after)
    assert trimmer.floor == after
    assert trimmer.after_page() is False  # measured from where the trim left it


def test_slack_zero_or_an_unknown_size_trims_after_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    every = HeapTrimmer(slack=0)
    assert [every.after_page() for _ in range(3)] == [True, True, True]
    monkeypatch.setattr(memory, "resident_bytes", lambda: None)
    unknown = HeapTrimmer(slack=64 * 2**20)
    assert [unknown.after_page() for _ in range(2)] == [True, True]


@needs_glibc
@pytest.mark.parametrize(("setting", "enabled"), [("1", True), ("0", False)])
def test_the_crawl_trims_unless_turned_off(tmp_path: Path, setting: str, enabled: bool) -> None:
    result = scrapy_crawl("replay", tmp_path / "a.db", f"path={PAGES}",
                          settings={"NEWS_EXTRACT_WORKERS": "0", "NEWS_MALLOC_TRIM": setting})
    assert result.returncode == 0, result.stderr[-2000:]
    assert ("crawler.memtrim.MemoryTrim" in result.stderr) is enabled
    assert "crawler.memtrim.ArenaLimit" in result.stderr  # its own setting, on by default
    assert "5 inserted" in result.stderr or "item_scraped_count': 5" in result.stderr


@needs_glibc
@pytest.mark.parametrize(("slack", "trims"), [("0", "every"), ("1000", "none")])
def test_workers_count_their_trims(tmp_path: Path, slack: str, trims: str) -> None:
    result = scrapy_crawl("replay", tmp_path / "a.db", f"path={PAGES}",
                          settings={"NEWS_EXTRACT_WORKERS": "1", "NEWS_MALLOC_TRIM_SLACK_MB": slack})
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r"'news/extract/heap_trims': (\d+)", result.stderr)
    extracted = int(re.search(r"'item_scraped_count': (\d+)", result.stderr)[1])
    if trims == "every":  # slack 0: after every page the worker extracted
        assert found is not None and int(found[1]) >= extracted >= 5, result.stderr[-2000:]
    else:  # the fixture pages never grow a worker by 1,000 MB
        assert found is None


#: eight threads alive at once, each allocating blocks above pymalloc's 512 bytes (so from
#: glibc, in the thread's arena); prints how many arenas glibc's malloc_info reports
ARENAS_SCRIPT = r"""
import ctypes, ctypes.util, sys, tempfile, threading
from pipelines.memory import limit_arenas
if int(sys.argv[1]):
    assert limit_arenas(int(sys.argv[1]))
barrier, kept = threading.Barrier(8), []
def work():
    kept.append([bytearray(4096) for _ in range(100)])
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
with tempfile.NamedTemporaryFile(suffix=".xml") as out:
    stream = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(open(out.name).read().count("<heap nr="))
"""


@needs_glibc
def test_limit_arenas_keeps_a_threaded_process_in_two_arenas() -> None:
    def arenas(cap: int) -> int:
        done = subprocess.run([sys.executable, "-c", ARENAS_SCRIPT, str(cap)], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).resolve().parents[1])
        return int(done.stdout)

    assert arenas(0) > 2  # glibc's default: a thread that allocates gets an arena of its own
    assert arenas(2) == 2


def test_the_arena_limit_is_a_setting() -> None:
    with pytest.raises(NotConfigured):
        ArenaLimit.from_crawler(get_crawler(settings_dict={"NEWS_MALLOC_ARENAS": 0}))


def test_gc_freeze_is_a_setting() -> None:
    with pytest.raises(NotConfigured):
        GcFreeze.from_crawler(get_crawler(settings_dict={"NEWS_GC_FREEZE": False}))
    crawler = get_crawler(settings_dict={"NEWS_GC_FREEZE": True})
    crawler.stats.open_spider()
    extension = GcFreeze.from_crawler(crawler)
    try:
        extension.engine_started()
        assert gc.get_freeze_count() > 0
        assert crawler.stats.get_value("news/gc/frozen_objects") == gc.get_freeze_count()
    finally:
        gc.unfreeze()  # the test process goes on collecting as usual
