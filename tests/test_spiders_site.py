"""Site spider: which pages are articles, and `scrapy crawl site` following links on a local site."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse
from sqlite_utils import Database

from crawler.spiders.site import SiteSpider, is_article_page
from tests.conftest import scrapy_crawl
from tests.site_server import LIVE_TEST_SETTINGS, PRIVATE_PATH, SiteServer, article_paths

U = "https://paper.example"


def page(head: str = "") -> str:
    return f"<html><head>{head}</head><body><p>text</p></body></html>"


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        (page('<meta property="og:type" content="article">'), U + "/x", (True, "og:type")),
        (
            page('<script type="application/ld+json">{"@type": "NewsArticle"}</script>'),
            U + "/x",
            (True, "jsonld"),
        ),
        (
            page(
                '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
                '{"@type": "BlogPosting"}]}'
                "</script>"
            ),
            U + "/x",
            (True, "jsonld"),
        ),
        (
            page('<meta property="article:published_time" content="2024-01-01">'),
            U + "/x",
            (True, "published_time"),
        ),
        (
            page('<meta property="og:type" content="website">'),
            U + "/2024/05/01/a-dated-story",
            (False, "declared-not-article"),
        ),
        (
            page('<script type="application/ld+json">{"@type": "CollectionPage"}</script>'),
            U + "/news/",
            (False, "declared-not-article"),
        ),
        (page(), U + "/", (False, "url-list")),
        (page(), U + "/tag/ferries", (False, "url-list")),
        (page(), U + "/category/news/council-cuts-ferry-timetable", (False, "url-list")),
        (page(), U + "/privacy-policy", (False, "url-list")),
        (page(), U + "/contact", (False, "url-list")),
        (page(), U + "/2024/05/01/ferries", (True, "url-shape")),
        (page(), U + "/news/council-cuts-winter-ferry-timetable", (True, "url-shape")),
        (page(), U + "/news/", (False, "no-signal")),
        (page(), U + "/sport/football", (False, "no-signal")),
    ],
)
def test_is_article_page(html: str, url: str, expected: tuple[bool, str]) -> None:
    assert is_article_page(html, url) == expected
    # the crawl hands over the tree Scrapy parsed for its link extractor: same verdict
    tree = HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8").selector.root
    assert is_article_page(tree, url) == expected


@pytest.mark.parametrize("args", [{}, {"url": U, "depth": "two"}, {"url": U, "allow": "(unclosed"}])
def test_bad_arguments_fail_at_construction(args: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        SiteSpider(**args)


def test_site_crawl_stores_only_articles(site: SiteServer, tmp_path: Path) -> None:
    site.clear_log()
    db = tmp_path / "site.db"
    result = scrapy_crawl("site", db, f"url={site.base_url}/", settings=LIVE_TEST_SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]
    stored = {urlsplit(r["url"]).path for r in Database(db).query("select url from articles")}
    assert stored == article_paths(range(1, 6))
    # Home, section, tag and contact pages were crawled for links, not stored, not failures.
    assert {"/", "/news/", "/tag/local", "/contact"} <= {r.path for r in site.log}
    assert Database(db)["failures"].count == 0
    stats = json.loads(next(Database(db).query("select stats from crawl_runs"))["stats"])
    assert stats["news/site/not_article"] == 4
    # The home page links to /private/; robots.txt disallows it.
    assert not site.requests_for(PRIVATE_PATH)


def test_deny_and_depth_limit_the_crawl(site: SiteServer, tmp_path: Path) -> None:
    site.clear_log()
    db = tmp_path / "deny.db"
    result = scrapy_crawl(
        "site", db, f"url={site.base_url}/", "deny=/tag/,/contact", "depth=1", settings=LIVE_TEST_SETTINGS
    )
    assert result.returncode == 0, result.stderr[-3000:]
    paths = {r.path for r in site.log}
    assert "/tag/local" not in paths and "/contact" not in paths
    # Depth 1: the home page's links only (article 1 and the section page), not the section's links.
    stored = {urlsplit(r["url"]).path for r in Database(db).query("select url from articles")}
    assert stored == article_paths([1])
