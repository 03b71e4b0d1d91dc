"""Sitemap spider: index / news sitemap parsing (safely), since filter, `scrapy crawl sitemap` live."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sqlite_utils import Database

from crawler.spiders.sitemap import SitemapEntry, is_recent, parse_sitemap
from tests.conftest import scrapy_crawl
from tests.site_server import (
    LIVE_TEST_SETTINGS,
    OLD_PATH,
    PRIVATE_PATH,
    SiteServer,
    article_path,
    article_paths,
    news_sitemap,
    stored_paths,
)

BASE = "http://127.0.0.1:8000"


def test_news_sitemap_keeps_news_title_and_date() -> None:
    kind, entries = parse_sitemap(news_sitemap(BASE, [2]).encode(), BASE + "/s.xml")
    assert kind == "urlset"
    assert entries == [
        SitemapEntry(
            loc=BASE + article_path(2),
            lastmod="2024-05-02T09:00:00+00:00",
            news_title="Sitemap title 2",
            news_date="2024-05-02T09:00:00+00:00",
        )
    ]
    assert entries[0].hints() == {"title": "Sitemap title 2", "published": "2024-05-02T09:00:00+00:00"}


def test_index_and_gzip() -> None:
    body = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/a.xml</loc>'
        b"<lastmod>2024-01-02</lastmod></sitemap></sitemapindex>"
    )
    assert parse_sitemap(gzip.compress(body), BASE + "/i.xml") == (
        "index",
        [SitemapEntry(loc=BASE + "/a.xml", lastmod="2024-01-02")],
    )


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a.test/p&x;</loc></url>'
        "</urlset>"
    ).encode()
    _, entries = parse_sitemap(body, BASE)
    assert all("TOPSECRET" not in e.loc for e in entries)


@pytest.mark.parametrize("body", [b"<html><body>no</body></html>", b"", b"\x00\x01 binary"])
def test_non_sitemaps_raise(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse_sitemap(body, BASE)


@pytest.mark.parametrize(
    ("lastmod", "news_date", "since", "kept"),
    [
        ("2024-05-01", "", "2024-04-30T00:00:00+00:00", True),
        ("2024-05-01", "", "2024-05-02T00:00:00+00:00", False),
        ("", "2024-05-03T09:00:00+02:00", "2024-05-03T08:00:00+00:00", False),
        ("", "2024-05-03T09:00:00+02:00", "2024-05-03T07:00:00+00:00", True),
        ("", "", "2024-05-02T00:00:00+00:00", True),  # undated: kept
        ("not a date", "", "2024-05-02T00:00:00+00:00", True),  # unreadable: kept
        ("2020-01-01", "", "", True),  # no since: everything
    ],
)
def test_since_filter(lastmod: str, news_date: str, since: str, kept: bool) -> None:
    assert is_recent(SitemapEntry(loc="x", lastmod=lastmod, news_date=news_date), since) is kept


def test_robots_txt_leads_to_every_listed_article(site: SiteServer, tmp_path: Path) -> None:
    site.clear_log()
    db = tmp_path / "sitemap.db"
    result = scrapy_crawl("sitemap", db, f"url={site.base_url}/robots.txt", settings=LIVE_TEST_SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert stored_paths(db) == article_paths(range(1, 6)) | {OLD_PATH}
    assert not site.requests_for(PRIVATE_PATH)
    assert Database(db)["failures"].count == 0


def test_since_skips_old_sitemaps_and_entries(site: SiteServer, tmp_path: Path) -> None:
    site.clear_log()
    db = tmp_path / "since.db"
    result = scrapy_crawl(
        "sitemap",
        db,
        f"url={site.base_url}/sitemap_index.xml",
        "since=2024-01-01",
        settings=LIVE_TEST_SETTINGS,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert stored_paths(db) == article_paths(range(1, 6))
    assert not site.requests_for("/sitemap-2020.xml")
    assert not site.requests_for(OLD_PATH)
    stats = json.loads(next(Database(db).query("select stats from crawl_runs"))["stats"])
    assert stats["news/sitemap/too_old"] == 1
