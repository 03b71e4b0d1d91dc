"""Pure stages (pipelines/stage.py): which run in the extraction workers, and the same result inline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from crawler.items import ArticleItem
from pipelines.dates import DatesPipeline
from pipelines.extract import ExtractPipeline
from pipelines.stage import PageStage, PageStats, StageSpec, build_stages, stages_after
from tests.conftest import PAGES, scrapy_crawl

PROJECT_PIPELINES: dict[str, int] = dict(get_project_settings().getdict("ITEM_PIPELINES"))
#: the project's pure stages, in ITEM_PIPELINES order
PURE_STAGES = ["captions", "leadlines", "sitename", "bylines", "dates", "titles", "taxonomy"]


def _settings(**changes: int | None) -> Settings:
    pipelines: dict[str, int | None] = {**PROJECT_PIPELINES, **changes}
    return Settings({"ITEM_PIPELINES": pipelines, "NEWS_DATES_DEFAULT_TIMEZONE": "Europe/Berlin"})


def _names(specs: tuple[StageSpec, ...]) -> list[str]:
    return [stage.name for stage in build_stages(specs)]


def test_the_stages_after_extract_are_the_project_pure_stages_in_order() -> None:
    specs = stages_after(_settings(), ExtractPipeline)
    assert [path for path, _ in specs] == [
        "pipelines.captions.CaptionsPipeline", "pipelines.leadlines.LeadLinesPipeline",
        "pipelines.sitename.SiteNamePipeline", "pipelines.bylines.BylinesPipeline",
        "pipelines.dates.DatesPipeline", "pipelines.titles.TitlesPipeline",
        "pipelines.taxonomy.TaxonomyPipeline"]
    # plain settings values, which a worker builds its stage from without Scrapy
    assert dict(specs)["pipelines.dates.DatesPipeline"] == {"default_timezone": "Europe/Berlin"}
    assert _names(specs) == PURE_STAGES


def test_a_disabled_stage_is_left_out_and_another_pipeline_ends_the_run() -> None:
    without_dates = _settings(**{"pipelines.dates.DatesPipeline": None})
    assert _names(stages_after(without_dates, ExtractPipeline)) == [
        "captions", "leadlines", "sitename", "bylines", "titles", "taxonomy"]
    # boilerplate (needs the database) moved between leadlines and sitename: the rest stay behind it
    moved = _settings(**{"pipelines.boilerplate.BoilerplatePipeline": 340})
    assert _names(stages_after(moved, ExtractPipeline)) == ["captions", "leadlines"]


def test_no_stages_when_extract_is_not_listed() -> None:
    assert stages_after(Settings({"ITEM_PIPELINES": {"pipelines.dates.DatesPipeline": 500}}),
                        ExtractPipeline) == ()


def test_page_stats_count_as_scrapy_stats_do() -> None:
    stats = PageStats()
    stats.inc_value("a")
    stats.inc_value("a", 2)
    stats.inc_value("b", 1, start=10)
    assert stats == {"a": 3, "b": 11}


class _Recording(PageStage):
    name = "recording"

    def __init__(self) -> None:
        self.applied: list[str] = []

    def apply(self, item: ArticleItem, stats: Any) -> None:
        self.applied.append(item.source)


def test_a_stage_passes_on_an_item_a_worker_already_ran_it_on() -> None:
    crawler = get_crawler()
    crawler.stats.open_spider()
    stage = _Recording.from_crawler(crawler)
    done = ArticleItem(fetched_url="u", source="done", html="", fetched_at="",
                       stages=["extract", "recording"])
    fresh = ArticleItem(fetched_url="u", source="fresh", html="", fetched_at="", stages=["extract"])
    assert stage.process_item(done) is done and stage.process_item(fresh) is fresh
    assert stage.applied == ["fresh"]
    assert (done.stages, fresh.stages) == (["extract", "recording"], ["extract", "recording"])
    assert stage.process_item({"not": "an article"}) == {"not": "an article"}


def test_a_worker_builds_the_dates_stage_from_its_spec_and_a_bad_zone_fails_early() -> None:
    kept = ("ExtractPipeline", "DatesPipeline")
    only_dates = _settings(**{name: None for name in PROJECT_PIPELINES if not name.endswith(kept)})
    [stage] = build_stages(stages_after(only_dates, ExtractPipeline))
    assert isinstance(stage, DatesPipeline) and stage.default_timezone == "Europe/Berlin"
    with pytest.raises(ZoneInfoNotFoundError):
        DatesPipeline(default_timezone="Europe/Nowhere")


# --- real crawls of the fixture pages, the pool on and off ---------------------------------------

#: the project's pipelines plus test stages: one inside the workers' run (between bylines and dates),
#: one that raises on one page, one behind boilerplate (crawl process only); the titles stage disabled
TEST_PIPELINES: dict[str, int | None] = {
    **PROJECT_PIPELINES,
    "tests.stages_testonly.PidStage": 450,
    "tests.stages_testonly.BoomStage": 460,
    "tests.stages_testonly.LatePidStage": 760,
    "pipelines.titles.TitlesPipeline": None,
}
#: columns that differ between two runs of the same pages whatever the stages do
RUN_COLUMNS = {"site_id"}


def _crawl(tmp_path: Path, workers: int) -> dict[str, Any]:
    db = tmp_path / f"w{workers}.db"
    result = scrapy_crawl("replay", db, f"path={PAGES}", settings={
        "NEWS_EXTRACT_WORKERS": str(workers), "ITEM_PIPELINES": json.dumps(TEST_PIPELINES)})
    assert result.returncode == 0, result.stderr[-3000:]
    database = Database(db)
    stats = json.loads(next(iter(database["crawl_runs"].rows))["stats"])
    return {
        "stats": stats,
        "rows": sorted(({k: v for k, v in row.items() if k not in RUN_COLUMNS}
                        for row in database["articles"].rows), key=lambda r: r["url"]),
        "failures": sorted((row["source"], row["stage"], row["reason"]) for row in database["failures"].rows),
    }


def _pids(stats: dict[str, Any], stage: str) -> set[int]:
    prefix = f"test/{stage}/pid/"
    return {int(key[len(prefix):]) for key in stats if key.startswith(prefix)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, Any]]:
    tmp_path = tmp_path_factory.mktemp("stages")
    return {workers: _crawl(tmp_path, workers) for workers in (2, 0)}


def test_pool_on_the_pure_stages_run_in_the_workers(runs: dict[int, dict[str, Any]]) -> None:
    stats = runs[2]["stats"]
    crawl_pid = stats["test/crawl_pid"]
    workers = _pids(stats, "pid")
    assert workers and crawl_pid not in workers
    assert "test/pid/with_scrapy" not in stats  # the workers stay without Scrapy
    # behind boilerplate, a pure stage runs where it is listed: in the crawl process
    assert _pids(stats, "latepid") == {crawl_pid}


def test_pool_off_they_run_in_the_crawl_process(runs: dict[int, dict[str, Any]]) -> None:
    stats = runs[0]["stats"]
    assert _pids(stats, "pid") == _pids(stats, "latepid") == {stats["test/crawl_pid"]}


def test_stages_run_in_the_listed_order_and_a_disabled_one_not_at_all(
        runs: dict[int, dict[str, Any]]) -> None:
    for run in runs.values():
        assert run["rows"]
        for row in run["rows"]:
            assert json.loads(row["stages"]) == [
                "extract", "captions", "leadlines", "sitename", "bylines", "pid", "boom", "dates",
                "taxonomy", "boilerplate", "latepid", "fingerprint", "store"]
            assert row["title"] is None  # the titles stage is disabled
        assert not any(key.startswith("news/titles/") for key in run["stats"])


def test_pool_on_and_off_give_the_same_rows_stats_and_failures(runs: dict[int, dict[str, Any]]) -> None:
    def news(stats: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in stats.items() if k.startswith(("news/", "test/boom/", "item_dropped_"))
                and not k.startswith(("news/extract/workers_", "news/gc/"))}

    pooled, inline = runs[2], runs[0]
    assert pooled["rows"] == inline["rows"]
    assert news(pooled["stats"]) == news(inline["stats"])
    assert any(k.startswith("news/bylines/from_") for k in pooled["stats"])  # the stages' own stats
    assert sum(v for k, v in pooled["stats"].items() if k.startswith("test/pid/pid/")) == \
        pooled["stats"]["test/boom/raised"]
    # a stage's error in a worker is the same failure as inline: after the last stage that ran
    assert pooled["failures"] == inline["failures"]
    assert any("after the pid stage (RuntimeError: boom on the Kerry page)" in reason
               for _, _, reason in pooled["failures"])
