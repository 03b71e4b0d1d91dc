"""Saved pages -> responses: discovery, origin (sidecar / manifest), bytes, decoding, bad input."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler import fixtures
from crawler.fixtures import PageError
from crawler.manifest import load_manifest
from crawler.spiders.replay import ReplaySpider

HTML = "<html><head><title>T</title></head><body><p>„Zitat“ – it’s fine</p></body></html>"


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_find_pages_folder_recursive_sorted(tmp_path: Path) -> None:
    for name in ("b/2.html", "a/1.htm", "a/3.html.gz", "a/skip.json", "c.txt"):
        write(tmp_path / name, b"<p>x</p>")
    found = [source for _, source in fixtures.find_pages(str(tmp_path))]
    assert found == [str(tmp_path / "a/1.htm"), str(tmp_path / "a/3.html.gz"), str(tmp_path / "b/2.html")]


def test_find_pages_glob_and_single_file(tmp_path: Path) -> None:
    write(tmp_path / "x/1.html", b"<p>x</p>")
    write(tmp_path / "y/2.html", b"<p>x</p>")
    assert len(list(fixtures.find_pages(str(tmp_path / "*/*.html")))) == 2
    assert [s for _, s in fixtures.find_pages(str(tmp_path / "x/1.html"))] == [str(tmp_path / "x/1.html")]
    with pytest.raises(FileNotFoundError):
        list(fixtures.find_pages(str(tmp_path / "nothing-*.html")))


def test_sidecar_and_manifest(tmp_path: Path) -> None:
    page = write(tmp_path / "site/story.html.gz", gzip.compress(HTML.encode()))
    (tmp_path / "site/story.json").write_text(json.dumps(
        {"url": "https://side.example/story", "fetched_at": "2024-01-02T03:04:05Z",
         "headers": {"Content-Type": "text/html; charset=utf-8"}}))
    described = fixtures.describe(page, "site/story.html.gz")
    assert described.url == "https://side.example/story"
    assert described.headers["Content-Type"].startswith("text/html")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"file": "site/story.html.gz", "url": "https://m.example/s"}) + "\n")
    described = fixtures.describe(page, "x", load_manifest(manifest).get(page.resolve()))
    assert described.url == "https://m.example/s"  # the manifest wins
    assert described.fetched_at == "2024-01-02T03:04:05Z"  # the sidecar still fills the rest


def test_bad_manifest_fails_early(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"file": "a.html"}\n')
    with pytest.raises(ValueError, match="needs 'file' and 'url'"):
        load_manifest(manifest)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" * 20, "binary"),
        (b'<?xml version="1.0"?><urlset xmlns="x"><url><loc>a</loc></url></urlset>', "sitemap"),
        (b"<?xml version='1.0'?><rss version='2.0'><channel></channel></rss>", "feed"),
        (b"2024-01-01 12:00 GET /index 200\n2024-01-01 12:01 GET /a 404\n", "no HTML markup"),
    ],
)
def test_check_markup_rejects_non_html(data: bytes, reason: str) -> None:
    with pytest.raises(PageError, match=reason) as caught:
        fixtures.check_markup(data)
    assert caught.value.stage == "decode"


def test_truncated_and_corrupt_gzip(tmp_path: Path) -> None:
    whole = gzip.compress(HTML.encode() * 50)
    truncated = write(tmp_path / "t.html.gz", whole[: len(whole) // 2])
    with pytest.raises(PageError, match="truncated"):
        fixtures.read_body(truncated)
    corrupt = write(tmp_path / "c.html.gz", whole[:10] + b"\x00garbage" * 20)
    with pytest.raises(PageError, match="corrupt|truncated"):
        fixtures.read_body(corrupt)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'<meta charset="windows-1252">' + HTML.encode("cp1252"), {}),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            + HTML.encode("cp1252"),
            {"Content-Type": "text/html"},
        ),
        (HTML.encode("cp1252"), {"Content-Type": "text/html; charset=windows-1252"}),
        (b"\xef\xbb\xbf" + HTML.encode("utf-8"), {}),
        (HTML.encode("utf-8"), {}),
    ],
)
def test_decoding_keeps_curly_quotes(body: bytes, headers: dict[str, str]) -> None:
    response = fixtures.to_response(body, "https://a.example/", headers)
    text = fixtures.decoded_text(response)
    assert "„Zitat“ – it’s fine" in text


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        # re-saved as UTF-8, the old <meta> kept: the bytes win
        ('<meta charset="iso-8859-1"><p>Crónica: sólo él</p>'.encode(), {}, "Crónica: sólo él"),
        ('<meta charset="gb2312"><p>新华社北京4月24日电</p>'.encode(), {}, "新华社北京4月24日电"),
        # really Latin-1: not valid UTF-8, so the <meta> is obeyed
        ('<meta charset="iso-8859-1"><p>Crónica: sólo él</p>'.encode("latin-1"), {}, "Crónica: sólo él"),
        # the server's charset is obeyed even over valid UTF-8 bytes
        ("<p>é</p>".encode(), {"Content-Type": "text/html; charset=iso-8859-1"}, "Ã©"),
    ],
)
def test_utf8_bytes_win_over_a_stale_meta_charset(
    body: bytes, headers: dict[str, str], expected: str
) -> None:
    response = fixtures.to_response(body, "https://a.example/", headers)
    assert expected in fixtures.decoded_text(response)


def test_utf8_page_served_with_another_multibyte_charset_is_read_as_utf8() -> None:
    # the HTTP header is obeyed while it decodes; here it leaves mostly garbage
    body = "<p>대전 시내버스 노선 개편</p>".encode() * 20
    response = fixtures.to_response(body, "https://a.example/", {"Content-Type": "text/html; charset=euc-kr"})
    assert response.text.count("\ufffd") > 20  # the declared charset does not fit the bytes
    assert "대전 시내버스 노선 개편" in fixtures.decoded_text(response)


@pytest.mark.parametrize(
    ("body", "headers", "once"),
    [
        (HTML.encode("utf-8"), {}, True),  # undeclared: Scrapy infers UTF-8 (ASCII if it can)
        (b"<p>plain ascii</p>", {}, True),
        (b'<meta charset="utf-8">' + HTML.encode("utf-8"), {}, True),
        (HTML.encode("utf-8"), {"Content-Type": "text/html; charset=UTF-8"}, True),
        (b"\xef\xbb\xbf" + HTML.encode("utf-8"), {}, False),  # a BOM: Scrapy's way strips it
        (b'<meta charset="windows-1252">' + HTML.encode("cp1252"), {}, False),
        (HTML.encode("cp1252"), {}, False),  # not UTF-8: Scrapy infers the charset
        ("<p>é</p>".encode(), {"Content-Type": "text/html; charset=iso-8859-1"}, False),
    ],
)
def test_a_utf8_page_is_decoded_once_as_scrapy_would(
    body: bytes, headers: dict[str, str], once: bool
) -> None:
    response = fixtures.to_response(body, "https://a.example/", headers)
    text = fixtures.decoded_text(response)
    # Scrapy's own decoding did not run where the single UTF-8 decode gives its answer
    assert (response._cached_ubody is None) is once  # noqa: SLF001
    assert text == fixtures.to_response(body, "https://a.example/", headers).text


def test_undecodable_page_is_reported() -> None:
    body = b'<meta charset="utf-8"><p>' + bytes(range(128, 256)) * 40 + b"</p>"
    response = fixtures.to_response(body, "https://a.example/")
    with pytest.raises(PageError, match="could not be decoded"):
        fixtures.decoded_text(response)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024-01-02T03:04:05Z", "2024-01-02T03:04:05+00:00"),
     ("2024-01-02 05:04:05+02:00", "2024-01-02T03:04:05+00:00"),
     ("2024-01-02", "2024-01-02T00:00:00+00:00")],
)
def test_iso_utc(value: str, expected: str) -> None:
    assert fixtures.iso_utc(value) == expected


def test_a_manifest_is_looked_up_from_disk_not_held_in_memory(tmp_path: Path) -> None:
    """20,000 lines: a dict of them would hold ~18 MB (89 MB measured for
    100,000) for the whole replay; the lookup table holds next to none."""
    manifest = tmp_path / "m.jsonl"
    with manifest.open("w", encoding="utf-8") as out:
        for n in range(20_000):
            out.write(json.dumps({"file": f"pages/{n:05d}_some-article-title.html",
                                  "url": f"https://news.example/politics/2024/{n}/some-article-title",
                                  "fetched_at": "2024-05-01T12:00:00+00:00"}) + "\n")
        # a later line for the same file wins, as it would in a dict
        out.write(json.dumps({"file": "pages/00007_some-article-title.html",
                              "url": "https://news.example/7b"}) + "\n")
    # In a fresh interpreter: in the test process, whatever else allocates meanwhile counts too
    # (3.8 MB traced in one full-suite run).
    measure = ("import sys, tracemalloc; from crawler.manifest import load_manifest; tracemalloc.start(); "
               "entries = load_manifest(sys.argv[1]); print(tracemalloc.get_traced_memory()[0])")
    held = int(subprocess.run([sys.executable, "-c", measure, str(manifest)], capture_output=True, text=True,
                              check=True, cwd=Path(__file__).resolve().parents[1]).stdout)
    assert held < 2 * 2**20
    entries = load_manifest(manifest)
    page = (tmp_path / "pages/00042_some-article-title.html").resolve()
    assert entries.get(page) == {"url": "https://news.example/politics/2024/42/some-article-title",
                                 "fetched_at": "2024-05-01T12:00:00+00:00"}
    assert entries.get((tmp_path / "pages/00007_some-article-title.html").resolve()) == {
        "url": "https://news.example/7b", "fetched_at": None}
    assert entries.get(tmp_path / "pages/missing.html") is None
    entries.close()


def test_the_replay_closes_its_manifest_when_the_spider_closes(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<html><body><p>a</p></body></html>", encoding="utf-8")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"file": "a.html", "url": "https://news.example/a"}) + "\n")
    crawler = get_crawler(ReplaySpider)
    spider = ReplaySpider.from_crawler(crawler, path=str(tmp_path), manifest=str(manifest))
    assert spider.manifest.get((tmp_path / "a.html").resolve()) == {"url": "https://news.example/a",
                                                                     "fetched_at": None}
    crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")
    with pytest.raises(sqlite3.ProgrammingError):  # closed: its temporary database is gone
        spider.manifest.get((tmp_path / "a.html").resolve())
