"""Scale-out throughput: replay pages/s with 1, 2 and 3 workers on scrapy-redis, and the writer's rate.

For each worker count: start a throw-away redis-server on 127.0.0.1, start the
workers (``news-ingest worker replay -a queue=1``), wait until all have
registered, then enqueue the pages (clock starts) and wait until every page's
record (article or failure) is in the Redis records list (clock stops). Process
start-up is left out: it is paid once per run, not per page. Then one writer
(``news-ingest store``) drains the list into a fresh database, timed on its own.

Pages: the fundus dev corpus (``../shared/corpus/fundus`` with its truth.jsonl
manifest) when present, else the bundled fixtures repeated.

Usage:
    .venv/bin/python -m benchmarks.distributed [--workers 1 2 3] [--repeat 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawler.distributed import replay_key, workers_key
from pipelines.redis_out import connect, records_key
from tests.proctree import cpu_seconds, descendants
from tests.redis_server import redis_server

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("NEWS_INGEST_CORPUS") or ROOT.parent / "shared" / "corpus") / "fundus"


def news_ingest(*args: str, quiet: bool = False) -> subprocess.Popen[str]:
    # quiet: the workers' logs go nowhere; an unread pipe would fill up and stall them
    err = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen([sys.executable, "-c", "from crawler.cli import main; main()", *args],
                            cwd=ROOT, stdout=err, stderr=err, text=True)


def _tree_cpu(procs: list[subprocess.Popen[str]]) -> float:
    """CPU seconds used so far by the workers and their extraction processes (grandchildren,
    under each worker's fork server); a process recycled before the call is not counted."""
    return sum(cpu_seconds(pid) for p in procs for pid in (p.pid, *descendants(p.pid)))


def page_set(folder: Path, repeat: int) -> tuple[str, str | None]:
    """(path argument, manifest) of the pages to replay."""
    if (CORPUS / "truth.jsonl").is_file():
        return str(CORPUS / "pages"), str(CORPUS / "truth.jsonl")
    for copy in range(repeat):  # the fixtures are few: repeat them under distinct paths
        shutil.copytree(ROOT / "fixtures" / "pages", folder / f"copy{copy}")
    return str(folder), None


def run(workers: int, path: str, manifest: str | None, folder: Path) -> tuple[int, float, float, float, str]:
    """One measurement: (pages, worker seconds, worker CPU seconds, writer seconds, writer summary)."""
    with redis_server(folder / f"redis{workers}") as url:
        server = connect(url)
        procs = [news_ingest("worker", "replay", "--redis", url, "-a", "queue=1",
                             "-s", "NEWS_REDIS_IDLE_CLOSE_SECONDS=3", quiet=True) for _ in range(workers)]
        deadline = time.monotonic() + 120
        while server.zcard(workers_key("news")) < workers and time.monotonic() < deadline:
            time.sleep(0.05)
        args = ["enqueue", path, "--redis", url] + (["--manifest", manifest] if manifest else [])
        cpu_before = _tree_cpu(procs)
        start = time.monotonic()
        out, err = news_ingest(*args).communicate()
        pages = int(out.split()[0])
        while server.llen(records_key("news")) < pages or server.llen(replay_key("news")):
            time.sleep(0.02)
        worker_seconds = time.monotonic() - start
        cpu = _tree_cpu(procs) - cpu_before
        for proc in procs:
            proc.communicate(timeout=120)
        db = folder / f"bench{workers}.db"
        begin = time.monotonic()
        writer = news_ingest("store", "--redis", url, "--db", str(db), "--idle-timeout", "0.5")
        summary, _ = writer.communicate(timeout=600)
        writer_seconds = time.monotonic() - begin - 0.5
        return pages, worker_seconds, cpu, writer_seconds, summary.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--repeat", type=int, default=8, help="fixture copies when the corpus is absent")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, manifest = page_set(folder / "pages", options.repeat)
        print(f"pages: {path} ({'corpus with manifest' if manifest else 'fixture copies'}); "
              f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.1f} "
              "(other processes on the machine share these cores)")
        base = None
        cpu_per_page = []
        writer_rates = []
        for count in options.workers:
            pages, seconds, cpu, writer_seconds, summary = run(count, path, manifest, folder)
            rate = pages / seconds
            base = base or rate
            cpu_per_page.append(cpu / pages)
            writer_rates.append(pages / writer_seconds)
            print(f"{count} worker(s): {pages} pages in {seconds:.1f} s = {rate:.1f} pages/s "
                  f"({rate / base:.2f}x one worker), {1000 * cpu / pages:.0f} worker CPU-ms/page, "
                  f"{cpu / seconds:.2f} cores busy; writer: {pages / writer_seconds:.0f} records/s "
                  f"(incl. start-up) | {summary.splitlines()[0]}")
        per_core = 1 / (sum(cpu_per_page) / len(cpu_per_page))
        writer = min(writer_rates)
        print(f"prediction: one worker per free core gives ~{per_core:.0f} pages/s per core "
              f"(CPU-bound: trafilatura + normalising), so ~{2 * per_core:.0f} on 2 free cores, "
              f"~{8 * per_core:.0f} on 8; the one writer caps it near {writer:.0f} records/s "
              f"(~{writer / per_core:.0f} cores' worth of workers) on this disk")


if __name__ == "__main__":
    main()
