"""RefreshFilterMiddleware and ConditionalGetMiddleware as components, over a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import scrapy
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from crawler.middlewares import ConditionalGetMiddleware, NotModified
from crawler.middlewares_refresh import RefreshFilterMiddleware
from crawler.refresh import StoredPages
from pipelines.schema import migrate

STORED = "https://news.example/2024/05/01/ferry-timetable-changes"
OTHER = "https://news.example/2024/05/02/harbour-council-vote"
#: the fetch an hour ago, so the min-age rule (0 here) never decides
FETCHED = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")


class PolicySpider(scrapy.Spider):
    name = "policy"

    def __init__(self, refresh: str = "conditional", **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.refresh = refresh


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "stored.db"
    database = Database(path)
    migrate(database)  # the schema the store pipeline gives every database it opens
    database["articles"].insert(
        {
            "url": STORED,
            "fetched_url": STORED,
            "source": STORED,
            "fetched_at": FETCHED,
            "etag": '"v1"',
            "last_modified": "Wed, 01 May 2024 08:00:00 GMT",
        },
        alter=False,
    )
    return str(path)


def crawler_for(db: str, refresh: str = "conditional", **settings: object):  # noqa: ANN201
    crawler = get_crawler(PolicySpider, {"SQLITE_PATH": db, "NEWS_REFRESH_MIN_AGE": 0, **settings})
    crawler.spider = PolicySpider(refresh=refresh)
    crawler.stats.open_spider()
    return crawler


def listed(url: str, lastmod: str = "") -> scrapy.Request:
    return scrapy.Request(url, meta={"news_lastmod": lastmod} if lastmod else {})


def test_filter_drops_current_pages_once_and_passes_the_rest(db: str) -> None:
    crawler = crawler_for(db)
    mw = RefreshFilterMiddleware.from_crawler(crawler)
    old_lastmod = "2024-05-01T09:00:00+00:00"
    requests = [
        listed(STORED, old_lastmod),  # listing says unchanged since the fetch: dropped
        listed(STORED + "?utm_source=feed", old_lastmod),  # the same page again (canonical URL): dropped once
        listed(OTHER),  # never stored: fetched
        scrapy.Request("https://news.example/sitemap.xml", meta={"news_conditional": False}),
        {"not": "a request"},
    ]
    kept = list(mw.process_spider_output(Response("https://news.example/sitemap.xml"), requests))
    assert kept == requests[2:]
    assert requests[2].meta["news_refresh"] == "fetch"
    stats = crawler.stats.get_stats()
    assert stats["news/store/unchanged"] == 1
    assert stats["news/incremental/skipped/lastmod"] == 1
    assert stats["news/incremental/listed_twice"] == 1


def test_filter_passes_a_newer_lastmod_with_the_stored_validators(db: str) -> None:
    mw = RefreshFilterMiddleware.from_crawler(crawler_for(db))
    request = listed(STORED, datetime.now(UTC).isoformat(timespec="seconds"))
    assert list(mw.process_spider_output(Response(STORED), [request])) == [request]
    assert request.meta["news_refresh"] == "conditional"
    assert request.meta["news_validators"] == ('"v1"', "Wed, 01 May 2024 08:00:00 GMT")


def test_filter_ignores_lastmods_when_told_not_to_trust_them(db: str) -> None:
    mw = RefreshFilterMiddleware.from_crawler(crawler_for(db, NEWS_REFRESH_TRUST_LASTMOD=False))
    request = listed(STORED, "2024-05-01T09:00:00+00:00")
    assert list(mw.process_spider_output(Response(STORED), [request])) == [request]
    assert request.meta["news_refresh"] == "conditional"


def test_conditional_get_sends_validators_and_turns_304_into_not_modified(db: str) -> None:
    crawler = crawler_for(db)
    mw = ConditionalGetMiddleware.from_crawler(crawler)
    request = scrapy.Request(STORED)
    mw.process_request(request)  # not seen by the spider middleware: decided here
    assert request.headers["If-None-Match"] == b'"v1"'
    assert request.headers["If-Modified-Since"] == b"Wed, 01 May 2024 08:00:00 GMT"
    with pytest.raises(NotModified):
        mw.process_response(request, Response(STORED, status=304, request=request))
    assert crawler.stats.get_value("news/store/unchanged") == 1


def test_a_redirect_target_does_not_inherit_the_first_pages_validators(db: str) -> None:
    mw = ConditionalGetMiddleware.from_crawler(crawler_for(db))
    request = scrapy.Request(STORED, meta={"news_refresh": "conditional", "news_validators": ('"v1"', None)})
    mw.process_request(request)
    assert request.headers["If-None-Match"] == b'"v1"'
    moved = request.replace(url=OTHER)
    moved.meta["redirect_times"] = 1
    mw.process_request(moved)
    assert "If-None-Match" not in moved.headers
    assert moved.meta["news_refresh"] == "fetch" and "news_conditional_sent" not in moved.meta


def test_refresh_always_sends_no_validators(db: str) -> None:
    mw = ConditionalGetMiddleware.from_crawler(crawler_for(db, refresh="always"))
    request = scrapy.Request(STORED)
    mw.process_request(request)
    assert "If-None-Match" not in request.headers


def test_a_database_without_articles_means_nothing_is_stored(tmp_path: Path, db: str) -> None:
    other = tmp_path / "other.db"
    Database(other)["notes"].insert({"text": "not a news-ingest database"})
    stored = StoredPages(str(other))
    assert stored.get(STORED) is None
    assert stored.missing  # asked once, not again for every page
    stored.close()
    # the migrated database of the fixture answers
    found = StoredPages(db).get(STORED)
    assert found is not None and found.etag == '"v1"'


ALIAS = "https://news.example/amp/ferry-timetable-changes"


def test_a_304_through_an_alias_confirms_the_page_under_either_address(db: str) -> None:
    # the page is stored under its canonical link, fetched from its AMP address
    Database(db)["articles"].update(STORED, {"fetched_url": ALIAS})
    crawler = crawler_for(db)
    mw = ConditionalGetMiddleware.from_crawler(crawler)
    request = scrapy.Request(ALIAS)
    mw.process_request(request)
    assert request.headers["If-None-Match"] == b'"v1"'
    with pytest.raises(NotModified):
        mw.process_response(request, Response(ALIAS, status=304, request=request))
    mw.spider_closed()
    assert [r["url"] for r in Database(db)["article_checks"].rows] == [STORED]
    for address in (ALIAS, STORED):
        found = StoredPages(db).get(address)
        assert found is not None and found.checked_at is not None, address


def test_a_304_recorded_under_the_asked_address_is_still_found(db: str) -> None:
    # databases written before checks were keyed by the stored row's URL
    Database(db)["articles"].update(STORED, {"fetched_url": ALIAS})
    Database(db)["article_checks"].insert({"url": ALIAS, "checked_at": FETCHED})
    for address in (ALIAS, STORED):
        found = StoredPages(db).get(address)
        assert found is not None and found.checked_at == FETCHED, address
