"""Feed spider: RSS 2.0, Atom and JSON Feed parsing, and `scrapy crawl feed` against a local site."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from crawler.spiders.feed import FeedError, FeedSpider, parse_feed
from tests.conftest import scrapy_crawl
from tests.site_server import (
    LIVE_TEST_SETTINGS,
    PRIVATE_PATH,
    SiteServer,
    article_path,
    article_paths,
    atom,
    author_name,
    json_feed,
    rss,
    stored_paths,
)

BASE = "http://127.0.0.1:8000"


def test_rss_entries_carry_title_date_and_author_hints() -> None:
    entries = parse_feed(rss(BASE, [1, 2]).encode(), BASE + "/rss.xml")
    assert [e.url for e in entries] == [BASE + article_path(1), BASE + article_path(2)]
    assert entries[0].title == "Feed title 1"
    assert entries[0].published == "Wed, 01 May 2024 09:00:00 GMT"
    assert entries[0].authors == [author_name(1)]


def test_atom_entries() -> None:
    entries = parse_feed(atom(BASE, [3]).encode(), BASE + "/atom.xml")
    assert [(e.url, e.title, e.published, e.authors) for e in entries] == [
        (BASE + article_path(3), "Atom title 3", "2024-05-03T09:00:00Z", [author_name(3)])
    ]


def test_json_feed_entries() -> None:
    entries = parse_feed(json_feed(BASE, [2]).encode(), BASE + "/feed.json")
    assert [(e.url, e.title, e.published, e.authors) for e in entries] == [
        (BASE + article_path(2), "JSON title 2", "2024-05-02T09:00:00Z", [author_name(2)])
    ]


@pytest.mark.parametrize(
    ("body", "modified"),
    [
        # RSS pubDate is a publication date: feedparser would offer it as "updated"; it must not count
        (rss(BASE, [1]).encode(), ""),
        (
            b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title><item>'
            b"<link>/a/b-c-d-e</link><pubDate>Wed, 01 May 2024 09:00:00 GMT</pubDate>"
            b"<atom:updated>2024-05-03T10:00:00+02:00</atom:updated></item></channel></rss>",
            "2024-05-03T08:00:00+00:00",
        ),
        (
            b'<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/"><channel><title>t</title><item>'
            b"<link>/a/b-c-d-e</link><pubDate>Wed, 01 May 2024 09:00:00 GMT</pubDate>"
            b"<dcterms:modified>2024-05-04T10:00:00Z</dcterms:modified></item></channel></rss>",
            "2024-05-04T10:00:00+00:00",
        ),
        (atom(BASE, [3]).encode(), "2024-05-03T09:00:00+00:00"),
        (json_feed(BASE, [2]).encode(), ""),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "/a/b-c-d-e", '
            b'"date_published": "2024-05-01T09:00:00Z", "date_modified": "2024-05-04T09:00:00Z"}]}',
            "2024-05-04T09:00:00Z",
        ),
    ],
    ids=[
        "rss-pubdate-only",
        "rss-atom-updated",
        "rss-dcterms-modified",
        "atom-updated",
        "json-no-modified",
        "json-date-modified",
    ],
)
def test_entries_carry_their_own_modification_date_only(body: bytes, modified: str) -> None:
    (entry,) = parse_feed(body, BASE + "/feed")
    assert entry.modified == modified


def test_relative_links_resolve_against_the_feed_url() -> None:
    body = b'<rss version="2.0"><channel><title>t</title><item><link>/a/b-c-d-e</link></item></channel></rss>'
    assert [e.url for e in parse_feed(body, BASE + "/feeds/rss.xml")] == [BASE + "/a/b-c-d-e"]


@pytest.mark.parametrize(
    "body", [b"<html><body><p>not a feed</p></body></html>", b'{"no": "items"}', b"{oops"]
)
def test_non_feeds_raise_feed_error(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(body, BASE + "/x")


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"url": "ftp://example.com/feed"},
        {"url": BASE + "/rss", "refresh": "sometimes"},
        {"url": BASE + "/rss", "limit": "0"},
    ],
)
def test_bad_arguments_fail_at_construction(args: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        FeedSpider(**args)


def test_rss_crawl_stores_exactly_the_feed_articles(site: SiteServer, tmp_path: Path) -> None:
    site.clear_log()
    db = tmp_path / "rss.db"
    result = scrapy_crawl("feed", db, f"url={site.base_url}/rss.xml", settings=LIVE_TEST_SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert stored_paths(db) == article_paths([1, 2, 3])
    # The feed lists the /private/ article too; robots.txt disallows it, so it is never requested.
    assert not site.requests_for(PRIVATE_PATH)
    assert Database(db)["failures"].count == 0
    run = next(Database(db).query("select * from crawl_runs"))
    assert (run["finish_reason"], run["inserted"]) == ("finished", 3)


def test_atom_and_json_feeds_in_one_run(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "atom.db"
    result = scrapy_crawl(
        "feed", db, f"url={site.base_url}/atom.xml,{site.base_url}/feed.json", settings=LIVE_TEST_SETTINGS
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert stored_paths(db) == article_paths([1, 2, 3, 4, 5])
    authors = {row["url"].rsplit("/", 1)[1]: row["authors"] for row in Database(db)["articles"].rows}
    assert authors["island-story-number-4-reported"] == f'["{author_name(4)}"]'
