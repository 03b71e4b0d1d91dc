"""Export a table of the news database as JSON Lines or CSV.

Used by ``news-ingest export``. Rows stream from sqlite-utils one at a time, so
a large database does not need to fit in memory. In JSONL the JSON-array
columns (authors, categories, ...) come out as arrays, not as strings holding
JSON; CSV has no arrays, so there they stay the JSON text SQLite stores.
Reads no settings.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, TextIO

from sqlite_utils import Database

from pipelines.store import JSON_FIELDS

FORMATS = ("jsonl", "csv")
#: per table, the text columns that hold JSON (decoded in JSONL output)
JSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": JSON_FIELDS,
    "crawl_runs": ("args", "stats"),
    "boilerplate_blocks": ("seen_in",),
}


def rows(db: Database, table: str) -> Iterator[dict[str, Any]]:
    """The rows of ``table`` in insertion order; ValueError (at once) if there is no such table."""
    if table not in db.table_names():
        raise ValueError(f"no table {table!r} (tables: {', '.join(sorted(db.table_names()))})")
    return db.table(table).rows_where(order_by="rowid")


def decode_json_columns(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    """``row`` with each JSON-text column in ``columns`` parsed into its value."""
    decoded = dict(row)
    for name in columns:
        if isinstance(decoded.get(name), str):
            decoded[name] = json.loads(decoded[name])
    return decoded


def export(db: Database, table: str, fmt: str, out: TextIO) -> int:
    """Write every row of ``table`` to ``out`` as ``fmt`` (jsonl or csv); return the row count."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (use {' or '.join(FORMATS)})")
    stream = rows(db, table)
    count = 0
    if fmt == "jsonl":
        json_columns = JSON_COLUMNS.get(table, ())
        for row in stream:
            out.write(json.dumps(decode_json_columns(row, json_columns), ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=list(db.table(table).columns_dict))
    writer.writeheader()
    for row in stream:
        writer.writerow(row)
        count += 1
    return count
