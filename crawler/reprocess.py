"""Re-run the current pipelines over the raw WARC archive and say what changed (`news-ingest reprocess`).

A reprocess is a replay of the archive's newest HTML response per URL into the
same database, without network: rows whose pipeline output differs are updated
(their earlier version goes to `versions`). :func:`diff_rows` compares the
`articles` rows before and after, per column.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler import archive, runner
from crawler.sites import host_of

#: bookkeeping columns whose change says nothing about the article (the hash follows the content)
IGNORED_COLUMNS = frozenset({"record_hash"})


@dataclass
class ReprocessResult:
    """What a reprocess did."""

    run: runner.RunResult
    warc_files: list[Path]
    #: articles compared (rows of the selected site/period after the run)
    compared: int = 0
    new: int = 0
    changed: int = 0
    #: column -> number of articles whose value changed
    fields: Counter[str] = field(default_factory=Counter)


def warc_folder(db_path: str, configured: str = "") -> Path:
    """Where the archive of a database lives: NEWS_WARC_DIR, else ``warc/`` beside the database."""
    return Path(configured) if configured else Path(db_path).parent / "warc"


def snapshot(db_path: str, site: str | None = None) -> dict[str, dict[str, Any]]:
    """The `articles` rows (of one site's hosts, if given) keyed by url; {} for a missing table."""
    if not Path(db_path).is_file():
        return {}
    db = Database(db_path)
    try:
        if not db["articles"].exists():
            return {}
        want = (site or "").lower().removeprefix("www.")
        return {
            row["url"]: row
            for row in db["articles"].rows
            if not want or host_of(row["url"]) == want or host_of(row["url"]).endswith("." + want)
        }
    finally:
        db.close()


def diff_rows(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
) -> tuple[int, int, Counter[str]]:
    """``(new rows, changed rows, {column: rows where it changed})`` between two snapshots."""
    new = changed = 0
    fields: Counter[str] = Counter()
    for url, row in after.items():
        old = before.get(url)
        if old is None:
            new += 1
            continue
        differing = [c for c in row if c not in IGNORED_COLUMNS and row[c] != old.get(c)]
        if differing:
            changed += 1
            fields.update(differing)
    return new, changed, fields


def reprocess(
    db_path: str, site: str | None = None, since: str | None = None, overrides: dict[str, Any] | None = None
) -> ReprocessResult:
    """Replay the archive of ``db_path`` into it (under the database lock) and diff the rows."""
    settings = runner.project_settings({"SQLITE_PATH": db_path, **(overrides or {})})
    folder = warc_folder(db_path, settings.get("NEWS_WARC_DIR"))
    files = archive.warc_files(folder) if folder.is_dir() else []
    if not files:
        raise FileNotFoundError(f"no WARC files in {folder} (live crawls write them there)")
    args = {"path": str(folder)}
    if site:
        args["site"] = site
    if since:
        args["since"] = since
    before = snapshot(db_path, site)
    run = runner.run_spider("replay", args, {"SQLITE_PATH": db_path, **(overrides or {})})
    after = snapshot(db_path, site)
    new, changed, fields = diff_rows(before, after)
    return ReprocessResult(
        run=run, warc_files=files, compared=len(after), new=new, changed=changed, fields=fields
    )


def report(result: ReprocessResult) -> str:
    """The summary `news-ingest reprocess` prints."""
    counts = result.run.counts
    lines = [
        f"reprocess: {result.run.finish_reason}. {len(result.warc_files)} WARC file(s), "
        f"{counts['pages_seen']} archived pages -> {counts['inserted']} inserted, "
        f"{counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['failures']} failures.",
        f"Articles compared: {result.compared}; new: {result.new}; changed: {result.changed}.",
    ]
    if result.fields:
        lines.append("Changed fields (articles per column):")
        lines += [f"  {name}: {count}" for name, count in result.fields.most_common()]
    return "\n".join(lines)
