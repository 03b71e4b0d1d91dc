"""Raw WARC archive of live crawls: written per run, replayed offline, reprocessed into the same rows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from crawler import archive
from crawler.reprocess import diff_rows
from pipelines.store import CONTENT_FIELDS
from tests.conftest import news_ingest, scrapy_crawl
from tests.site_server import LIVE_TEST_SETTINGS, SiteServer, cli_settings, start_site

COMPARED = (
    *CONTENT_FIELDS,
    "url",
    "fetched_at",
    "etag",
    "last_modified",
    "word_count",
    "content_hash",
    "record_hash",
    "published_source",
    "authors_source",
)


def write(path: Path, records: list[tuple[str, int, str, bytes, str]]) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, status, kind, body, at in records:
            archive.write_response(
                writer, url, status, [("Content-Type", kind), ("ETag", '"e1"')], body, at, {"title": "hinted"}
            )


def test_latest_pages_keeps_the_newest_html_200_per_url(tmp_path: Path) -> None:
    html = "text/html; charset=utf-8"
    write(
        tmp_path / "a-20240501T000000Z-1.warc.gz",
        [
            (
                "https://a.example/one-story-here-now",
                200,
                html,
                b"<html>old</html>",
                "2024-05-01T10:00:00+00:00",
            ),
            (
                "https://a.example/feed.xml",
                200,
                "application/rss+xml",
                b"<rss/>",
                "2024-05-01T10:00:00+00:00",
            ),
            (
                "https://b.example/other-story-here-now",
                200,
                html,
                b"<html>b</html>",
                "2024-05-01T10:00:00+00:00",
            ),
        ],
    )
    write(
        tmp_path / "a-20240502T000000Z-1.warc.gz",
        [
            (
                "https://a.example/one-story-here-now",
                200,
                html,
                b"<html>new</html>",
                "2024-05-02T10:00:00+00:00",
            ),
            ("https://a.example/gone-story-here-now", 404, html, b"gone", "2024-05-02T10:00:00+00:00"),
        ],
    )
    files = archive.warc_files(tmp_path)
    pages = {p.url: p for p in archive.latest_pages(files)}
    assert set(pages) == {"https://a.example/one-story-here-now", "https://b.example/other-story-here-now"}
    newest = pages["https://a.example/one-story-here-now"]
    assert (newest.body, newest.fetched_at) == (b"<html>new</html>", "2024-05-02T10:00:00+00:00")
    assert newest.headers["ETag"] == '"e1"' and newest.hints == {"title": "hinted"}
    assert [p.url for p in archive.latest_pages(files, site="b.example")] == [
        "https://b.example/other-story-here-now"
    ]
    assert [p.url for p in archive.latest_pages(files, since="2024-05-02T00:00:00+00:00")] == [
        "https://a.example/one-story-here-now"
    ]


def test_diff_rows_counts_changes_per_column() -> None:
    before = {
        "u1": {"url": "u1", "title": "A", "text": "x", "record_hash": "1"},
        "u2": {"url": "u2", "title": "B", "text": "y", "record_hash": "2"},
    }
    after = {
        "u1": {"url": "u1", "title": "A", "text": "x", "record_hash": "1"},
        "u2": {"url": "u2", "title": "B!", "text": "y2", "record_hash": "3"},
        "u3": {"url": "u3", "title": "C", "text": "z", "record_hash": "4"},
    }
    new, changed, fields = diff_rows(before, after)
    assert (new, changed, dict(fields)) == (1, 1, {"title": 1, "text": 1})


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, Path]]:
    server = start_site()
    db = tmp_path_factory.mktemp("archive") / "news.db"
    result = scrapy_crawl(
        "feed", db, f"url={server.base_url}/rss.xml,{server.base_url}/atom.xml", settings=LIVE_TEST_SETTINGS
    )
    assert result.returncode == 0, result.stderr[-3000:]
    yield server, db
    server.stop()


def rows(db: Path) -> dict[str, tuple]:
    return {r["url"]: tuple(r[c] for c in COMPARED) for r in Database(db)["articles"].rows}


def test_every_response_is_archived_with_headers(crawled: tuple[SiteServer, Path]) -> None:
    server, db = crawled
    files = archive.warc_files(db.parent / "warc")
    assert len(files) == 1 and files[0].name.startswith("feed-")
    with files[0].open("rb") as handle:
        records = [
            (
                r.rec_headers.get_header("WARC-Target-URI"),
                r.http_headers.get_statuscode(),
                r.http_headers.get_header("ETag"),
                r.content_stream().read(),
            )
            for r in ArchiveIterator(handle)
            if r.rec_type == "response"
        ]
    urls = {url.removeprefix(server.base_url) for url, *_ in records}
    assert urls >= {"/robots.txt", "/rss.xml", "/atom.xml"}
    assert len(records) == 3 + 5  # robots, two feeds, five articles
    for url, status, etag, body in records:
        page = server.pages[url.removeprefix(server.base_url)]
        assert (status, etag, body) == ("200", page.etag, page.body)


def test_replaying_the_archive_reproduces_the_rows(crawled: tuple[SiteServer, Path], tmp_path: Path) -> None:
    _, db = crawled
    copy = tmp_path / "replayed.db"
    result = scrapy_crawl("replay", copy, f"path={db.parent / 'warc'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert rows(copy) == rows(db)
    assert not (tmp_path / "warc").exists()  # a replay downloads nothing, so archives nothing


def test_reprocess_over_the_archive_changes_nothing(crawled: tuple[SiteServer, Path]) -> None:
    server, db = crawled
    before = rows(db)
    server.clear_log()
    result = news_ingest("reprocess", "--db", str(db), *cli_settings())
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "Articles compared: 5; new: 0; changed: 0." in result.stdout
    assert "0 inserted, 0 updated, 5 unchanged" in result.stdout
    assert rows(db) == before
    assert not server.log  # no network


def test_reprocess_reports_changed_fields(crawled: tuple[SiteServer, Path]) -> None:
    _, db = crawled
    database = Database(db)
    url = next(iter(rows(db)))
    # Pretend an older pipeline stored a worse title: the reprocess puts the current one back.
    database.execute("update articles set title = 'stale', record_hash = 'old' where url = ?", [url])
    database.conn.commit()
    result = news_ingest("reprocess", "--db", str(db), "--since", "2000-01-01", *cli_settings())
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "changed: 1." in result.stdout and "  title: 1" in result.stdout
    assert Database(db)["versions"].count == 1


def test_reprocess_without_archive_is_a_usage_error(tmp_path: Path) -> None:
    result = news_ingest("reprocess", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 1 and "no WARC files" in result.stderr


def test_write_response_drops_transfer_encoding() -> None:
    buffer = io.BytesIO()
    archive.write_response(
        WARCWriter(buffer, gzip=False),
        "https://a.example/x",
        200,
        [("Transfer-Encoding", "chunked"), ("Content-Type", "text/html")],
        b"<p>hi</p>",
        "2024-05-01T00:00:00+00:00",
    )
    buffer.seek(0)
    record = next(iter(ArchiveIterator(buffer)))
    assert record.http_headers.get_header("Transfer-Encoding") is None
    assert record.content_stream().read() == b"<p>hi</p>"
    assert record.rec_headers.get_header("WARC-Date") == "2024-05-01T00:00:00Z"
