"""crawler/warmstart.py: the fork server starts with the crawler process, with the extract stage's preload."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# A fresh interpreter each: a process has one fork server, started once. Prints the modules the
# fork server preloads (or null if none was started) and the pool's own preload for these settings.
SCRIPT = """
import json, sys
from multiprocessing import forkserver
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from pipelines.extract import ExtractPipeline, fork_server_preload
from pipelines.stage import stages_after

settings = get_project_settings()
settings.setdict(json.loads(sys.argv[1]), priority="cmdline")
CrawlerProcess(settings)  # Scrapy runs the add-ons' update_pre_crawler_settings here
server = forkserver._forkserver
started = server._forkserver_pid is not None
print(json.dumps({
    "preload": server._preload_modules if started else None,
    "pool": list(fork_server_preload(stages_after(settings, ExtractPipeline))),
}))
"""


def preloads(settings: dict[str, object]) -> dict[str, list[str] | None]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(settings)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(autouse=True)
def two_cores() -> None:
    from pipelines.pool import usable_cores

    if usable_cores() < 2:
        pytest.skip("the fork server starts early only with two cores or more")


def test_the_crawler_process_starts_the_fork_server_with_the_pools_preload() -> None:
    found = preloads({"NEWS_EXTRACT_WORKERS": 2})
    assert found["preload"] == found["pool"]
    assert found["pool"][-2:] == ["pipelines.worker", "pipelines.warmup"]
    assert "pipelines.dates" in found["pool"]  # a pooled stage's module


@pytest.mark.parametrize("settings", [
    {"NEWS_EXTRACT_WORKERS": 2, "NEWS_EXTRACT_EARLY_START": False},
    {"NEWS_EXTRACT_WORKERS": 0},
    {"NEWS_EXTRACT_WORKERS": 2, "ITEM_PIPELINES": {"pipelines.extract.ExtractPipeline": None}},
], ids=["switched-off", "inline-extraction", "no-extract-stage"])
def test_no_fork_server_when_it_would_not_be_used(settings: dict[str, object]) -> None:
    assert preloads(settings)["preload"] is None
