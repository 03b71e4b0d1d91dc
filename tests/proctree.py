"""Process trees from /proc (Linux): which processes a crawl started, however deep.

The extraction workers are grandchildren of the crawl (children of its fork server),
so ``wait4`` does not see them; the tests and the throughput benchmark follow each
process's list of children in /proc instead.
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


def _children(pid: int) -> list[int] | None:
    """The children of ``pid`` from each of its threads' ``children`` file (Linux 3.5+); None
    where the kernel keeps no such file."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:  # the process ended meanwhile
        return []
    found: list[int] = []
    for task in tasks:
        try:
            found += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except FileNotFoundError:
            if Path(f"/proc/{pid}/task/{task}").exists():
                return None
            # the thread ended meanwhile
    return found


def descendants(root: int) -> list[int]:
    """The live (not zombie) processes below ``root``, parents before their children.

    Read from the processes' own lists of children; where the kernel keeps none, from a
    scan of every process on the machine, which cost the throughput benchmark's watcher
    ~0.5 s of CPU per replay (5 samples a second), taken from the replay it measures."""
    found, todo = [], [root]
    while todo:
        children = _children(todo.pop())
        if children is None:
            return _descendants_by_scan(root)
        for child in children:
            if state(child) not in (None, "Z"):
                found.append(child)
                todo.append(child)
    return found


def _descendants_by_scan(root: int) -> list[int]:
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
