"""URL-list spider: the list file format, and `news-ingest crawl urls` with a dead link."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlite_utils import Database

from crawler.spiders.urls import UrlsSpider, read_url_file
from tests.conftest import news_ingest
from tests.site_server import (
    Page,
    SiteServer,
    article_html,
    article_path,
    article_paths,
    cli_settings,
)


def test_url_file_skips_comments_and_blanks_and_repeats(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(
        "# my list\n\nhttps://a.example/one#frag\n  https://a.example/two  \nhttps://a.example/two\n",
        encoding="utf-8",
    )
    assert read_url_file(listing) == ["https://a.example/one#frag", "https://a.example/two"]


def test_url_file_names_the_bad_line(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("https://a.example/one\nnot a url\n", encoding="utf-8")
    with pytest.raises(ValueError, match="urls.txt:2"):
        read_url_file(listing)


def test_urls_argument_and_validation() -> None:
    assert UrlsSpider(urls="https://a.example/x, https://a.example/y").url_list == [
        "https://a.example/x",
        "https://a.example/y",
    ]
    with pytest.raises(ValueError):
        UrlsSpider()
    with pytest.raises(ValueError):
        UrlsSpider(urls="a.example/x")


def test_listed_pages_are_stored_and_a_dead_link_is_a_fetch_failure(site: SiteServer, tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    base = site.base_url
    # Tracking parameters are dropped before the request is queued: one article, one row.
    listing.write_text(
        f"# two articles and a dead link\n{base}{article_path(1)}?utm_source=x\n\n"
        f"{base}{article_path(2)}\n{base}/news/gone-missing-page-here\n",
        encoding="utf-8",
    )
    db = tmp_path / "urls.db"
    result = news_ingest(
        "crawl",
        "urls",
        "-a",
        f"file={listing}",
        "-a",
        f"urls={base}{article_path(1)}",
        "--db",
        str(db),
        *cli_settings(),
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    stored = {urlsplit(r["url"]).path for r in Database(db).query("select url from articles")}
    assert stored == article_paths([1, 2])
    failures = list(Database(db)["failures"].rows)
    assert [(f["url"], f["stage"]) for f in failures] == [(f"{base}/news/gone-missing-page-here", "fetch")]
    assert "HTTP 404" in failures[0]["reason"]
    assert len(site.requests_for(article_path(1))) == 1


def test_a_live_page_decodes_as_its_replay_does_despite_a_stale_meta_charset(
    site: SiteServer, tmp_path: Path
) -> None:
    # Re-served as UTF-8 but still declaring its old charset, with no charset in the HTTP header.
    path = "/news/2024/05/09/harbour-festival-returns"
    sentence = "Grüße aus Zürich: the café on the quay reopened for the festival, said Søren Ødegård."
    html = article_html(site.base_url, path, 9, "Harbour festival returns", "2024-05-09T08:00:00+00:00",
                        extra=sentence).replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    site.pages[path] = Page(html.encode("utf-8"), content_type="text/html")
    db = tmp_path / "charset.db"
    result = news_ingest(
        "crawl", "urls", "-a", f"urls={site.base_url}{path}", "--db", str(db), *cli_settings()
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    text = next(Database(db).query("select text from articles"))["text"]
    assert sentence in text
    assert "Ã" not in text

    # Replay decodes the same bytes the same way: one decoder for both.
    saved = tmp_path / "saved" / "harbour-festival-returns.html"
    saved.parent.mkdir()
    saved.write_bytes(html.encode("utf-8"))
    replayed = tmp_path / "replay.db"
    result = news_ingest("replay", str(saved), "--db", str(replayed))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert next(Database(replayed).query("select text from articles"))["text"] == text

    # And so does a replay of the crawl's own WARC archive (its records keep the HTTP header).
    from_archive = tmp_path / "archive.db"
    result = news_ingest("replay", str(tmp_path / "warc"), "--db", str(from_archive))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert next(Database(from_archive).query("select text from articles"))["text"] == text
