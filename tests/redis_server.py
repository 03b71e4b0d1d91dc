"""A real, throw-away redis-server on 127.0.0.1 for the distributed tests and benchmark.

The Debian package ``redis-server`` provides the binary (``.ci/run`` installs
it). Without it a developer's run skips the Redis tests with a message saying
so; in CI (``CI`` set) its absence is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RedisUnavailable(RuntimeError):
    """redis-server is not installed here."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server(folder: Path, timeout: float = 10.0) -> Iterator[str]:
    """Start ``redis-server`` on a free port of 127.0.0.1, persistence off; yield its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisUnavailable("redis-server is not installed (Debian: apt-get install redis-server)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass  # not listening yet: retry until the deadline below
            if process.poll() is not None or time.monotonic() > deadline:
                logfile = folder / "redis.log"
                log = logfile.read_text(errors="replace") if logfile.exists() else ""
                raise RuntimeError(f"redis-server did not start on port {port}: {log[-2000:]}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def in_ci() -> bool:
    """True on the CI machine, where redis-server must be installed."""
    return bool(os.environ.get("CI"))
