"""Benchmark: a generated 2,000-article site on 127.0.0.1, crawled repeatedly with `scrapy crawl sitemap`.

Reports pages/s of the first run into a fresh database, then the time of the
unchanged second run as a ratio of the first (goal <= 0.1) under each way a
rerun can decide that a stored article is current (crawler/refresh.py):

- ``lastmod``: the default policy; every article's sitemap ``<lastmod>`` is older
  than its stored fetch, so no article is requested at all;
- ``revalidate``: ``-a refresh=revalidate``, a conditional GET per article
  (every one answered 304);
- ``min-age``: lastmods not trusted (``NEWS_REFRESH_TRUST_LASTMOD=0``), every
  article fetched less than ``NEWS_REFRESH_MIN_AGE`` ago, so none is requested.

Each second-run variant runs ``--repeat`` times (median and best printed; the
ratio uses the median; the CPU-time ratio, user + system of the crawl process,
depends less on what else the machine runs). Also the peak RSS of the crawl processes (goal <= 400 MB)
and the load average, since the figures depend on what else the machine runs.

    .venv/bin/python benchmarks/crawl_incremental.py [--articles 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.site_server import LIVE_TEST_SETTINGS, SiteServer, start_site  # noqa: E402

#: the second-run variants: (name, extra spider arguments, extra settings)
VARIANTS: list[tuple[str, list[str], dict[str, str]]] = [
    ("lastmod", [], {"NEWS_REFRESH_MIN_AGE": "0"}),
    ("revalidate", ["-a", "refresh=revalidate"], {"NEWS_REFRESH_MIN_AGE": "0"}),
    ("min-age", [], {"NEWS_REFRESH_MIN_AGE": "3600", "NEWS_REFRESH_TRUST_LASTMOD": "0"}),
]


def crawl(db: Path, base: str, args: list[str], extra: dict[str, str]) -> tuple[float, float, int]:
    """One `scrapy crawl sitemap` subprocess: (wall seconds, CPU seconds, its peak RSS in bytes)."""
    command = [
        sys.executable, "-m", "scrapy", "crawl", "sitemap", "-a", f"url={base}/sitemap-news.xml", *args,
        "-s", f"SQLITE_PATH={db}", "-s", "LOG_LEVEL=WARNING", "-s", "CONCURRENT_REQUESTS=16",
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
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def article_log(server: SiteServer) -> tuple[int, int]:
    """(article bodies sent, 304s sent) since the log was cleared."""
    bodies = sum(1 for r in server.log if r.status == 200 and r.path.startswith("/news/"))
    return bodies, sum(1 for r in server.log if r.status == 304)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    server = start_site(args.articles)
    base = server.base_url
    peak = 0
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        first, first_cpu, rss = crawl(db, base, [], {})
        peak = max(peak, rss)
        fetched, _ = article_log(server)
        print(
            f"articles: {args.articles}; first run: {fetched} pages in {first:.1f}s "
            f"= {fetched / first:.1f} pages/s ({first_cpu:.1f} CPU-s)",
            flush=True,
        )
        for name, spider_args, settings in VARIANTS:
            times, cpus = [], []
            for _ in range(args.repeat):
                server.clear_log()
                seconds, cpu, rss = crawl(db, base, spider_args, settings)
                times.append(seconds)
                cpus.append(cpu)
                peak = max(peak, rss)
            bodies, not_modified = article_log(server)
            median = statistics.median(times)
            print(
                f"second run ({name}): median {median:.2f}s = {median / first:.3f} of the first "
                f"(best {min(times):.2f}s = {min(times) / first:.3f}; CPU {statistics.median(cpus):.2f}s "
                f"= {statistics.median(cpus) / first_cpu:.3f} of the first's; "
                f"{bodies} article bodies, {not_modified} answered 304)",
                flush=True,
            )
    server.stop()
    print(f"peak memory (max RSS of a crawl process): {peak / 2**20:.0f} MB (goal <= 400)")
    print(
        "load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f} "
        "on {} cores".format(*load_before, *os.getloadavg(), os.cpu_count())
    )


if __name__ == "__main__":
    main()
