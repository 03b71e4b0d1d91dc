"""`scrapy crawl replay` end to end, in a subprocess, into a fresh database."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.conftest import PAGES, ROOT, scrapy_crawl

SEED = PAGES / "theduran.com" / "lavrov-confirms-russia-rejected-kerry-offer.html"

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Ferry timetable cut for winter | Island Courier</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Island Courier">
<meta property="article:published_time" content="2024-11-02T07:15:00+00:00">
<meta name="author" content="Morag Campbell"></head>
<body><header><nav><a href="/">Home</a><a href="/news">News</a><a href="/sport">Sport</a></nav></header>
<main><article><h1>Ferry timetable cut for winter</h1>
<p>The ferry operator will cut the winter timetable to two sailings a day from December, the company
confirmed on Friday, leaving island businesses worried about deliveries during the busiest weeks.</p>
<p>Councillors said they had not been consulted and would ask the transport minister to intervene before
the changes take effect, pointing to the effect on pupils who travel to the mainland for school.</p>
<p>The operator blamed a shortage of crew and the age of its vessels, two of which are due for repairs
this winter, and promised to restore the full service as soon as the ships return.</p>
</article></main><footer><p>Island Courier, Harbour Street. All rights reserved.</p></footer></body></html>"""

SECTION_FRONT = """<!DOCTYPE html><html lang="en"><head><title>News | Island Courier</title>
<meta property="og:type" content="website"></head><body><nav><a href="/">Home</a></nav><main>
<ul>""" + "".join(f'<li><a href="/news/story-{i}">Story number {i} headline</a></li>' for i in range(15)) + \
    """</ul></main><footer>Island Courier</footer></body></html>"""


def make_pages(folder: Path) -> None:
    (folder / "good").mkdir(parents=True)
    (folder / "bad").mkdir()
    (folder / "good" / "ferry.html").write_text(ARTICLE, encoding="utf-8")
    (folder / "bad" / "section.html").write_text(SECTION_FRONT, encoding="utf-8")
    (folder / "bad" / "empty.html").write_bytes(b"")
    (folder / "bad" / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    whole = gzip.compress(ARTICLE.encode() * 3)
    (folder / "bad" / "cut.html.gz").write_bytes(whole[: len(whole) // 2])
    (folder / "bad" / "sitemap.html").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset><url><loc>https://a/</loc></url></urlset>')


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("pages")
    make_pages(folder)
    db = folder / "out.db"
    result = scrapy_crawl("replay", db, f"path={folder}")
    return folder, db, result.stderr


def test_run_finishes_and_stores_the_good_page(replayed: tuple[Path, Path, str]) -> None:
    folder, db, log = replayed
    rows = list(Database(db)["articles"].rows)
    assert [r["title"] for r in rows] == ["Ferry timetable cut for winter"], log[-2000:]
    assert "Traceback" not in log


def test_file_uri_when_no_url_is_known(replayed: tuple[Path, Path, str]) -> None:
    folder, db, _ = replayed
    row = next(Database(db)["articles"].rows)
    assert row["url"] == (folder / "good" / "ferry.html").resolve().as_uri()
    assert row["source"] == str(folder / "good" / "ferry.html")


@pytest.mark.parametrize(
    ("name", "stage", "words"),
    [
        ("section.html", "extract", "no article found"),
        ("empty.html", "decode", "empty"),
        ("image.html", "decode", "binary"),
        ("cut.html.gz", "decode", "truncated"),
        ("sitemap.html", "decode", "sitemap"),
    ],
)
def test_each_bad_file_is_one_failure_row(replayed: tuple[Path, Path, str], name: str, stage: str,
                                          words: str) -> None:
    folder, db, _ = replayed
    rows = list(Database(db)["failures"].rows_where("source = ?", [str(folder / "bad" / name)]))
    assert len(rows) == 1
    assert rows[0]["stage"] == stage
    assert words in rows[0]["reason"]


def test_crawl_run_recorded(replayed: tuple[Path, Path, str]) -> None:
    _, db, _ = replayed
    run = next(Database(db)["crawl_runs"].rows)
    assert run["spider"] == "replay"
    assert run["finish_reason"] == "finished"
    assert (run["pages_seen"], run["inserted"], run["failures"]) == (6, 1, 5)
    assert run["started_at"] <= run["finished_at"]
    assert json.loads(run["args"])["path"]


def test_rerun_is_idempotent(tmp_path: Path) -> None:
    make_pages(tmp_path)
    db = tmp_path / "out.db"
    for _ in range(2):
        result = scrapy_crawl("replay", db, f"path={tmp_path}/good")
        assert result.returncode == 0, result.stderr[-2000:]
    database = Database(db)
    assert database["articles"].count == 1
    runs = list(database["crawl_runs"].rows)
    assert [(r["inserted"], r["unchanged"]) for r in runs] == [(1, 0), (0, 1)]


def test_manifest_gives_the_original_url(tmp_path: Path) -> None:
    make_pages(tmp_path)
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(json.dumps({"file": "good/ferry.html", "url": "https://courier.example/news/ferry",
                                    "fetched_at": "2024-11-02T10:00:00Z"}) + "\n")
    db = tmp_path / "out.db"
    scrapy_crawl("replay", db, f"path={tmp_path}/good", f"manifest={manifest}")
    row = next(Database(db)["articles"].rows)
    assert row["url"] == "https://courier.example/news/ferry"
    assert row["fetched_at"] == "2024-11-02T10:00:00+00:00"
    assert row["published"] == "2024-11-02T07:15:00+00:00"


def test_page_canonical_link_wins_over_file_location(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "saved.html")  # no sidecar beside the copy
    db = tmp_path / "out.db"
    scrapy_crawl("replay", db, f"path={tmp_path / 'saved.html'}")
    row = next(Database(db)["articles"].rows)
    assert row["url"] == "https://theduran.com/lavrov-confirms-russia-rejected-kerry-offer/"


def _last_verdict_to_close(tmp_path: Path, spider: str, settings: dict[str, str] | None = None) -> float:
    """Seconds from the last page's verdict (stored or dropped) to the spider's close, replaying
    the 6 fixture pages with one extraction worker."""
    result = scrapy_crawl(
        spider, tmp_path / "a.db", f"path={PAGES}",
        settings={"NEWS_EXTRACT_WORKERS": "1", "LOG_LEVEL": "DEBUG",
                  "LOG_FORMAT": "%(created).3f [%(name)s] %(message)s", **(settings or {})},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    verdicts = re.findall(r"^([\d.]+) \[scrapy\.core\.scraper\] (?:Stored|Dropped)", result.stderr, re.M)
    closing = re.search(r"^([\d.]+) \[scrapy\.core\.engine\] Closing spider", result.stderr, re.M)
    assert len(verdicts) == 6 and closing, result.stderr[-2000:]
    return float(closing.group(1)) - float(verdicts[-1])


def test_the_run_ends_when_the_last_page_is_stored(tmp_path: Path) -> None:
    # Items from start() bring no response, after which Scrapy looks whether the spider is idle;
    # without the replay spider's own look the run idled until the engine's 5-second heartbeat
    # (heartbeats fall at 0, 5, 10 s after the spider opens). With a worker pool, as in a real
    # run: extraction in the crawl's own process ends each item before start() goes on. Timed
    # from the last page's verdict to the close, so the pool's start-up (seconds on a slow
    # machine) does not count.
    assert _last_verdict_to_close(tmp_path, "replay") < 1.0


def test_the_last_item_ends_the_run_without_waiting_for_a_periodic_look(tmp_path: Path) -> None:
    # The periodic look (every CLOSE_RECHECK_SECONDS) is switched off in this spider: the
    # look that follows the last item alone must end the run, not the engine's heartbeat.
    seconds = _last_verdict_to_close(tmp_path, "replay-nolook", {"SPIDER_MODULES": "tests.spiders_testonly"})
    assert seconds < 0.5  # without it: at the heartbeat, ~4 s


def test_a_replay_imports_no_network_or_switched_off_component(tmp_path: Path) -> None:
    # Start-up cost (each ~0.13-0.15 s of CPU a run): Scrapy imports every component it lists,
    # even a disabled one, so the remote control's aiohttp and, in a replay, which downloads
    # nothing, the HTTP download handler (also imported by the retry middleware) stay unlisted.
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "ferry.html").write_text(ARTICLE, encoding="utf-8")
    heavy = ("aiohttp", "scrapy.core.downloader.handlers.http11", "scrapy.extensions.remote_control")
    code = ("import atexit, sys\n"
            f"atexit.register(lambda: print('LOADED', [m for m in {heavy!r} if m in sys.modules]))\n"
            "from scrapy.cmdline import execute\n"
            f"execute(['scrapy', 'crawl', 'replay', '-a', 'path={folder}', "
            f"'-s', 'SQLITE_PATH={tmp_path / 'a.db'}', '-s', 'NEWS_EXTRACT_WORKERS=0'])\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "LOADED []" in result.stdout, result.stdout
    assert Database(tmp_path / "a.db")["articles"].count == 1
