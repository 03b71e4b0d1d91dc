"""Process trees from /proc (Linux): which processes a crawl started, however deep.

The extraction workers are grandchildren of the crawl (children of its fork server),
so neither ``wait4`` nor a child list sees them; the tests and the throughput
benchmark walk /proc instead.
"""

from __future__ import annotations

from pathlib import Path


def state(pid: int) -> str | None:
    """A process's state letter ("Z" for a zombie: dead, not yet reaped), None when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def descendants(root: int) -> list[int]:
    """The live (not zombie) processes below ``root``, parents before their children."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
