"""Throughput and memory: bare trafilatura on one core vs the whole `scrapy crawl replay`.

Over the dev corpus pages (`<corpus>/fundus/pages` and `<corpus>/dates/pages`, 657
gzipped pages), in one run:

(a) `trafilatura.bare_extraction(html, url=..., with_metadata=True)` in this process,
    one page after another (pages read and decoded beforehand, not timed);
(b) `scrapy crawl replay` end to end into a fresh database, as a subprocess: reading,
    decoding, extraction in the worker pool, every stage, SQLite writes, start-up included.

It prints pages/s of each, the ratio b/a, and the peak RSS of (b) summed over its whole
process tree (crawler, forkserver, extraction workers), read from /proc every 0.2 s.
A sum of RSS counts pages shared between processes more than once, so it overstates;
the peak of the summed PSS (shared pages split between sharers) is printed beside it.

`--synthetic N` adds (c): a replay of N pages, the corpus pages hard-linked (or copied)
N/657 times under distinct names, with a manifest giving each copy a distinct URL, and
prints the process tree's RSS every 1000 pages done, to show memory stays flat. (Copies
of a page keep its canonical link, so they update one row per page; every copy still
goes through extraction and every stage.)

Usage:
    .venv/bin/python -m benchmarks.throughput [--corpus DIR] [--workers N] [--synthetic 20000]

The corpus defaults to `../shared/corpus` beside the repository, or `$NEWS_INGEST_CORPUS`.
Run it on an otherwise idle machine: other processes on the same cores slow (b) more than (a).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SETS = ("fundus", "dates")


def corpus_dir(given: str | None) -> Path:
    """The corpus as tests/conftest.py finds it; exit with a message when it is absent."""
    path = Path(given or os.environ.get("NEWS_INGEST_CORPUS", ROOT.parent / "shared" / "corpus"))
    if not (path / "score.py").is_file():
        sys.exit(f"development corpus not found at {path} (set NEWS_INGEST_CORPUS or pass --corpus)")
    return path


def corpus_pages(corpus: Path) -> list[dict[str, Any]]:
    """Every page of the sets with its truth line (file, url, crawl_date)."""
    pages = []
    for name in SETS:
        with (corpus / name / "truth.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                pages.append({"set": name, "path": corpus / name / record["file"], "url": record["url"],
                              "fetched_at": record.get("crawl_date") or "2024-01-01T00:00:00"})
    return pages


def link(src: Path, dst: Path) -> None:
    """Hard link (free, and distinct for the manifest, unlike a symlink), else copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def build_replay_dir(pages: list[dict[str, Any]], folder: Path, copies: int = 1, total: int | None = None) -> int:
    """Pages under distinct names in `folder/pages`, and `folder/manifest.jsonl` with distinct URLs."""
    (folder / "pages").mkdir(parents=True)
    count = 0
    with (folder / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for copy in range(copies):
            for page in pages:
                if total is not None and count >= total:
                    return count
                name = f"{copy:03d}_{page['set']}_{page['path'].name}"
                dst = folder / "pages" / name
                link(page["path"], dst)
                url = page["url"] if copy == 0 else f"{page['url']}{'&' if '?' in page['url'] else '?'}copy={copy}"
                manifest.write(json.dumps({"file": str(dst), "url": url, "fetched_at": page["fetched_at"]}) + "\n")
                count += 1
    return count


def bare_trafilatura(pages: list[dict[str, Any]]) -> tuple[float, float]:
    """(a): wall and CPU seconds for one bare_extraction per page, in this process."""
    import trafilatura

    from crawler import fixtures

    decoded = []
    for page in pages:
        try:
            body = fixtures.read_body(page["path"])
            decoded.append((fixtures.decoded_text(fixtures.to_response(body, page["url"])), page["url"]))
        except fixtures.PageError:
            continue
    started, cpu = time.perf_counter(), time.process_time()
    for html, url in decoded:
        trafilatura.bare_extraction(html, url=url, with_metadata=True)
    return time.perf_counter() - started, time.process_time() - cpu


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants, from /proc (the forkserver's workers are grandchildren)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory_kb(pids: list[int]) -> tuple[int, int]:
    """Summed (RSS, PSS) in kB of `pids`, from /proc/<pid>/smaps_rollup."""
    rss = pss = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:  # the process ended meanwhile
            continue
        for line in text.splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss, pss


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: LogStats' periodic line, e.g. "Crawled 0 pages (at 0 pages/min), scraped 812 items (at ...)"
SCRAPED_RE = re.compile(r"scraped (\d+) items")


def pages_done(log: Path) -> int:
    """Pages finished so far, from the crawl's log: items scraped (LogStats) plus pages dropped.

    (Rows in the database do not count them: copies of a page share its canonical URL.)
    """
    text = log.read_text(errors="replace")
    scraped = SCRAPED_RE.findall(text)
    return (int(scraped[-1]) if scraped else 0) + text.count("Dropped: ")


def rows_done(db: Path) -> int:
    """Distinct pages recorded: stored articles plus failure rows."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return sum(conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("articles", "failures"))
    except sqlite3.Error:  # tables not created yet
        return 0


def replay(folder: Path, workers: int | None, report_every: int = 0) -> dict[str, Any]:
    """(b)/(c): `scrapy crawl replay` of `folder` into a fresh database, watched from outside."""
    db = folder / "replay.db"
    command = [sys.executable, "-m", "scrapy", "crawl", "replay", "-a", f"path={folder / 'pages'}",
               "-a", f"manifest={folder / 'manifest.jsonl'}", "-s", f"SQLITE_PATH={db}", "-s", "LOG_LEVEL=INFO",
               "-s", "LOGSTATS_INTERVAL=2"]
    if workers is not None:
        command += ["-s", f"NEWS_EXTRACT_WORKERS={workers}"]
    started = time.perf_counter()
    with (folder / "replay.log").open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        peak_rss = peak_pss = 0
        next_report, samples = report_every, []
        cpu: dict[int, float] = {}  # last CPU time seen of every process of the tree
        while process.poll() is None:
            pids = tree_pids(process.pid)
            for pid in pids:
                cpu[pid] = max(cpu.get(pid, 0.0), cpu_seconds(pid))
            rss, pss = memory_kb(pids)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            if report_every:
                done = pages_done(folder / "replay.log")
                if done >= next_report:
                    samples.append((done, rss, pss))
                    print(f"    {done:6d} pages done: RSS {rss / 1024:6.0f} MB, PSS {pss / 1024:6.0f} MB "
                          f"({time.perf_counter() - started:.0f} s)", flush=True)
                    next_report = (done // report_every + 1) * report_every
            time.sleep(0.2)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"scrapy crawl replay failed ({process.returncode}); see {folder / 'replay.log'}")
    return {"seconds": seconds, "cpu": sum(cpu.values()), "main_cpu": cpu.get(process.pid, 0.0),
            "peak_rss_mb": peak_rss / 1024, "peak_pss_mb": peak_pss / 1024,
            "done": rows_done(db), "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="corpus folder (default ../shared/corpus or $NEWS_INGEST_CORPUS)")
    parser.add_argument("--workers", type=int, help="NEWS_EXTRACT_WORKERS for the replay (default: the setting)")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N", help="also replay N synthetic pages")
    parser.add_argument("--skip-bare", action="store_true", help="skip (a) and (b), only run --synthetic")
    args = parser.parse_args()
    pages = corpus_pages(corpus_dir(args.corpus))
    with tempfile.TemporaryDirectory(prefix="news-throughput-") as tmp:
        if not args.skip_bare:
            print(f"(a) bare trafilatura, 1 process, {len(pages)} pages ...", flush=True)
            bare, bare_cpu = bare_trafilatura(pages)
            rate_a = len(pages) / bare
            print(f"    {bare:.1f} s, {rate_a:.2f} pages/s; {bare_cpu / len(pages) * 1000:.0f} ms CPU a page",
                  flush=True)
            folder = Path(tmp) / "corpus"
            build_replay_dir(pages, folder)
            print(f"(b) scrapy crawl replay, {len(pages)} pages, fresh database ...", flush=True)
            result = replay(folder, args.workers)
            rate_b = len(pages) / result["seconds"]
            print(f"    {result['seconds']:.1f} s, {rate_b:.2f} pages/s; {result['done']} pages recorded; "
                  f"peak RSS {result['peak_rss_mb']:.0f} MB (PSS {result['peak_pss_mb']:.0f} MB)")
            print(f"ratio b/a = {rate_b / rate_a:.2f} (goal >= 1.6); peak RSS {result['peak_rss_mb']:.0f} MB "
                  f"(goal <= 400 MB); {os.cpu_count()} CPUs")
            # Independent of other load on the machine: CPU a page, and the rate an idle machine
            # would reach (all cores busy, or the crawler's own process as the bottleneck).
            cores = os.cpu_count() or 1
            per_page = result["cpu"] / len(pages)
            bound = max(result["cpu"] / cores, result["main_cpu"]) / len(pages)
            print(f"CPU: (b) {per_page * 1000:.0f} ms a page over all processes "
                  f"(crawler process {result['main_cpu'] / len(pages) * 1000:.0f} ms); "
                  f"idle-machine ratio b/a <= {(bare_cpu / len(pages)) / bound:.2f}")
        if args.synthetic:
            folder = Path(tmp) / "synthetic"
            copies = -(-args.synthetic // len(pages))
            count = build_replay_dir(pages, folder, copies=copies, total=args.synthetic)
            print(f"(c) scrapy crawl replay, {count} synthetic pages ...", flush=True)
            result = replay(folder, args.workers, report_every=1000)
            print(f"    {result['seconds']:.0f} s, {count / result['seconds']:.2f} pages/s, "
                  f"peak RSS {result['peak_rss_mb']:.0f} MB (PSS {result['peak_pss_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
