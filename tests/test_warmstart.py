"""crawler/warmstart.py: the fork server starts with the crawler process, with the workers' preload,
before the crawl process imports any pipeline."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipelines.preload import EXTRACT_PIPELINE, WORKER_PRELOAD
from pipelines.stage import pipeline_enabled
from tests.conftest import ROOT

# A fresh interpreter each: a process has one fork server, started once. Prints the modules the
# fork server preloads (or null if none was started), and which heavy libraries the crawl process
# had imported when the server started.
SCRIPT = """
import json, sys
from multiprocessing import forkserver
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

imported = {}
ensure_running = forkserver.ensure_running
def recording_start():
    heavy = ("trafilatura", "dateparser", "pipelines.extract")
    imported.update({name: name in sys.modules for name in heavy})
    ensure_running()
forkserver.ensure_running = recording_start

settings = get_project_settings()
settings.setdict(json.loads(sys.argv[1]), priority="cmdline")
CrawlerProcess(settings)  # Scrapy runs the add-ons' update_pre_crawler_settings here
server = forkserver._forkserver
started = server._forkserver_pid is not None
print(json.dumps({"preload": server._preload_modules if started else None, "imported": imported}))
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


def test_the_crawler_process_starts_the_fork_server_before_importing_extraction() -> None:
    found = preloads({"NEWS_EXTRACT_WORKERS": 2})
    assert found["preload"] == list(WORKER_PRELOAD)
    # Scrapy's own reading of ITEM_PIPELINES would have imported all of these first.
    assert found["imported"] == {"trafilatura": False, "dateparser": False, "pipelines.extract": False}


def test_extract_pipeline_path_names_the_class() -> None:
    from scrapy.utils.python import global_object_name

    from pipelines.extract import ExtractPipeline

    assert global_object_name(ExtractPipeline) == EXTRACT_PIPELINE


def test_pipeline_enabled_reads_the_setting_as_scrapy_does() -> None:
    from scrapy.settings import Settings

    from pipelines.extract import ExtractPipeline

    def enabled(pipelines: dict[object, int | None], base: dict[object, int | None] | None = None) -> bool:
        settings = Settings({"ITEM_PIPELINES": pipelines, "ITEM_PIPELINES_BASE": base or {}})
        return pipeline_enabled(settings, EXTRACT_PIPELINE)

    assert enabled({EXTRACT_PIPELINE: 100})
    assert enabled({ExtractPipeline: 100})  # a class as the key
    assert enabled({}, base={EXTRACT_PIPELINE: 100})
    assert not enabled({})
    assert not enabled({"pipelines.store.StorePipeline": 900})
    # None disables the pipeline, whichever form either setting names it in
    assert not enabled({EXTRACT_PIPELINE: None})
    assert not enabled({ExtractPipeline: None}, base={EXTRACT_PIPELINE: 100})
    assert not enabled({EXTRACT_PIPELINE: None}, base={ExtractPipeline: 100})


@pytest.mark.parametrize("settings", [
    {"NEWS_EXTRACT_WORKERS": 2, "NEWS_EXTRACT_EARLY_START": False},
    {"NEWS_EXTRACT_WORKERS": 0},
    {"NEWS_EXTRACT_WORKERS": 2, "ITEM_PIPELINES": {"pipelines.extract.ExtractPipeline": None}},
], ids=["switched-off", "inline-extraction", "no-extract-stage"])
def test_no_fork_server_when_it_would_not_be_used(settings: dict[str, object]) -> None:
    assert preloads(settings)["preload"] is None
