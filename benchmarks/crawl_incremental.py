"""Benchmark: a generated 2,000-article site on 127.0.0.1, crawled twice with `scrapy crawl sitemap`.

Reports pages/s of the first run, the time of the unchanged second run as a
ratio of the first (goal <= 0.1) with conditional GETs (every article answered
304) and with the refresh policy's min-age skip (no request at all), and the
peak memory of the crawl processes (goal <= 400 MB).

    .venv/bin/python benchmarks/crawl_incremental.py [--articles 2000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.site_server import LIVE_TEST_SETTINGS, start_site  # noqa: E402


def crawl(db: Path, base: str, extra: dict[str, str]) -> tuple[float, int]:
    """One `scrapy crawl sitemap` subprocess: (seconds, its peak RSS in bytes)."""
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "sitemap",
        "-a",
        f"url={base}/sitemap-news.xml",
        "-s",
        f"SQLITE_PATH={db}",
        "-s",
        "LOG_LEVEL=WARNING",
        "-s",
        "CONCURRENT_REQUESTS=16",
    ]
    for name, value in {**LIVE_TEST_SETTINGS, **extra}.items():
        command += ["-s", f"{name}={value}"]
    started = time.perf_counter()
    # A fresh child per run: wait4 gives that child's own peak RSS.
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"crawl failed: {proc.stderr.read()[-3000:] if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    server = start_site(args.articles)
    base = server.base_url
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        first, mem1 = crawl(db, base, {})
        fetched = sum(1 for r in server.log if r.status == 200 and r.path.startswith("/news/"))
        server.clear_log()
        second, mem2 = crawl(db, base, {"NEWS_REFRESH_MIN_AGE": "0"})
        not_modified = sum(1 for r in server.log if r.status == 304)
        bodies = sum(1 for r in server.log if r.status == 200 and r.path.startswith("/news/"))
        server.clear_log()
        third, mem3 = crawl(db, base, {"NEWS_REFRESH_MIN_AGE": "3600"})
        skipped_requests = sum(1 for r in server.log if r.path.startswith("/news/"))
    server.stop()
    peak = max(mem1, mem2, mem3) / 2**20
    print(
        f"articles: {args.articles}; first run: {fetched} pages in {first:.1f}s "
        f"= {fetched / first:.1f} pages/s"
    )
    print(
        f"second run (conditional GET): {second:.1f}s = {second / first:.3f} of the first "
        f"({not_modified} answered 304, {bodies} article bodies fetched)"
    )
    print(
        f"second run (min-age skip): {third:.1f}s = {third / first:.3f} of the first "
        f"({skipped_requests} article requests)"
    )
    print(f"peak memory (max RSS of a crawl process): {peak:.0f} MB (goal <= 400)")


if __name__ == "__main__":
    main()
