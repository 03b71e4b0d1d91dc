"""URL-list spider: the list file format, and `news-ingest crawl urls` with a dead link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlite_utils import Database

from crawler.spiders.urls import UrlsSpider, read_url_file
from tests.conftest import news_ingest
from tests.site_server import SiteServer, article_path, article_paths, cli_settings, start_site


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


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    server = start_site()
    yield server
    server.stop()


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
