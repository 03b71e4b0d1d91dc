"""Throughput and memory: bare trafilatura on one core vs the whole `scrapy crawl replay`.

Over the dev corpus pages (`<corpus>/fundus/pages` and `<corpus>/dates/pages`, 657
gzipped pages), in one run, `--rounds` times, interleaved so that other load on the
machine hits both alike:

(a) `trafilatura.bare_extraction(html, url=..., with_metadata=True)` in one process, a fresh
    one each round, one page after another (pages read and decoded beforehand, not timed).
    Like (b), each round then meets the pages, and trafilatura's first-use costs and caches,
    for the first time (`--bare-in-process`: in this process, as until the tenth round, where
    rounds after the first ran with the caches of the one before: 5-6 % less CPU a page);
(b) `scrapy crawl replay` end to end into a fresh database, as a subprocess: reading,
    decoding, extraction in the worker pool, every stage, SQLite writes, start-up included.
    Run as users run it, through the `scrapy` command beside this interpreter (until the
    thirteenth round `python -m scrapy`, which hid that every worker imported that command's
    script again: ~10 % more CPU a page; `python -m scrapy` where there is no such command);
(b0) the same replay with `NEWS_EXTRACT_WORKERS=0`: every stage in the crawl process, one
    core. b/b0 is what the pool buys on the same work; b/a also counts every stage that
    trafilatura alone does not run (`--skip-inline` leaves b0 out);
(bf) with `--fast`, (b) again with `NEWS_EXTRACT_FAST=1` (trafilatura's fast mode).

For (b) and (bf) it also prints when the first row was stored and when the last was, and the
rate between the two: the replay without its start-up (imports, the workers' warm-up) and close.

It prints pages/s of each, the ratio b/a of each round and their medians, the load
average before each run, and the memory of (b) over its whole process tree (crawler,
fork server, extraction workers, resource tracker), sampled every 0.2 s (RSS from
/proc/*/statm; PSS and USS from /proc/*/smaps_rollup, whose page-table walk costs ~2 ms a
process, once a second; until the thirteenth round all from smaps_rollup at every sample,
with a scan of every process on the machine for the tree: the watcher took 0.6-0.8 s of CPU
during each (b), ~5 % of a core, from (b) itself): the peak of the summed RSS (which counts
pages shared by the forked workers once per process, so it overstates), of the summed PSS
(shared pages split between sharers: the tree's real share of RAM) and of the summed USS
(pages private to one process), and each process's own peaks. CPU seconds per page are read
from /proc/*/stat, per process role; they do not depend on other load, unlike the rates.

`--synthetic N` adds (c): a replay of N pages, the corpus pages hard-linked (or copied)
N/657 times under distinct names, with a manifest giving each copy a distinct URL, and
prints the process tree's memory every 1000 pages done, to show memory stays flat. (Copies
of a page keep its canonical link, so they update one row per page; every copy still
goes through extraction and every stage.)

Usage:
    .venv/bin/python -m benchmarks.throughput [--corpus DIR] [--workers N] [--rounds 3] [--fast]
        [--synthetic 20000] [--bare-in-process]

The corpus defaults to `../shared/corpus` beside the repository, or `$NEWS_INGEST_CORPUS`.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SETS = ("fundus", "dates")

from pipelines.memory import resident_bytes  # noqa: E402
from tests.proctree import cpu_seconds, descendants, parent  # noqa: E402


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


def build_replay_dir(
    pages: list[dict[str, Any]], folder: Path, copies: int = 1, total: int | None = None
) -> int:
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
                url = (
                    page["url"]
                    if copy == 0
                    else f"{page['url']}{'&' if '?' in page['url'] else '?'}copy={copy}"
                )
                manifest.write(
                    json.dumps({"file": str(dst), "url": url, "fetched_at": page["fetched_at"]}) + "\n"
                )
                count += 1
    return count


def decoded_pages(pages: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """(page, its HTML decoded as a replay decodes it) for each page that reads; the rest left out."""
    from crawler import fixtures

    decoded = []
    for page in pages:
        try:
            body = fixtures.read_body(page["path"])
            decoded.append((page, fixtures.decoded_text(fixtures.to_response(body, page["url"]))))
        except fixtures.PageError:
            continue
    return decoded


def bare_trafilatura(pages: list[dict[str, Any]]) -> tuple[float, float]:
    """(a): wall and CPU seconds for one bare_extraction per page, in this process."""
    import trafilatura

    from pipelines.trafilatura_xpaths import uninstall

    uninstall()  # (a) is trafilatura as shipped: its own XPaths, not news-ingest's walks
    decoded = decoded_pages(pages)
    started, cpu = time.perf_counter(), time.process_time()
    for page, html in decoded:
        trafilatura.bare_extraction(html, url=page["url"], with_metadata=True)
    return time.perf_counter() - started, time.process_time() - cpu


def bare_trafilatura_fresh(corpus: Path) -> tuple[float, float]:
    """(a) in a fresh Python process: wall and CPU seconds, as :func:`bare_trafilatura`."""
    command = [sys.executable, "-m", "benchmarks.throughput", "--corpus", str(corpus), "--bare-once"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    wall, cpu = json.loads(done.stdout.splitlines()[-1])
    return wall, cpu


def tree_pids(root: int) -> list[int]:
    """`root` and all its live descendants (the forkserver's workers are grandchildren)."""
    return [root, *descendants(root)]


#: samples (every 0.2 s) between two readings of smaps_rollup
SMAPS_EVERY = 5


def memory_kb(pid: int) -> dict[str, int] | None:
    """RSS, PSS and USS (private clean + dirty) in kB of one process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # the process ended meanwhile
        return None
    fields = {}
    for line in text.splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return {"rss": fields.get("Rss", 0), "pss": fields.get("Pss", 0),
            "uss": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)}


def role(pid: int, root: int) -> str:
    """What a process of the crawl's tree is, from its command line and parent."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return "gone"
    ppid = parent(pid)
    if ppid is None:
        return "gone"
    if pid == root:
        return "crawler"
    if "resource_tracker" in cmdline:
        return "resource tracker"
    if "forkserver" in cmdline:
        return "fork server" if ppid == root else "worker"
    return "other"


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
            return sum(
                conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("articles", "failures")
            )
    except sqlite3.Error:  # tables not created yet
        return 0


def scrapy_command() -> list[str]:
    """The `scrapy` console script of this interpreter's environment, or `python -m scrapy`."""
    script = Path(sys.executable).with_name("scrapy")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "scrapy"]


def replay(folder: Path, workers: int | None, report_every: int = 0,
           settings: dict[str, str] | None = None) -> dict[str, Any]:
    """(b)/(c): `scrapy crawl replay` of `folder` into a fresh database, watched from outside."""
    db = folder / "replay.db"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    command = [*scrapy_command(), "crawl", "replay", "-a", f"path={folder / 'pages'}",
               "-a", f"manifest={folder / 'manifest.jsonl'}", "-s", f"SQLITE_PATH={db}",
               "-s", "LOG_LEVEL=INFO", "-s", "LOGSTATS_INTERVAL=2"]
    if workers is not None:
        command += ["-s", f"NEWS_EXTRACT_WORKERS={workers}"]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    started = time.perf_counter()
    with (folder / "replay.log").open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        peak = {"rss": 0, "pss": 0, "uss": 0}
        per_process: dict[int, dict[str, Any]] = {}
        next_report, samples = report_every, []
        tick = 0  # samples taken
        cpu: dict[int, float] = {}  # last CPU time seen of every process of the tree
        at_peak: dict[str, Any] = {}  # what made up the tree's highest PSS sum, and when
        # (seconds, rows) when the first row was stored and when the count last changed: the span
        # between them is the replay without its start-up (imports, the workers' warm-up) and close
        first_row: tuple[float, int] | None = None
        last_row: tuple[float, int] | None = None
        while process.poll() is None:
            if not report_every:  # synthetic copies update rows already stored: no count to watch
                rows = rows_done(db)
                if rows and (last_row is None or rows != last_row[1]):
                    last_row = (time.perf_counter() - started, rows)
                    first_row = first_row or last_row
            pids = tree_pids(process.pid)
            resident = {pid: size // 1024 for pid in pids if (size := resident_bytes(pid)) is not None}
            for pid in pids:
                cpu[pid] = max(cpu.get(pid, 0.0), cpu_seconds(pid))
                if pid not in per_process:  # the role is read once, not at every sample
                    per_process[pid] = {"role": role(pid, process.pid), "rss": 0, "uss": 0}
                per_process[pid]["rss"] = max(per_process[pid]["rss"], resident.get(pid, 0))
            peak["rss"] = max(peak["rss"], sum(resident.values()))
            done = pages_done(folder / "replay.log") if report_every else 0
            # smaps_rollup (PSS, USS) walks a process's page tables: ~2 ms a process, ~5 % of a
            # core at every sample, taken from (b) itself. Read once a second and for a report;
            # the cheap RSS of every sample sets the RSS peaks.
            full = tick % SMAPS_EVERY == 0 or bool(report_every and done >= next_report)
            tick += 1
            total = {"rss": 0, "pss": 0, "uss": 0}
            parts: list[tuple[str, int]] = []
            for pid in pids if full else ():
                mem = memory_kb(pid)
                if mem is None:
                    continue
                seen = per_process[pid]
                seen["uss"] = max(seen["uss"], mem["uss"])
                for name in total:
                    total[name] += mem[name]
                parts.append((seen["role"], mem["pss"]))
            if total["pss"] > peak["pss"]:
                at_peak = {"seconds": time.perf_counter() - started, "parts": sorted(parts)}
            for name in ("pss", "uss"):
                peak[name] = max(peak[name], total[name])
            if report_every and done >= next_report:
                samples.append((done, total["rss"], total["pss"], total["uss"]))
                print(f"    {done:6d} pages done: RSS {total['rss'] / 1024:5.0f} MB, "
                      f"PSS {total['pss'] / 1024:5.0f} MB, "
                      f"USS {total['uss'] / 1024:5.0f} MB ({time.perf_counter() - started:4.0f} s, "
                      f"load {os.getloadavg()[0]:.2f})", flush=True)
                next_report = (done // report_every + 1) * report_every
            time.sleep(0.2)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"scrapy crawl replay failed ({process.returncode}); see {folder / 'replay.log'}")
    cpu_by_role: dict[str, float] = {}
    for pid, used in cpu.items():
        name = per_process.get(pid, {}).get("role", "other")
        cpu_by_role[name] = cpu_by_role.get(name, 0.0) + used
    return {"seconds": seconds, "cpu": sum(cpu.values()), "main_cpu": cpu.get(process.pid, 0.0),
            "cpu_by_role": cpu_by_role, "peak_mb": {k: v / 1024 for k, v in peak.items()},
            "per_process": sorted(per_process.values(), key=lambda p: p["role"]),
            "done": rows_done(db), "samples": samples, "at_peak": at_peak,
            "first_row": first_row, "last_row": last_row}


def print_memory(result: dict[str, Any]) -> None:
    peak = result["peak_mb"]
    print(f"    peak over the process tree (sums at one instant): RSS {peak['rss']:.0f} MB, "
          f"PSS {peak['pss']:.0f} MB, USS {peak['uss']:.0f} MB")
    at_peak = result.get("at_peak")
    if at_peak:  # e.g. three workers at once (a recycle) or a large page in the crawl process
        print(f"    the PSS peak, at {at_peak['seconds']:.0f} s: " + ", ".join(
            f"{role} {pss / 1024:.0f}" for role, pss in at_peak["parts"]) + " MB")
    print("    each process's own peak: " + "; ".join(
        f"{p['role']} RSS {p['rss'] / 1024:.0f} / USS {p['uss'] / 1024:.0f} MB"
        for p in result["per_process"]))


def pooled_replay(label: str, folder: Path, pages: int, workers: int | None, settings: dict[str, str],
                  bare_cpu: float, rate_a: float) -> dict[str, Any]:
    """(b) or (bf): one pooled replay of the corpus's ``pages``, printed against (a)."""
    cores = os.cpu_count() or 1
    print(f"{label} scrapy crawl replay, {pages} pages, fresh database "
          f"(load {os.getloadavg()[0]:.2f}) ...", flush=True)
    result = replay(folder, workers, settings=settings)
    rate = result["rate"] = pages / result["seconds"]
    print(f"    {result['seconds']:.1f} s, {rate:.2f} pages/s; "
          f"{result['done']} pages recorded; ratio to (a) {rate / rate_a:.2f}")
    first, last = result["first_row"], result["last_row"]
    if first and last and last[0] > first[0]:
        between = (last[1] - first[1]) / (last[0] - first[0])
        result["between_ratio"] = between / rate_a
        print(f"    first row stored at {first[0]:.1f} s, the last at {last[0]:.1f} s: between them "
              f"{between:.2f} pages/s, ratio to (a) {between / rate_a:.2f}")
    print_memory(result)
    # Independent of other load on the machine: CPU a page, and the rate an idle machine
    # would reach (all cores busy, or the crawler's own process as the bottleneck).
    per_page = result["cpu"] / pages
    ceiling = bare_cpu / max(result["cpu"] / cores, result["main_cpu"])
    print(f"    CPU: {per_page * 1000:.0f} ms a page over all processes ("
          + ", ".join(f"{name} {used / pages * 1000:.1f}"
                      for name, used in sorted(result["cpu_by_role"].items()))
          + f"); idle-machine ratio to (a) <= {ceiling:.2f}, reached {rate / rate_a / ceiling:.2f} of it",
          flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="corpus folder (default ../shared/corpus or $NEWS_INGEST_CORPUS)")
    parser.add_argument("--workers", type=int,
                        help="NEWS_EXTRACT_WORKERS for the replay (default: the setting)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved (a)+(b) rounds (default 3)")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N", help="also replay N synthetic pages")
    parser.add_argument("--skip-bare", action="store_true", help="skip (a) and (b), only run --synthetic")
    parser.add_argument("--skip-inline", action="store_true",
                        help="skip (b0), the replay with NEWS_EXTRACT_WORKERS=0")
    parser.add_argument("--fast", action="store_true",
                        help="also run (bf), the replay with NEWS_EXTRACT_FAST=1 (trafilatura's fast mode)")
    parser.add_argument("--bare-in-process", action="store_true",
                        help="run (a) in this process (warm caches after the first round), not a fresh one")
    parser.add_argument("--bare-once", action="store_true", help=argparse.SUPPRESS)  # (a)'s fresh process
    args = parser.parse_args()
    pages = corpus_pages(corpus_dir(args.corpus))
    if args.bare_once:
        print(json.dumps(bare_trafilatura(pages)))
        return
    # Bytecode for the project's own modules, as an installed package has (pip compiles it): in a
    # checkout under PYTHONDONTWRITEBYTECODE=1 each (b) would compile stale ones again from source.
    for package in ("crawler", "pipelines"):
        compileall.compile_dir(ROOT / package, quiet=1)
    print(f"{os.cpu_count() or 1} CPUs; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the start", flush=True)
    with tempfile.TemporaryDirectory(prefix="news-throughput-") as tmp:
        if not args.skip_bare:
            folder = Path(tmp) / "corpus"
            build_replay_dir(pages, folder)
            rates_a, rates_b, ratios, speedups, fast_ratios, between = [], [], [], [], [], []
            for number in range(1, args.rounds + 1):
                print(f"round {number}: (a) bare trafilatura, 1 process"
                      f"{' (this one)' if args.bare_in_process else ''}, {len(pages)} pages "
                      f"(load {os.getloadavg()[0]:.2f}) ...", flush=True)
                if args.bare_in_process:
                    bare, bare_cpu = bare_trafilatura(pages)
                else:
                    bare, bare_cpu = bare_trafilatura_fresh(corpus_dir(args.corpus))
                rate_a = len(pages) / bare
                print(f"    {bare:.1f} s, {rate_a:.2f} pages/s; "
                      f"{bare_cpu / len(pages) * 1000:.0f} ms CPU a page", flush=True)
                if not args.skip_inline:
                    # The same crawl with every stage in the crawl process: what the pool buys, on
                    # the same work (b/a also counts the stages trafilatura alone does not run).
                    print(f"round {number}: (b0) scrapy crawl replay, NEWS_EXTRACT_WORKERS=0 "
                          f"(load {os.getloadavg()[0]:.2f}) ...", flush=True)
                    inline = replay(folder, 0)
                    rate_inline = len(pages) / inline["seconds"]
                    print(f"    {inline['seconds']:.1f} s, {rate_inline:.2f} pages/s; "
                          f"{inline['cpu'] / len(pages) * 1000:.0f} ms CPU a page; "
                          f"ratio b0/a {rate_inline / rate_a:.2f}", flush=True)
                result = pooled_replay(f"round {number}: (b)", folder, len(pages), args.workers, {},
                                       bare_cpu, rate_a)
                rate_b = result["rate"]
                if "between_ratio" in result:
                    between.append(result["between_ratio"])
                if not args.skip_inline:
                    speedups.append(rate_b / rate_inline)
                    print(f"    the pool's speed-up on the same work: b/b0 {rate_b / rate_inline:.2f}")
                if args.fast:
                    fast = pooled_replay(f"round {number}: (bf) NEWS_EXTRACT_FAST=1,", folder, len(pages),
                                         args.workers, {"NEWS_EXTRACT_FAST": "1"}, bare_cpu, rate_a)
                    fast_ratios.append(fast["rate"] / rate_a)
                rates_a.append(rate_a)
                rates_b.append(rate_b)
                ratios.append(rate_b / rate_a)
            print(f"median of {args.rounds} rounds: (a) {statistics.median(rates_a):.2f} pages/s, "
                  f"(b) {statistics.median(rates_b):.2f} pages/s, "
                  f"ratio b/a {statistics.median(ratios):.2f} (goal >= 1.6); "
                  + (f"b/a between the first and last row {statistics.median(between):.2f}; "
                     if between else "")
                  + (f"b/b0 {statistics.median(speedups):.2f}; " if speedups else "")
                  + (f"fast mode bf/a {statistics.median(fast_ratios):.2f}; " if fast_ratios else "") +
                  f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
        if args.synthetic:
            folder = Path(tmp) / "synthetic"
            copies = -(-args.synthetic // len(pages))
            count = build_replay_dir(pages, folder, copies=copies, total=args.synthetic)
            print(f"(c) scrapy crawl replay, {count} synthetic pages (load {os.getloadavg()[0]:.2f}) ...",
                  flush=True)
            result = replay(folder, args.workers, report_every=1000)
            print(f"    {result['seconds']:.0f} s, {count / result['seconds']:.2f} pages/s")
            print_memory(result)
            samples = result["samples"]
            if len(samples) >= 4:
                quarter = len(samples) // 4
                first = max(s[2] for s in samples[:quarter]) / 1024
                last = max(s[2] for s in samples[-quarter:]) / 1024
                print(f"    PSS: highest sample of the first quarter {first:.0f} MB, "
                      f"of the last quarter {last:.0f} MB")


if __name__ == "__main__":
    main()
