"""A replay manifest (JSONL: ``file``, ``url``, ``fetched_at``), looked up from disk, not memory.

An archive of 100,000 saved pages has a manifest of 100,000 lines; read into a
dict of ``Path`` keys it held ~90 MB in the crawl process for the whole run
(measured with ``tracemalloc``), the one per-page state a replay kept. The
lines go instead into a private temporary SQLite database (``sqlite3.connect("")``:
on disk, with SQLite's bounded page cache, deleted when it is closed), read
once, up front, so that a bad line still fails before the first page.
The standard library's ``sqlite3`` is enough for one keyed scratch table; the
project's own database and its schema stay with sqlite-utils.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

#: manifest lines written per transaction while loading
BATCH = 5000


class Manifest:
    """``resolved file path -> {"url", "fetched_at"}``, with the lookups a replay needs."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE entries (file TEXT PRIMARY KEY, url TEXT, fetched_at TEXT)")

    def _put(self, rows: list[tuple[str, Any, Any]]) -> None:
        with self._db:  # one transaction
            self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)

    def get(self, path: Path) -> dict[str, Any] | None:
        """The entry of ``path`` (already resolved), or None."""
        row = self._db.execute("SELECT url, fetched_at FROM entries WHERE file = ?", (str(path),)).fetchone()
        return None if row is None else {"url": row[0], "fetched_at": row[1]}

    def close(self) -> None:
        self._db.close()


def load_manifest(manifest: str | Path) -> Manifest:
    """Read a JSONL manifest; raise ValueError naming the first bad line."""
    manifest = Path(manifest)
    entries = Manifest()
    batch: list[tuple[str, Any, Any]] = []
    with manifest.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{manifest}:{number}: not JSON ({exc.msg})") from exc
            if not isinstance(record, dict) or "file" not in record or "url" not in record:
                raise ValueError(f"{manifest}:{number}: a line needs 'file' and 'url'")
            target = Path(record["file"])
            if not target.is_absolute():
                target = manifest.parent / target
            batch.append((str(target.resolve()), record["url"],
                          record.get("fetched_at") or record.get("crawl_date")))
            if len(batch) >= BATCH:
                entries._put(batch)
                batch = []
    if batch:
        entries._put(batch)
    return entries
