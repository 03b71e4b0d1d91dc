"""Scale-out on scrapy-redis: workers share one frontier, the one writer fills SQLite.

Real processes against a real redis-server and a real HTTP server, both on
127.0.0.1 and started here: a replay split over three workers, and a link
crawl by three workers where the server's request log proves each page was
fetched once in total.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy.utils.conf import build_component_list
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from crawler import settings as project_settings_module
from tests.conftest import NEWS_INGEST, PAGES, ROOT
from tests.redis_server import RedisUnavailable, in_ci, redis_server

#: workers close after this much idle time in the tests (the engine re-checks every 5 s)
IDLE = "2"
ARTICLES = 30
#: how long the local site takes per page: with 2 requests at a time, one worker alone would need
#: 8 s, longer than the engine's 5 s idle poll after which the other workers join in
PAGE_SECONDS = 0.5


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A fresh redis-server on 127.0.0.1 for one test."""
    try:
        with redis_server(tmp_path / "redis") as url:
            yield url
    except RedisUnavailable as exc:
        if in_ci():
            pytest.fail(f"{exc}: .ci/run installs it, so CI must have it")
        pytest.skip(f"{exc}; the distributed tests need a real Redis")


def news_ingest_async(*args: str) -> subprocess.Popen[str]:
    """Start ``news-ingest ARGS`` without waiting for it; its output goes to files.

    Files, not pipes: a pipe nobody reads yet fills up and stalls the process.
    """
    out = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed by finish())
    err = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed by finish())
    process = subprocess.Popen([*NEWS_INGEST, *args],
                               cwd=ROOT, stdout=out, stderr=err, text=True)
    process.outputs = (out, err)  # type: ignore[attr-defined]
    return process


def finish(process: subprocess.Popen[str], timeout: float = 90) -> tuple[int, str, str]:
    """Wait for a process that must end by itself; its status, stdout and stderr."""
    process.wait(timeout=timeout)
    texts = []
    for file in process.outputs:  # type: ignore[attr-defined]
        file.seek(0)
        texts.append(file.read())
        file.close()
    return process.returncode, texts[0], texts[1]


def component_names(crawler_settings: object, name: str) -> list[str]:
    """The enabled components of a priority-dict setting, in order, as import paths."""
    components = build_component_list(crawler_settings.getwithbase(name))  # type: ignore[attr-defined]
    return [c if isinstance(c, str) else f"{c.__module__}.{c.__qualname__}" for c in components]


def project_dict(**extra: object) -> dict[str, object]:
    return {**{k: v for k, v in vars(project_settings_module).items() if k.isupper()}, **extra}


# --- the switch ------------------------------------------------------------------------------

def test_without_redis_url_nothing_changes() -> None:
    crawler = get_crawler(settings_dict=project_dict(REDIS_URL=None))
    assert crawler.settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    pipelines = component_names(crawler.settings, "ITEM_PIPELINES")
    assert pipelines[-1] == "pipelines.store.StorePipeline"
    assert "pipelines.boilerplate.BoilerplatePipeline" in pipelines
    assert not any("redis" in p for p in pipelines)


def test_redis_url_makes_any_spider_a_worker() -> None:
    crawler = get_crawler(settings_dict=project_dict(REDIS_URL="redis://127.0.0.1:1/0"))
    settings = crawler.settings
    assert settings["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert settings["SCHEDULER_DUPEFILTER_KEY"] == "news:%(spider)s:dupefilter"
    pipelines = component_names(settings, "ITEM_PIPELINES")
    assert pipelines[-1] == "pipelines.redis_out.RedisOutPipeline"
    assert pipelines[-2] == "pipelines.dedup.FingerprintPipeline"
    assert "pipelines.store.StorePipeline" not in pipelines
    assert "pipelines.boilerplate.BoilerplatePipeline" not in pipelines
    extensions = component_names(settings, "EXTENSIONS")
    assert "crawler.distributed.RedisWorker" in extensions
    assert "crawler.extensions.CrawlRecorder" not in extensions


def test_single_machine_run_never_imports_redis(tmp_path: Path) -> None:
    code = ("import sys; from crawler import runner; "
            f"r = runner.run_spider('replay', {{'path': {str(PAGES / 'theduran.com')!r}}}, "
            f"{{'SQLITE_PATH': {str(tmp_path / 'a.db')!r}, 'LOG_LEVEL': 'WARNING'}}); "
            "print(r.counts['inserted'], 'redis' in sys.modules, 'scrapy_redis' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["3", "False", "False"]


def test_queue_mode_without_redis_is_a_usage_error(tmp_path: Path) -> None:
    from tests.conftest import news_ingest

    result = news_ingest("worker", "replay", "--redis", "", "-a", "queue=1")
    assert result.returncode == 2
    assert "needs REDIS_URL" in result.stderr


# --- replay split over workers ---------------------------------------------------------------

def test_replay_split_over_three_workers_stores_each_article_once(
        redis_url: str, tmp_path: Path, fixtures_db: Database) -> None:
    db = tmp_path / "shared.db"
    status, out, err = finish(news_ingest_async("enqueue", str(PAGES), "--redis", redis_url))
    assert status == 0, err
    queued = int(out.split()[0])
    assert queued == fixtures_db.execute("select pages_seen from crawl_runs").fetchone()[0]

    workers = [news_ingest_async("worker", "replay", "--redis", redis_url, "-a", "queue=1",
                                 "-s", f"NEWS_REDIS_IDLE_CLOSE_SECONDS={IDLE}") for _ in range(3)]
    writer = news_ingest_async("store", "--redis", redis_url, "--db", str(db), "--idle-timeout", "4")
    for worker in workers:
        status, out, err = finish(worker)
        assert "replay worker: finished." in out, err[-3000:]
        # as `news-ingest crawl`: a worker whose share of pages gave no article at all exits 1;
        # one that found the queue already drained (0 pages, under load) did no harm and exits 0
        failed_share = " -> 0 articles" in out and " 0 pages -> " not in out
        assert status == (1 if failed_share else 0), out + err[-3000:]
    status, out, err = finish(writer)
    assert status == 0, err[-3000:]

    shared = Database(db)
    single = {r["url"]: r for r in fixtures_db["articles"].rows}
    stored = {r["url"]: r for r in shared["articles"].rows}
    assert set(stored) == set(single)
    assert out.startswith(f"store: {len(single)} articles ({len(single)} inserted, 0 updated, 0 unchanged)")
    for url, row in stored.items():  # same pipelines, boilerplate learnt by the writer: same rows
        for column in ("title", "authors", "published", "site_name", "text", "word_count", "content_hash"):
            assert row[column] == single[url][column], (url, column)
    failed = {r["source"] for r in fixtures_db["failures"].rows}
    assert {r["source"] for r in shared["failures"].rows} == failed
    runs = list(shared["crawl_runs"].rows)
    assert len(runs) == 3 and {r["finish_reason"] for r in runs} == {"finished"}
    # every file replayed by exactly one worker
    assert sum(r["pages_seen"] for r in runs) == queued
    assert sum(r["inserted"] for r in runs) == len(single)


def test_a_queued_page_carries_its_manifest_line_to_the_worker(redis_url: str, tmp_path: Path) -> None:
    page = next((PAGES / "theduran.com").glob("*.html"))
    saved = tmp_path / "archive" / "story.html"
    saved.parent.mkdir()
    saved.write_bytes(page.read_bytes())
    manifest = tmp_path / "archive" / "manifest.jsonl"
    manifest.write_text(json.dumps({"file": "story.html", "url": "https://theduran.com/archived-story/",
                                    "fetched_at": "2016-10-02T03:04:05Z"}) + "\n")
    db = tmp_path / "shared.db"
    status, out, err = finish(news_ingest_async("enqueue", str(saved), "--redis", redis_url,
                                                "--manifest", str(manifest)))
    assert (status, out.split()[0]) == (0, "1"), err
    worker = news_ingest_async("worker", "replay", "--redis", redis_url, "-a", "queue=1",
                               "-s", f"NEWS_REDIS_IDLE_CLOSE_SECONDS={IDLE}")
    writer = news_ingest_async("store", "--redis", redis_url, "--db", str(db), "--idle-timeout", "4")
    status, out, err = finish(worker)
    assert status == 0, out + err[-3000:]
    status, out, err = finish(writer)
    assert status == 0, err[-3000:]
    row = next(Database(db)["articles"].rows)
    assert (row["fetched_url"], row["fetched_at"]) == ("https://theduran.com/archived-story/",
                                                       "2016-10-02T03:04:05+00:00")


# --- a live crawl by three workers -----------------------------------------------------------

def article_page(number: int) -> bytes:
    """A small article linking to three others and back to the front page."""
    words = ["harbour", "council", "rebuild", "budget", "storm", "wall", "engineers", "ferry",
             "season", "tides", "residents", "vote", "stone", "repairs", "report", "delay"]
    paragraphs = []
    for p in range(5):
        sentence = " ".join(words[(number * 3 + p * 5 + k) % len(words)] for k in range(14))
        paragraphs.append(f"<p>Article {number} part {p}: the {sentence} were discussed at length "
                          f"by everyone in town number {number * 10 + p}.</p>")
    links = "".join(f'<li><a href="/a/{n % ARTICLES}">more</a></li>'
                    for n in (number + 1, number * 7 + 3, number + 13))
    return (f"<html><head><title>Harbour story {number}</title></head><body>"
            f"<header><a href=\"/\">Front page</a></header><article><h1>Harbour story {number}</h1>"
            f"<p class=\"byline\">By Ann Example</p>{''.join(paragraphs)}</article>"
            f"<aside><ul>{links}</ul></aside></body></html>").encode()


class Site(BaseHTTPRequestHandler):
    """The local site: a front page and ARTICLES articles; counts every request.

    Pages are held back until the test opens ``all_up`` (all three workers have
    registered in Redis) and then served slowly, so the crawl is really shared.
    """

    hits: Counter[str] = Counter()
    lock = threading.Lock()
    all_up = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        with self.lock:
            self.hits[self.path] += 1
        if self.path != "/robots.txt":
            self.all_up.wait(timeout=30)
            time.sleep(PAGE_SECONDS)
        if self.path == "/":
            body = ("<html><body>" + "".join(f'<a href="/a/{n}">story</a>' for n in range(0, ARTICLES, 4))
                    + "</body></html>").encode()
            headers = {}
        elif self.path.startswith("/a/") and self.path[3:].isdigit() and int(self.path[3:]) < ARTICLES:
            number = int(self.path[3:])
            body = article_page(number)
            headers = {"ETag": f'"story-{number}"', "Last-Modified": "Tue, 01 Oct 2024 08:00:00 GMT"}
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        """Quiet: the counter is the log."""


@pytest.fixture
def site() -> Iterator[tuple[str, Counter[str]]]:
    Site.hits = Counter()
    Site.all_up = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", Site.hits
    server.shutdown()
    server.server_close()


def test_three_workers_fetch_every_page_once_in_total(
        redis_url: str, site: tuple[str, Counter[str]], tmp_path: Path) -> None:
    from crawler.distributed import RedisValidators, validators_key
    from pipelines.redis_out import connect

    start, hits = site
    db = tmp_path / "live.db"
    workers = [news_ingest_async(
        "worker", "links", "--redis", redis_url, "-a", f"start={start}",
        "-s", "SPIDER_MODULES=tests.link_spider", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=2", "-s", "NEWS_ALLOW_PRIVATE_ADDRESSES=1",
        "-s", f"NEWS_REDIS_IDLE_CLOSE_SECONDS={IDLE}") for _ in range(3)]
    writer = news_ingest_async("store", "--redis", redis_url, "--db", str(db), "--idle-timeout", "4")
    server = connect(redis_url)
    deadline = time.monotonic() + 60
    while server.zcard("news:workers") < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    Site.all_up.set()
    outputs = [finish(worker) for worker in workers]
    for status, out, err in outputs:
        assert status == 0, out + err[-3000:]
    status, out, err = finish(writer)
    assert status == 0, err[-3000:]

    pages = {path: count for path, count in hits.items() if path != "/robots.txt"}
    assert set(pages) == {"/"} | {f"/a/{n}" for n in range(ARTICLES)}
    assert set(pages.values()) == {1}, {p: c for p, c in pages.items() if c != 1}
    assert hits["/robots.txt"] <= 3  # robots.txt is per worker, not a page
    shared = Database(db)
    assert shared["articles"].count == ARTICLES
    assert out.startswith(f"store: {ARTICLES} articles ({ARTICLES} inserted, 0 updated, 0 unchanged)")
    runs = list(shared["crawl_runs"].rows)
    assert len(runs) == 3 and sum(r["pages_seen"] for r in runs) >= ARTICLES + 1
    assert sum(1 for r in runs if r["inserted"]) >= 2, [(r["pages_seen"], r["inserted"]) for r in runs]

    # the run's fingerprints went with its last worker; the shared queue is empty
    assert not server.exists("news:links:dupefilter", "news:links:requests", "news:records")
    # what the writer stored is what workers see for conditional GETs
    validators = RedisValidators(server, validators_key("news"))
    assert validators.lookup(f"{start}a/5") == ('"story-5"', "Tue, 01 Oct 2024 08:00:00 GMT")
    assert validators.lookup(f"{start}a/{ARTICLES + 1}") is None


# --- the writer on its own ---------------------------------------------------------------------

def test_writer_sets_aside_unreadable_records_and_fills_run_rows(redis_url: str, tmp_path: Path) -> None:
    from crawler.writer import Writer
    from pipelines.redis_out import connect, records_key
    from pipelines.store import Store

    server = connect(redis_url)
    failure = {"source": "a.html", "url": "file:///a.html", "stage": "extract",
               "reason": "no article found", "at": "2024-10-01T08:00:00+00:00", "spider": "replay"}
    run = {"spider": "replay", "args": {"worker": "w1"}, "started_at": "2024-10-01T08:00:00+00:00",
           "finished_at": "2024-10-01T08:01:00+00:00", "finish_reason": "finished", "pages_seen": 1,
           "failures": 1, "dropped": 0, "errors": 0, "stats": {}}
    server.rpush(records_key("news"), "not json",
                 json.dumps({"kind": "failure", "worker": "w1", "failure": failure}),
                 json.dumps({"kind": "run", "worker": "w1", "run": run}))
    store = Store.open(tmp_path / "w.db")
    writer = Writer(server, store, batch=2)
    counts = writer.drain(idle_timeout=0.0)
    assert (counts.bad, counts.failures, counts.runs, counts.batches) == (1, 1, 1, 2)
    assert server.lrange(writer.bad_key, 0, -1) == ["not json"]
    assert server.llen(records_key("news")) == 0
    assert store.db["failures"].count == 1
    row = next(store.db["crawl_runs"].rows)
    assert (row["pages_seen"], row["failures"], row["inserted"]) == (1, 1, 0)
    assert json.loads(row["args"]) == {"worker": "w1"}
