"""The ``news-ingest`` command: what ``scrapy crawl`` cannot do for cron.

A lock per database, an exit status that says whether the run worked, a summary,
and the database chores (migrate, status). Commands build settings and call
library code (crawler/runner.py, pipelines/); nothing imports this module.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from crawler import runner
from pipelines import schema

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
DEFAULT_DB = "data/articles.db"


def _overrides(db: str, settings: tuple[str, ...]) -> dict[str, Any]:
    # The summary says what happened; Scrapy's INFO chatter is one -s LOG_LEVEL=INFO away.
    return {"SQLITE_PATH": db, "LOG_LEVEL": "WARNING", **_pairs(settings, "-s")}


def _pairs(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    """``("name=value", ...)`` from repeated ``-a`` / ``-s`` options, as Scrapy's own CLI takes them."""
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint=option)
        values[name] = value
    return values


def _summary(result: runner.RunResult) -> str:
    c = result.counts
    lines = [
        f"{result.spider}: {result.finish_reason}. {c['pages_seen']} pages -> "
        f"{c['inserted']} inserted, {c['updated']} updated, {c['unchanged']} unchanged, "
        f"{c['failures']} failures.",
    ]
    db = Database(result.db_path)
    totals = {t: db[t].count for t in ("articles", "failures", "crawl_runs") if db[t].exists()}
    lines.append("Database " + result.db_path + ": " + ", ".join(f"{n} {t}" for t, n in totals.items()))
    if c["failures"]:
        rows = db.execute("select source, stage, reason from failures order by at desc limit 10").fetchall()
        lines.append("Failures (newest first):")
        lines += [f"  {source} [{stage}] {reason}" for source, stage, reason in rows]
    db.close()
    lines.append(
        f"Explore it: news-ingest serve --db {result.db_path}   "
        f"(Datasette; or: sqlite-utils tables {result.db_path} --counts)"
    )
    return "\n".join(lines)


def _run(spider: str, args: dict[str, str], db: str, settings: tuple[str, ...]) -> None:
    try:
        result = runner.run_spider(spider, args, _overrides(db, settings))
    except runner.RunLocked as exc:
        click.echo(f"news-ingest: {exc}", err=True)
        sys.exit(runner.EXIT_LOCKED)
    except (ValueError, FileNotFoundError, KeyError, TypeError) as exc:
        click.echo(f"news-ingest: {exc}", err=True)
        sys.exit(runner.EXIT_USAGE)
    click.echo(_summary(result))
    sys.exit(runner.exit_status(result))


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="news-ingest")
def main() -> None:
    """news-ingest: news websites and saved pages into a clean SQLite database."""


@main.command()
@click.argument("path")
@click.option("--manifest", help="JSONL file mapping saved files to their original URLs.")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite database to write.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Scrapy setting.")
def replay(path: str, manifest: str | None, db: str, settings: tuple[str, ...]) -> None:
    """Replay saved pages (file, folder or glob) through the pipelines, offline.

    Example:

        news-ingest replay fixtures/pages --db data/articles.db
    """
    args = {"path": path}
    if manifest:
        args["manifest"] = manifest
    _run("replay", args, db, settings)


@main.command()
@click.argument("spider")
@click.option("-a", "arguments", multiple=True, metavar="NAME=VALUE", help="Spider argument.")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite database to write.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Scrapy setting.")
def crawl(spider: str, arguments: tuple[str, ...], db: str, settings: tuple[str, ...]) -> None:
    """Run a spider under a lock with a cron-friendly exit status.

    Exit status: 0 ok; 1 the run failed (closed for an error, logged errors,
    or stored nothing); 2 bad usage; 75 another run holds the database.

    Example:

        news-ingest crawl replay -a path=fixtures/pages --db data/articles.db
    """
    args = _pairs(arguments, "-a")
    _run(spider, args, db, settings)


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite database.")
def migrate(db: str) -> None:
    """Create or upgrade the database schema in place.

    Example:

        news-ingest migrate --db data/articles.db
    """
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    database = Database(db)
    pending = [m.name for m in schema.migrations.pending(database)]
    schema.migrate(database)
    click.echo(f"{db}: applied {len(pending)} migration(s){': ' + ', '.join(pending) if pending else ''}")


def _parse_age(text: str) -> timedelta:
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if not text or text[-1] not in units or not text[:-1].isdigit():
        raise click.BadParameter("use a number and m, h or d, e.g. 6h", param_hint="--max-age")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite database.")
@click.option("--max-age", help="Exit 1 unless a run finished successfully within this age (e.g. 6h).")
def status(db: str, max_age: str | None) -> None:
    """Show the latest runs and row counts; with --max-age, a monitoring check.

    Example:

        news-ingest status --db data/articles.db --max-age 6h
    """
    if not Path(db).exists():
        raise click.ClickException(f"{db} does not exist")
    database = Database(db)
    for table in ("articles", "failures", "crawl_runs"):
        click.echo(f"{table}: {database[table].count if database[table].exists() else 0}")
    runs = list(database.query(
        "select id, spider, started_at, finished_at, finish_reason, inserted, updated, unchanged, failures"
        " from crawl_runs order by id desc limit 5"))
    for run in runs:
        click.echo(json.dumps(run))
    if max_age:
        limit = datetime.now(UTC) - _parse_age(max_age)
        ok = [r for r in runs if r["finish_reason"] == "finished" and r["finished_at"]
              and datetime.fromisoformat(r["finished_at"]) >= limit]
        if not ok:
            click.echo(f"no successful run within {max_age}", err=True)
            sys.exit(runner.EXIT_FAILED)


@main.command(name="eval")
@click.option("--corpus", "corpus_dir", default="../shared/corpus", show_default=True,
              help="Corpus folder holding score.py and sets with truth.jsonl.")
@click.option("--set", "sets", multiple=True, default=("fundus", "dates"), show_default=True,
              help="Corpus set(s) to evaluate.")
@click.option("--workdir", default="data/eval", show_default=True,
              help="Where the databases, predictions and summaries go.")
def eval_command(corpus_dir: str, sets: tuple[str, ...], workdir: str) -> None:
    """Replay ground-truth corpus sets and print score.py's report for each.

    Example:

        news-ingest eval --corpus ../shared/corpus --set fundus
    """
    from crawler.evaluate import evaluate_set

    for name in sets:
        try:
            evaluation = evaluate_set(Path(corpus_dir) / name, Path(workdir))
        except (FileNotFoundError, RuntimeError) as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(evaluation.report)


#: the project's Datasette metadata: in a checkout, or packaged beside this module in a wheel
METADATA_FILES = (Path(__file__).resolve().parents[1] / "datasette" / "metadata.yml",
                  Path(__file__).resolve().parent / "datasette" / "metadata.yml")


def datasette_metadata(db_path: str, metadata_file: Path) -> dict[str, Any]:
    """The metadata with its one database entry renamed to the name Datasette gives ``db_path``.

    Datasette names a database after its file ("news.db" -> "news") and matches
    metadata by that name; the shipped file describes "articles".
    """
    import yaml  # PyYAML comes with datasette

    metadata: dict[str, Any] = yaml.safe_load(metadata_file.read_text(encoding="utf-8"))
    databases = metadata.get("databases") or {}
    if len(databases) == 1:
        metadata["databases"] = {Path(db_path).stem: next(iter(databases.values()))}
    return metadata


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite database to open.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind: 127.0.0.1 keeps it on this machine; 0.0.0.0 publishes it.")
@click.option("--metadata", "metadata_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Datasette metadata file (default: the project's datasette/metadata.yml).")
@click.argument("datasette_args", nargs=-1, type=click.UNPROCESSED)
def serve(db: str, port: int, host: str, metadata_file: Path | None,
          datasette_args: tuple[str, ...]) -> None:
    """Explore the database in Datasette, with facets, search and canned queries.

    Needs the optional extra: pip install 'news-ingest[datasette]'. The schema
    is upgraded first if it is older than this version. Arguments after --
    go to `datasette serve` unchanged.

    Example:

    \b
        news-ingest serve --db data/articles.db --port 8001
        news-ingest serve --db data/articles.db -- --setting sql_time_limit_ms 5000
    """
    try:
        from datasette.cli import cli as datasette_cli
    except ImportError as exc:
        raise click.ClickException(
            "Datasette is not installed: pip install 'news-ingest[datasette]'") from exc
    if not Path(db).is_file():
        raise click.ClickException(f"{db} does not exist (run news-ingest replay or crawl first)")
    metadata_file = metadata_file or next((p for p in METADATA_FILES if p.is_file()), None)
    if metadata_file is None or not metadata_file.is_file():
        raise click.ClickException(f"no Datasette metadata file at {metadata_file or METADATA_FILES[0]}")
    database = Database(db)
    if schema.migrations.pending(database):
        schema.migrate(database)
    database.close()
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        metadata_json = Path(folder) / "metadata.json"
        metadata_json.write_text(json.dumps(datasette_metadata(db, metadata_file)), encoding="utf-8")
        click.echo(f"Datasette on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
        datasette_cli.main(
            args=["serve", db, "--metadata", str(metadata_json), "--host", host, "--port", str(port),
                  # long article texts cut in table views; a row's own page shows them whole
                  "--setting", "truncate_cells_html", "300", *datasette_args],
            prog_name="datasette")


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite database to read.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True, help="JSON Lines (arrays stay arrays) or CSV (arrays as JSON text).")
@click.option("--output", "-o", default="-", show_default=True, help="File to write; - for stdout.")
@click.option("--table", default="articles", show_default=True,
              help="Table to export (articles, failures, crawl_runs, sites, authors, ...).")
def export(db: str, fmt: str, output: str, table: str) -> None:
    """Export a table (default: articles) as JSON Lines or CSV.

    Example:

    \b
        news-ingest export --db data/articles.db --format jsonl --output articles.jsonl
        news-ingest export --db data/articles.db --format csv --table failures -o failures.csv
    """
    from pipelines import export as exporter

    if not Path(db).is_file():
        raise click.ClickException(f"{db} does not exist")
    database = Database(db)
    try:
        if output == "-":
            count = exporter.export(database, table, fmt, sys.stdout)
        else:
            # newline="": the csv module writes its own line endings
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = exporter.export(database, table, fmt, out)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        database.close()
    if output != "-":
        click.echo(f"{count} {table} rows -> {output}", err=True)

@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True,
              help="SQLite database (its archive: <db folder>/warc).")
@click.option("--site", help="Only this domain's pages (and its subdomains).")
@click.option("--since", help="Only pages fetched on or after this ISO 8601 date.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Scrapy setting.")
def reprocess(db: str, site: str | None, since: str | None, settings: tuple[str, ...]) -> None:
    """Re-run the current pipelines over the raw WARC archive, offline, and report what changed.

    Example:

        news-ingest reprocess --site example.com --since 2024-05-01 --db data/articles.db
    """
    from crawler.reprocess import report
    from crawler.reprocess import reprocess as run_reprocess

    try:
        result = run_reprocess(db, site, since, _overrides(db, settings))
    except runner.RunLocked as exc:
        click.echo(f"news-ingest: {exc}", err=True)
        sys.exit(runner.EXIT_LOCKED)
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report(result))
    sys.exit(runner.exit_status(result.run))


# --- scale-out on scrapy-redis (crawler/distributed.py, crawler/writer.py) ------------------
def _redis_or_exit(url: str) -> Any:
    """A connected Redis client, or a clear error (missing extra, unreachable server)."""
    try:
        import redis
    except ImportError as exc:
        raise click.ClickException(
            "Redis support is not installed: pip install 'news-ingest[redis]'") from exc
    from pipelines.redis_out import connect

    try:
        server = connect(url)
        server.ping()
    except (redis.RedisError, ValueError) as exc:  # ValueError: not a redis:// URL
        raise click.ClickException(f"cannot reach Redis at {url}: {exc}") from exc
    return server


@main.command()
@click.option("--redis", "redis_url", required=True, help="Redis URL the workers push to.")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite database to write.")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1),
              help="Records written per transaction.")
@click.option("--idle-timeout", default=60.0, show_default=True, type=float,
              help="Exit once nothing came for this many seconds and no worker is alive; "
                   "0 runs until stopped.")
def store(redis_url: str, db: str, batch: int, idle_timeout: float) -> None:
    """The one writer of a distributed crawl: records from Redis into the database.

    Workers (news-ingest worker, or any crawl with REDIS_URL set) push articles,
    failures and run reports to Redis; this stores them in batches, learns
    boilerplate, and publishes what is stored for the workers' seen checks.
    Exit status: 0 ok; 1 Redis unreachable or unreadable records; 75 locked.

    Example:

        news-ingest store --redis redis://127.0.0.1:6379/0 --db data/articles.db --idle-timeout 120
    """
    from crawler.writer import Writer
    from pipelines.store import Store

    server = _redis_or_exit(redis_url)
    settings = runner.project_settings()
    min_articles = (settings.getint("NEWS_BOILERPLATE_MIN_ARTICLES", 3)
                    if settings.getbool("NEWS_BOILERPLATE_ENABLED", True) else None)
    try:
        with runner.database_lock(db):
            database = Store.open(db)
            writer = Writer(server, database, settings.get("NEWS_REDIS_PREFIX", "news"), batch,
                            min_articles)
            published = writer.publish_all()
            counts = writer.drain(idle_timeout or None)
            database.close()
    except runner.RunLocked as exc:
        click.echo(f"news-ingest: {exc}", err=True)
        sys.exit(runner.EXIT_LOCKED)
    o = counts.outcomes
    click.echo(f"store: {counts.articles} articles ({o['inserted']} inserted, {o['updated']} updated, "
               f"{o['unchanged']} unchanged), {counts.failures} failures, {counts.runs} worker runs "
               f"-> {db} ({published} stored pages published to workers at start)")
    if counts.bad:
        click.echo(f"{counts.bad} unreadable records set aside in {writer.bad_key}", err=True)
        sys.exit(runner.EXIT_FAILED)


@main.command()
@click.argument("spider")
@click.option("--redis", "redis_url", required=True, help="Redis URL shared by the workers and the writer.")
@click.option("-a", "arguments", multiple=True, metavar="NAME=VALUE", help="Spider argument.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Scrapy setting.")
def worker(spider: str, redis_url: str, arguments: tuple[str, ...], settings: tuple[str, ...]) -> None:
    """Run one worker of a distributed crawl (no database needed on this machine).

    Start as many as you like, on any machines: they share one frontier in
    Redis, fetch each page once, and close after NEWS_REDIS_IDLE_CLOSE_SECONDS
    with nothing to do. Exit status as for crawl: 0 ok; 1 failed; 2 bad usage.

    Example:

    \b
        news-ingest worker replay --redis redis://redis-host:6379/0 -a queue=1
        news-ingest worker urls --redis redis://redis-host:6379/0 -a urls_file=urls.txt
    """
    from crawler import distributed

    args = _pairs(arguments, "-a")
    overrides = {**_overrides(DEFAULT_DB, settings), "REDIS_URL": redis_url}
    overrides.pop("SQLITE_PATH")  # a worker writes no database
    try:
        result = distributed.run_worker(spider, args, overrides)
    except (ValueError, FileNotFoundError, KeyError, TypeError) as exc:
        click.echo(f"news-ingest: {exc}", err=True)
        sys.exit(runner.EXIT_USAGE)
    c = result.counts
    click.echo(f"{spider} worker: {result.finish_reason}. {c['pages_seen']} pages -> "
               f"{result.stats.get('news/redis_out/articles', 0)} articles and {c['failures']} failures "
               f"pushed to Redis for the writer.")
    sys.exit(distributed.worker_exit_status(result))


@main.command()
@click.argument("path")
@click.option("--redis", "redis_url", required=True, help="Redis URL the replay workers read.")
@click.option("--manifest", help="JSONL file mapping saved files to their original URLs.")
def enqueue(path: str, redis_url: str, manifest: str | None) -> None:
    """Queue saved pages (file, folder or glob) for replay workers on any machine.

    The workers (news-ingest worker replay -a queue=1) must see the files at the
    same absolute paths (a shared or synced folder).

    Example:

    \b
        news-ingest enqueue /archive/2024 --redis redis://redis-host:6379/0 \\
            --manifest /archive/2024/truth.jsonl
    """
    from crawler import distributed, fixtures
    from crawler.manifest import load_manifest

    server = _redis_or_exit(redis_url)
    try:
        entries = load_manifest(manifest) if manifest else None
        count = distributed.enqueue_pages(server, runner.project_settings().get("NEWS_REDIS_PREFIX", "news"),
                                          fixtures.find_pages(path), entries)
    except (ValueError, FileNotFoundError) as exc:
        click.echo(f"news-ingest: {exc}", err=True)
        sys.exit(runner.EXIT_USAGE)
    click.echo(f"{count} pages queued for replay workers")
