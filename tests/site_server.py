"""A small news site on 127.0.0.1 for live-crawl tests and benchmarks (reusable by any test).

:class:`SiteServer` serves a dict of pages from a thread, logs every request
(method, path, status, whether it was conditional), answers ``If-None-Match`` /
``If-Modified-Since`` with 304, and can be told to fail every request.
:func:`generate_site` builds the fixture site: a home page, a section page, a
tag page, a contact page, N articles (JSON-LD NewsArticle, og:type article), an
article under ``/private/`` that robots.txt disallows, an RSS feed, an Atom
feed, a JSON feed, a sitemap index with a Google News sitemap (each article
with a ``<lastmod>``) and an old sitemap; :meth:`SiteServer.edit_article` changes
an article the way a newsroom does (new body and ETag, and optionally a newer
lastmod in the sitemap). Only 127.0.0.1 is ever bound.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

#: settings every live test passes: no politeness delays against our own server, no stray sites file
LIVE_TEST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "RETRY_TIMES": "1",
    "DOWNLOAD_TIMEOUT": "10",
    "NEWS_REFRESH_MIN_AGE": "0",
    "NEWS_SITES_FILE": "/nonexistent/sites.toml",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    # The test server is on 127.0.0.1, which live crawls refuse by default (SECURITY.md).
    "NEWS_ALLOW_PRIVATE_ADDRESSES": "1",
}
WORDS = [
    "harbour",
    "council",
    "ferry",
    "winter",
    "timetable",
    "island",
    "school",
    "budget",
    "minister",
    "road",
    "bridge",
    "rain",
    "market",
    "fishing",
    "boat",
    "crew",
    "repair",
    "vote",
    "report",
    "plan",
    "housing",
    "clinic",
    "library",
    "farmers",
    "tourism",
    "season",
    "storm",
    "power",
    "water",
    "survey",
    "pupils",
    "teachers",
    "police",
    "court",
    "festival",
    "museum",
    "station",
]
FIRST_NAMES = ("Morag", "Ewan", "Isla", "Callum", "Fiona", "Angus", "Kirsty", "Duncan", "Eilidh", "Ruaridh")
LAST_NAMES = ("Campbell", "MacLeod", "Stewart", "Morrison", "Fraser", "Munro", "Sinclair", "Mackay")
LAST_MODIFIED = formatdate(1714550400, usegmt=True)  # 2024-05-01 08:00 GMT


@dataclass
class Page:
    """One resource: body, content type, validators."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    last_modified: str = LAST_MODIFIED

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class LoggedRequest:
    """One request the server answered."""

    method: str
    path: str
    status: int
    conditional: bool


@dataclass
class SiteServer:
    """A threaded HTTP server on 127.0.0.1 serving ``pages`` (path -> Page)."""

    pages: dict[str, Page] = field(default_factory=dict)
    log: list[LoggedRequest] = field(default_factory=list)
    #: when set, every request is answered with this status
    fail_status: int | None = None
    #: articles of the generated site, and the sitemap lastmods that differ from the default
    articles: int = 0
    lastmods: dict[int, str] = field(default_factory=dict)

    def start(self) -> str:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path
                conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
                page = site.pages.get(path)
                if site.fail_status:
                    status, body, page = site.fail_status, b"server error", None
                elif page is None:
                    status, body = 404, b"not found"
                elif site.not_modified(page, self.headers):
                    status, body = 304, b""
                else:
                    status, body = 200, page.body
                site.log.append(LoggedRequest("GET", path, status, conditional))
                self.send_response(status)
                if page is not None:
                    self.send_header("ETag", page.etag)
                    self.send_header("Last-Modified", page.last_modified)
                    if status == 200:
                        self.send_header("Content-Type", page.content_type)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (base signature)
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self.base_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @staticmethod
    def not_modified(page: Page, headers: Any) -> bool:
        if headers.get("If-None-Match"):
            return page.etag in [t.strip() for t in headers["If-None-Match"].split(",")]
        if headers.get("If-Modified-Since"):
            try:
                return parsedate_to_datetime(headers["If-Modified-Since"]) >= parsedate_to_datetime(
                    page.last_modified
                )
            except (TypeError, ValueError):
                return False
        return False

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests_for(self, path: str) -> list[LoggedRequest]:
        return [r for r in self.log if r.path == path]

    def clear_log(self) -> None:
        self.log.clear()

    def edit_article(self, i: int, extra: str, lastmod: str | None = None) -> None:
        """Correct article ``i`` (a paragraph added: new body, new ETag).

        ``lastmod`` also updates the sitemap.
        """
        path = article_path(i)
        self.pages[path] = Page(
            article_html(
                self.base_url, path, i, f"Island story number {i}", published_at(i), extra=extra
            ).encode()
        )
        if lastmod:
            self.set_lastmod(i, lastmod)

    def set_lastmod(self, i: int, lastmod: str) -> None:
        """Move article ``i``'s sitemap lastmod (as CMSs do on a re-save that changes nothing)."""
        self.lastmods[i] = lastmod
        numbers = list(range(1, self.articles + 1))
        self.pages["/sitemap-news.xml"] = Page(
            news_sitemap(self.base_url, numbers, (PRIVATE_PATH,), self.lastmods).encode(), "application/xml"
        )


def author_name(i: int) -> str:
    """The byline of article ``i``: a plausible person name."""
    return f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[i % len(LAST_NAMES)]}"


def published_at(i: int) -> str:
    """Publication time of article ``i`` (also its sitemap lastmod until it is edited)."""
    return f"2024-05-{(i - 1) % 28 + 1:02d}T09:00:00+00:00"


def article_path(i: int) -> str:
    """Path of article ``i`` (1-based): dated and slugged like a real news URL."""
    return f"/news/2024/05/{(i - 1) % 28 + 1:02d}/island-story-number-{i}-reported"


PRIVATE_PATH = "/private/hidden-story-never-to-fetch"
OLD_PATH = "/news/2020/01/15/old-archive-story-from-2020"


def article_html(base: str, path: str, i: int, title: str, published: str, extra: str = "") -> str:
    """A news article page with JSON-LD, og:type article and enough words to extract."""
    rng = random.Random(i)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(45)).capitalize() + "." for _ in range(3)]
    if extra:
        paragraphs.append(extra)
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": published,
            "author": {"@type": "Person", "name": author_name(i)},
        }
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Test Courier</title>
<link rel="canonical" href="{base}{path}">
<meta property="og:type" content="article"><meta property="og:site_name" content="Test Courier">
<meta property="article:published_time" content="{published}">
<script type="application/ld+json">{ld}</script></head>
<body><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/contact">Contact</a></nav>
<main><article><h1>{title}</h1><p class="byline">By {author_name(i)}</p>
{body}</article></main><footer><p>Test Courier, 1 Harbour Street.</p></footer></body></html>"""


def list_html(title: str, links: list[str], og_type: str | None = "website") -> str:
    """A home, section, tag or contact page: links, no article."""
    og = f'<meta property="og:type" content="{og_type}">' if og_type else ""
    items = "".join(f'<li><a href="{href}">Link to {href}</a></li>' for href in links)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{og}</head>
<body><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/contact">Contact</a></nav>
<main><h1>{title}</h1><ul>{items}</ul></main></body></html>"""


def rss(base: str, numbers: list[int], extra_paths: tuple[str, ...] = ()) -> str:
    items = "".join(
        f"<item><title>Feed title {i}</title><link>{base}{article_path(i)}</link>"
        f"<pubDate>{formatdate(1714550400 + i * 3600, usegmt=True)}</pubDate>"
        f"<author>reporter{i}@example.invalid ({author_name(i)})</author></item>"
        for i in numbers
    )
    items += "".join(f"<item><title>Extra</title><link>{base}{p}</link></item>" for p in extra_paths)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test Courier</title>'
        f"<link>{base}/</link><description>news</description>{items}</channel></rss>"
    )


def atom(base: str, numbers: list[int]) -> str:
    entries = "".join(
        f'<entry><title>Atom title {i}</title><link rel="alternate" href="{base}{article_path(i)}"/>'
        f"<id>{base}{article_path(i)}</id><updated>2024-05-{i:02d}T09:00:00Z</updated>"
        f"<published>2024-05-{i:02d}T09:00:00Z</published><author><name>{author_name(i)}</name></author></entry>"
        for i in numbers
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Test Courier</title><id>{base}/</id><updated>2024-05-05T09:00:00Z</updated>{entries}</feed>"
    )


def json_feed(base: str, numbers: list[int]) -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Test Courier",
            "items": [
                {
                    "id": str(i),
                    "url": f"{base}{article_path(i)}",
                    "title": f"JSON title {i}",
                    "date_published": f"2024-05-{i:02d}T09:00:00Z",
                    "authors": [{"name": author_name(i)}],
                }
                for i in numbers
            ],
        }
    )


def news_sitemap(
    base: str, numbers: list[int], extra_paths: tuple[str, ...] = (), lastmods: dict[int, str] | None = None
) -> str:
    """A Google News sitemap: each article with its lastmod (publication time unless edited), news fields."""
    urls = "".join(
        f"<url><loc>{base}{article_path(i)}</loc>"
        f"<lastmod>{(lastmods or {}).get(i, published_at(i))}</lastmod>"
        f"<news:news><news:publication>"
        f"<news:name>Test Courier</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>2024-05-{(i - 1) % 28 + 1:02d}T09:00:00+00:00</news:publication_date>"
        f"<news:title>Sitemap title {i}</news:title></news:news></url>"
        for i in numbers
    )
    urls += "".join(f"<url><loc>{base}{p}</loc><lastmod>2024-05-01</lastmod></url>" for p in extra_paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    )


def generate_site(base: str, articles: int = 5) -> dict[str, Page]:
    """The fixture site for ``base`` (``http://127.0.0.1:PORT``) with ``articles`` articles."""
    numbers = list(range(1, articles + 1))
    xml = "application/xml"
    pages = {
        "/robots.txt": Page(
            f"User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap_index.xml\n".encode(), "text/plain"
        ),
        "/": Page(
            list_html(
                "Test Courier", ["/news/", "/contact", "/tag/local", PRIVATE_PATH, article_path(1)]
            ).encode()
        ),
        "/news/": Page(list_html("News", [article_path(i) for i in numbers] + ["/tag/local"]).encode()),
        "/tag/local": Page(list_html("Tag: local", [article_path(1), article_path(2)]).encode()),
        "/contact": Page(list_html("Contact us", ["/"], og_type=None).encode()),
        PRIVATE_PATH: Page(
            article_html(base, PRIVATE_PATH, 999, "Private story", "2024-05-01T09:00:00+00:00").encode()
        ),
        OLD_PATH: Page(
            article_html(base, OLD_PATH, 998, "Old archive story", "2020-01-15T09:00:00+00:00").encode()
        ),
        "/rss.xml": Page(rss(base, numbers[:3], (PRIVATE_PATH,)).encode(), "application/rss+xml"),
        "/atom.xml": Page(atom(base, numbers[2:5]).encode(), "application/atom+xml"),
        "/feed.json": Page(json_feed(base, numbers[:2]).encode(), "application/feed+json"),
        "/sitemap_index.xml": Page(
            (
                '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}/sitemap-news.xml</loc><lastmod>2024-05-05</lastmod></sitemap>"
                f"<sitemap><loc>{base}/sitemap-2020.xml</loc><lastmod>2020-01-16</lastmod></sitemap>"
                "</sitemapindex>"
            ).encode(),
            xml,
        ),
        "/sitemap-news.xml": Page(news_sitemap(base, numbers, (PRIVATE_PATH,)).encode(), xml),
        "/sitemap-2020.xml": Page(
            (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{base}{OLD_PATH}</loc><lastmod>2020-01-15</lastmod></url></urlset>"
            ).encode(),
            xml,
        ),
    }
    for i in numbers:
        pages[article_path(i)] = Page(
            article_html(
                base,
                article_path(i),
                i,
                f"Island story number {i}",
                f"2024-05-{(i - 1) % 28 + 1:02d}T09:00:00+00:00",
            ).encode()
        )
    return pages


def start_site(articles: int = 5) -> SiteServer:
    """A started server holding the generated site."""
    server = SiteServer()
    base = server.start()
    server.pages.update(generate_site(base, articles))
    server.articles = articles
    return server


def stored_paths(db: Path) -> set[str]:
    """The URL paths of the articles a crawl stored in ``db``."""
    return {urlsplit(row["url"]).path for row in Database(db).query("select url from articles")}


def cli_settings(extra: dict[str, str] | None = None) -> list[str]:
    """``-s NAME=VALUE`` arguments of :data:`LIVE_TEST_SETTINGS` (plus ``extra``) for news-ingest."""
    args: list[str] = []
    for name, value in {**LIVE_TEST_SETTINGS, **(extra or {})}.items():
        args += ["-s", f"{name}={value}"]
    return args


def article_paths(numbers: range | list[int]) -> set[str]:
    """The paths of articles ``numbers``."""
    return {article_path(i) for i in numbers}
