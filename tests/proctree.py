"""Process trees from /proc (Linux): which processes a crawl started, however deep.

The extraction workers are grandchildren of the crawl (children of its fork server),
so neither ``wait4`` nor a child list sees them; the tests and the throughput
benchmark walk /proc instead.
"""

from __future__ import annotations

import os
from pathlib import Path


def stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state, ppid, ...), None when
    the process is gone. The name is cut off at its last ")": it may hold spaces and ")"."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def state(pid: int) -> str | None:
    """A process's state letter ("Z" for a zombie: dead, not yet reaped), None when gone."""
    fields = stat_fields(pid)
    return fields[0] if fields else None


def parent(pid: int) -> int | None:
    """A process's parent pid, None when it is gone."""
    fields = stat_fields(pid)
    return int(fields[1]) if fields else None


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when it is gone)."""
    fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def descendants(root: int) -> list[int]:
    """The live (not zombie) processes below ``root``, parents before their children."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = stat_fields(int(entry.name))
        if fields and fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
