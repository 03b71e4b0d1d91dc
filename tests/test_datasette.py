"""Datasette over the replayed fixtures: search, facets, canned queries and the shipped metadata.

Uses Datasette's own in-process test client (no socket), and one real
`news-ingest serve` on 127.0.0.1 to check the command end to end.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner
from datasette.app import Datasette
from sqlite_utils import Database

from crawler.cli import METADATA_FILES, datasette_metadata, main
from tests.conftest import NEWS_INGEST, ROOT

METADATA = ROOT / "datasette" / "metadata.yml"
SEED = "https://theduran.com/lavrov-confirms-russia-rejected-kerry-offer/"


@pytest.fixture(scope="module")
def metadata() -> dict[str, Any]:
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def get(fixtures_db: Database, metadata: dict[str, Any]):
    """GET a path of a Datasette over the replayed fixtures; returns (status, JSON)."""
    path = fixtures_db.conn.execute("pragma database_list").fetchone()[2]
    assert Path(path).stem == "articles"  # the name the shipped metadata describes
    datasette = Datasette([path], metadata=metadata)

    async def fetch(url: str) -> tuple[int, Any]:
        await datasette.invoke_startup()
        response = await datasette.client.get(url)
        return response.status_code, response.json()

    return lambda url: asyncio.run(fetch(url))


def test_metadata_loads_and_describes_every_article_column(fixtures_db: Database,
                                                           metadata: dict[str, Any]) -> None:
    database = metadata["databases"]["articles"]
    for table in ("articles", "sites", "authors", "article_authors", "failures", "crawl_runs",
                  "boilerplate_blocks"):
        described = set(database["tables"][table]["columns"])
        assert set(fixtures_db[table].columns_dict) <= described, table
    assert "publishers" in metadata["license"]
    assert METADATA in METADATA_FILES


def test_full_text_search_finds_the_seed_article(get) -> None:
    status, body = get("/articles/articles.json?_search=Lavrov&_shape=objects")
    assert status == 200
    assert SEED in [row["url"] for row in body["rows"]]
    assert all("Lavrov" in (row["title"] + row["text"]) for row in body["rows"])
    status, body = get("/articles/articles.json?_search=xylophonist&_shape=objects")
    assert body["rows"] == []


def test_default_facets_and_sort(get) -> None:
    status, body = get("/articles/articles.json")
    assert status == 200
    facets = body["facet_results"]
    assert {"site_name", "authors", "categories", "published"} <= set(facets)
    assert "Alexander Mercouris" in [r["value"] for r in facets["authors"]["results"]]
    assert facets["authors"]["type"] == "array"
    assert facets["published"]["type"] == "date"
    assert "2016-07-25" in [r["value"] for r in facets["published"]["results"]]
    assert "The Duran" in [r["value"] for r in facets["site_name"]["results"]]
    assert "published desc" in body["human_description_en"]


def test_author_links_to_their_articles(get) -> None:
    status, body = get("/articles/articles_by_author.json?_shape=objects&author=Alexander+Mercouris")
    assert status == 200
    assert SEED in [row["url"] for row in body["rows"]]
    status, body = get("/articles/authors.json?_shape=objects&name=Alexander+Mercouris")
    assert [row["name"] for row in body["rows"]] == ["Alexander Mercouris"]
    status, body = get("/articles/sites.json?_shape=objects&domain=theduran.com")
    assert [row["name"] for row in body["rows"]] == ["The Duran"]


def test_every_canned_query_runs(get, metadata: dict[str, Any]) -> None:
    queries = metadata["databases"]["articles"]["queries"]
    assert {"newest_articles", "articles_per_site_per_day", "quality_by_site",
            "articles_without_authors_or_dates", "failures_by_stage"} <= set(queries)
    for name in queries:
        status, body = get(f"/articles/{name}.json?_shape=objects&author=Alexander+Mercouris")
        assert status == 200, (name, body)
        assert body["ok"] is not False, (name, body)
        assert isinstance(body["rows"], list)
    _, body = get("/articles/newest_articles.json?_shape=objects")
    assert SEED in [row["url"] for row in body["rows"]]
    _, body = get("/articles/quality_by_site.json?_shape=objects")
    duran = next(row for row in body["rows"] if row["site_name"] == "The Duran")
    assert duran["articles"] >= 1
    assert 0 <= duran["percent_incomplete"] <= 100


def test_metadata_follows_the_database_file_name() -> None:
    renamed = datasette_metadata("data/news.db", METADATA)
    assert list(renamed["databases"]) == ["news"]
    assert "queries" in renamed["databases"]["news"]


def test_serve_help() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "127.0.0.1" in result.output and "Example:" in result.output


def test_serve_without_datasette_says_how_to_install(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "datasette.cli", None)  # import fails as if not installed
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "pip install 'news-ingest[datasette]'" in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_opens_any_file_name_on_localhost(fixtures_db: Database, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    shutil.copy(fixtures_db.conn.execute("pragma database_list").fetchone()[2], db)
    port = free_port()
    server = subprocess.Popen(
        [*NEWS_INGEST, "serve", "--db", str(db),
         "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = None
        for _ in range(100):
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/news/articles.json?_search=Kerry").json()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert body is not None, "datasette did not start"
        assert SEED in [row[0] for row in body["rows"]]
        assert "authors" in body["facet_results"]  # the shipped metadata, renamed to "news"
    finally:
        server.terminate()
        server.wait(timeout=10)
