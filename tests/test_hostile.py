"""Hostile input: XML bombs, decompression bombs, private-address requests, scripts, SQL.

Live-crawl pieces run a test-only spider (tests/spiders_testonly.py) through the
project's settings against a server on 127.0.0.1 that each test starts; requests
to any other address are only ever built, never sent (PrivateAddressMiddleware
refuses them before a connection, which the unit tests below assert).
"""

from __future__ import annotations

import ast
import asyncio
import gzip
import re
import socket
import time
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from crawler.middlewares_ssrf import PrivateAddressMiddleware, ip_literal, is_public, resolve_host
from crawler.safexml import UnsafeXML, parse_xml
from tests.conftest import ROOT, scrapy_crawl
from tests.localserver import LocalServer, Route

GOOD_ARTICLE = (
    """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour wall repaired after storm | Coast Gazette</title>
<meta property="og:type" content="article"></head><body><article><h1>Harbour wall repaired after storm</h1>
"""
    + "".join(
        f"<p>Paragraph {i}: the council said the repair of the harbour wall was finished ahead of "
        f"the winter storms, and fishing boats could use the inner basin again from Monday.</p>"
        for i in range(4)
    )
    + "</article></body></html>"
).encode()

TEST_SPIDER = {
    "SPIDER_MODULES": "tests.spiders_testonly",
    "ROBOTSTXT_OBEY": "False",
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_ENABLED": "False",
    "DOWNLOAD_TIMEOUT": "10",
}


# --- XML: entity expansion and external entities -------------------------------------


def _billion_laughs(levels: int = 9) -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE urlset [{entities}]>'
        f"<urlset><url><loc>&lol{levels};</loc></url></urlset>"
    ).encode()


def test_billion_laughs_is_refused_quickly_without_expanding() -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeXML, match="malformed or hostile"):
        parse_xml(_billion_laughs())
    assert time.perf_counter() - started < 1.0


def test_small_internal_entities_are_left_unexpanded() -> None:
    root = parse_xml(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "expanded">]><urlset><loc>&a;</loc></urlset>'
    )
    assert "expanded" not in (root.findtext("loc") or "")


def test_external_entity_never_reads_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
        "<urlset><url><loc>&e;</loc></url></urlset>"
    ).encode()
    root = parse_xml(body)
    from lxml import etree

    assert b"TOP-SECRET-VALUE" not in etree.tostring(root)


def test_ordinary_sitemap_parses() -> None:
    root = parse_xml(
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://news.example/a</loc></url></urlset>"
    )
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert root.xpath("//s:loc/text()", namespaces=ns) == ["https://news.example/a"]


@pytest.mark.parametrize("body", [b"", b"   ", b"<urlset><url>", b"\x00\x01binary", b"<a></b>"])
def test_bad_xml_is_a_plain_error(body: bytes) -> None:
    with pytest.raises(UnsafeXML):
        parse_xml(body)


# --- private addresses: the middleware's decisions ------------------------------------


def _middleware(
    allow: bool = False,
    answers: dict[str, list[str]] | None = None,
) -> PrivateAddressMiddleware:
    looked_up: dict[str, list[str]] = answers or {}
    crawler = get_crawler(settings_dict={"NEWS_ALLOW_PRIVATE_ADDRESSES": allow})
    crawler.stats.open_spider()
    return PrivateAddressMiddleware(
        crawler, allow_private=allow, resolve=lambda host: looked_up.get(host, [])
    )


def _decide(mw: PrivateAddressMiddleware, url: str) -> str:
    """'pass' or the refusal message; literal addresses never reach the resolver thread."""
    try:
        mw.check_now(Request(url))
    except IgnoreRequest as exc:
        return str(exc)
    return "pass"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/admin",
        "http://127.0.0.1:8080/",
        "http://127.1.2.3/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",  # carrier-grade NAT (shared) space
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 form of 169.254.169.254
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "https://255.255.255.255/",
    ],
)
def test_private_literal_addresses_are_refused(url: str) -> None:
    assert "private, loopback, link-local or reserved" in _decide(_middleware(), url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://ftp.example.org/pub/file",
        "data:text/html,<p>hi</p>",
        "s3://bucket/key",
        "gopher://example.org/",
        "about:blank",
    ],
)
def test_other_schemes_are_refused_even_when_private_addresses_are_allowed(url: str) -> None:
    for allow in (False, True):
        assert "is not http or https" in _decide(_middleware(allow=allow), url)


def test_public_literal_address_passes_without_lookup() -> None:
    assert _decide(_middleware(), "https://93.184.216.34/news") == "pass"
    assert _decide(_middleware(), "https://[2606:4700::1111]/") == "pass"


def test_allow_setting_lets_loopback_through() -> None:
    assert _decide(_middleware(allow=True), "http://127.0.0.1:8000/") == "pass"


def test_host_names_are_judged_by_what_they_resolve_to() -> None:
    mw = _middleware(
        answers={
            "metadata.internal": ["169.254.169.254"],
            "mixed.example": ["93.184.216.34", "10.1.2.3"],
            "news.example": ["93.184.216.34", "2606:4700::1111"],
        }
    )

    def run(url: str) -> str:
        try:
            asyncio.run(_resolve_then_decide(mw, url))
        except IgnoreRequest as exc:
            return str(exc)
        return "pass"

    assert "metadata.internal (169.254.169.254)" in run("http://metadata.internal/latest/")
    # one private answer among public ones is enough: the downloader may pick any
    assert "10.1.2.3" in run("https://mixed.example/")
    assert run("https://news.example/a") == "pass"
    # answers are cached per host for the run
    assert mw._cache["metadata.internal"] == ["169.254.169.254"]
    assert mw.crawler is not None and mw.crawler.stats is not None
    assert mw.crawler.stats.get_value("news/ssrf/refused/address") == 2


async def _resolve_then_decide(mw: PrivateAddressMiddleware, url: str) -> None:
    # The middleware resolves in a reactor thread; here the same steps run inline.
    request = Request(url)
    host, decided = mw.check_now(request)
    if decided is None:
        from crawler.middlewares_ssrf import address_refusal

        mw._cache[host] = list(mw.resolve(host))
        reason = address_refusal(host, mw._cache[host])
        if reason:
            mw._refuse(request, "address", reason)


@pytest.mark.parametrize("host", ["localhost", "2130706433", "0x7f.1", "127.1"])
def test_system_resolver_sees_through_loopback_spellings(host: str) -> None:
    # These are resolved by the C library from /etc/hosts or numeric parsing: no DNS traffic.
    addresses = resolve_host(host)
    assert addresses, host
    assert not all(is_public(ip_literal(a)) for a in addresses if ip_literal(a))  # type: ignore[arg-type]


def test_redirect_to_metadata_service_is_refused() -> None:
    crawler = get_crawler(settings_dict={})
    redirect = RedirectMiddleware.from_crawler(crawler)
    original = Request("https://93.184.216.34/story")
    response = Response(
        original.url,
        status=302,
        headers={"Location": "http://169.254.169.254/latest/meta-data/"},
        request=original,
    )
    follow = redirect.process_response(original, response)
    assert isinstance(follow, Request) and follow.url.startswith("http://169.254.169.254/")
    assert "private" in _decide(_middleware(), follow.url)


def test_middleware_is_registered_before_robots_txt() -> None:
    from crawler import settings

    order = settings.DOWNLOADER_MIDDLEWARES["crawler.middlewares_ssrf.PrivateAddressMiddleware"]
    assert order < 100  # RobotsTxtMiddleware: not even robots.txt is fetched from a refused host
    assert settings.NEWS_ALLOW_PRIVATE_ADDRESSES is False


# --- private addresses: a real crawl against 127.0.0.1 --------------------------------


def test_loopback_is_never_contacted_by_default(tmp_path: Path) -> None:
    with LocalServer({"/story": Route(GOOD_ARTICLE)}) as server:
        db = tmp_path / "out.db"
        settings = {**TEST_SPIDER}
        settings.pop("ROBOTSTXT_OBEY")  # robots.txt on: it must not be fetched either
        result = scrapy_crawl("testurls", db, f"urls={server.url('/story')}", settings=settings)
        assert result.returncode == 0, result.stderr[-3000:]
        assert server.connections == 0 and server.requests == []
    failure = next(Database(db)["failures"].rows)
    assert failure["stage"] == "fetch"
    assert "private, loopback, link-local or reserved" in failure["reason"]
    assert Database(db)["articles"].count == 0


def test_loopback_is_crawled_when_allowed(tmp_path: Path) -> None:
    with LocalServer({"/story": Route(GOOD_ARTICLE)}) as server:
        db = tmp_path / "out.db"
        result = scrapy_crawl(
            "testurls",
            db,
            f"urls={server.url('/story')}",
            settings={**TEST_SPIDER, "NEWS_ALLOW_PRIVATE_ADDRESSES": "True"},
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert server.requests == ["/story"]
    row = next(Database(db)["articles"].rows)
    assert row["title"] == "Harbour wall repaired after storm"


# --- decompression bomb ---------------------------------------------------------------


def test_gzip_bomb_stops_at_download_maxsize(tmp_path: Path) -> None:
    bomb = gzip.compress(b"<p>" + b"A" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB from ~64 kB
    assert len(bomb) < 200_000
    routes = {
        "/bomb": Route(bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}),
        "/story": Route(GOOD_ARTICLE),
    }
    with LocalServer(routes) as server:
        db = tmp_path / "out.db"
        started = time.perf_counter()
        result = scrapy_crawl(
            "testurls",
            db,
            f"urls={server.url('/bomb')},{server.url('/story')}",
            settings={**TEST_SPIDER, "NEWS_ALLOW_PRIVATE_ADDRESSES": "True"},
        )
        elapsed = time.perf_counter() - started
        assert result.returncode == 0, result.stderr[-3000:]
    assert elapsed < 60
    database = Database(db)
    assert [r["title"] for r in database["articles"].rows] == ["Harbour wall repaired after storm"]
    failure = next(database["failures"].rows_where("url = ?", [server.url("/bomb")]))
    assert failure["stage"] == "fetch"
    assert "exceeded DOWNLOAD_MAXSIZE" in failure["reason"]
    assert "decompression" in failure["reason"]


# --- script content never reaches stored text ---------------------------------------

SCRIPTED = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Council votes on <script>alert('TITLE-XSS')</script>budget | Town Crier</title>
<style>body { background: url('STYLE-LEAK') }</style>
<script>var secret = "SCRIPT-LEAK"; document.write('<p>DOCWRITE-LEAK paragraph text</p>');</script>
<meta property="og:type" content="article"></head><body>
<article><h1>Council votes on budget</h1>
<p>The council voted on Tuesday to approve the budget for next year, after a long debate about
the cost of repairing roads and the library roof. <img src=x onerror="alert('ONERROR-LEAK')"></p>
<script type="text/javascript">window.INLINE_LEAK = 1;</script>
<p>Councillors from all parties agreed that the roads had to come first, though several said
the library could not wait another winter without a new roof over its reading room.</p>
<noscript><img src="tracker.gif" alt="NOSCRIPT-TRACKER"></noscript>
<style>.x { content: "STYLE2-LEAK" }</style>
<p onclick="alert('ONCLICK-LEAK')">The mayor said the final figures would be published next week on
the council website, together with the minutes of the meeting and the full list of projects.</p>
<svg><script>alert('SVG-LEAK')</script></svg>
<iframe srcdoc="<script>alert('IFRAME-LEAK')</script>"></iframe>
<a href="javascript:alert('HREF-LEAK')">link</a>
</article></body></html>"""


def test_script_style_and_handlers_never_reach_stored_text(tmp_path: Path) -> None:
    page = tmp_path / "scripted.html"
    page.write_text(SCRIPTED, encoding="utf-8")
    db = tmp_path / "out.db"
    result = scrapy_crawl("replay", db, f"path={page}")
    assert result.returncode == 0, result.stderr[-3000:]
    row = next(Database(db)["articles"].rows)
    assert "council voted on Tuesday" in row["text"]
    stored = " ".join(str(row[c] or "") for c in ("title", "text", "captions", "authors", "description"))
    for leak in ("XSS", "LEAK", "alert(", "<script", "onerror", "javascript:", "NOSCRIPT-TRACKER"):
        assert leak not in stored, leak


# --- SQL is built with parameters only ------------------------------------------------

#: a string that reads like SQL, e.g. "select x from t", "delete from failures where"
SQL_RE = re.compile(
    r"\b(select\b.+\bfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|"
    r"\bwhere\b|create\s+(table|index)|drop\s+table|pragma)\b",
    re.IGNORECASE | re.DOTALL,
)


def _constant_expression(node: ast.AST) -> bool:
    """Only literals and UPPER_CASE names (module constants: table/column identifiers)."""
    names = [child for child in ast.walk(node) if isinstance(child, ast.Name)]
    return all(name.id.isupper() for name in names)


def _dynamic_sql(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        text, parts = None, []
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
            strings = [
                s for s in (node.left, node.right) if isinstance(s, ast.Constant) and isinstance(s.value, str)
            ]
            if strings:
                text = " ".join(s.value for s in strings)
                parts = [s for s in (node.left, node.right) if s not in strings]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant)
            and isinstance(node.func.value.value, str)
        ):
            text = node.func.value.value
            parts = [*node.args, *(k.value for k in node.keywords)]
        if text and SQL_RE.search(text) and not all(_constant_expression(p) for p in parts):
            found.append((node.lineno, text[:60]))  # type: ignore[attr-defined]
    return found


def test_sql_is_never_built_from_variables() -> None:
    offenders = []
    for folder in ("crawler", "pipelines"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, text in _dynamic_sql(ast.parse(path.read_text(encoding="utf-8"))):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert offenders == []


def test_the_sql_check_catches_interpolation() -> None:
    bad = ast.parse(
        "db.execute(f\"select * from articles where url = '{url}'\")\n"
        "db.execute(\"delete from failures where source = '%s'\" % source)\n"
        'db.execute("select {} from t where a = 1".format(column))\n'
    )
    assert len(_dynamic_sql(bad)) == 3
    fine = ast.parse(
        'db.execute("select * from articles where url = ?", [url])\n'
        "db.query(f\"select {', '.join(COLUMNS)} from articles\")\n"
    )
    assert _dynamic_sql(fine) == []


def test_socket_module_is_only_used_by_the_middleware() -> None:
    # Scrapy is the only HTTP client: no component opens sockets or resolves names itself,
    # except the address check of PrivateAddressMiddleware (resolution only) and the Redis
    # output, which only names its worker by host name (socket.gethostname()).
    users = [
        p.relative_to(ROOT).as_posix()
        for folder in ("crawler", "pipelines")
        for p in (ROOT / folder).rglob("*.py")
        if re.search(r"^import socket|^from socket", p.read_text(), re.MULTILINE)
    ]
    assert sorted(users) == ["crawler/middlewares_ssrf.py", "pipelines/redis_out.py"]
    redis_out = (ROOT / "pipelines" / "redis_out.py").read_text()
    assert set(re.findall(r"socket\.(\w+)\(", redis_out)) == {"gethostname"}
    assert socket.gethostbyname("localhost").startswith("127.")
