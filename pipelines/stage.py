"""Pure per-page stages: one base for the item pipelines that can run in an extraction worker.

A :class:`PageStage` works on its item alone: no database, no state carried from
one item to the next, settings given as plain values, events counted through a
``stats`` argument. So the same :meth:`PageStage.apply` runs in the crawl
process, as an ordinary item pipeline, or in a pool worker right after
extraction. With ``NEWS_EXTRACT_WORKERS`` > 0, :class:`pipelines.extract.ExtractPipeline`
hands its workers the PageStages listed directly after it in ``ITEM_PIPELINES``
(:func:`stages_after`), and each of those pipelines then lets the item pass,
since its name is already in ``item.stages``. A stage removed from
``ITEM_PIPELINES`` runs nowhere; one moved behind a pipeline of another kind runs
where it is listed, in the crawl process. Nothing here imports Scrapy at
import time: workers import this module and stay without it. Reads no settings
(each stage reads its own in :meth:`PageStage.stage_settings`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from crawler.items import ArticleItem

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

#: what a worker builds a stage from: the class's import path and its plain settings
StageSpec = tuple[str, dict[str, Any]]


class Stats(Protocol):
    """What a stage counts with: the crawl's stats collector, or a worker's :class:`PageStats`."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        """Add ``count`` to ``key`` (which starts at ``start``)."""


class PageStats(dict[str, int]):
    """One page's counts in a worker; the extract adapter adds them to the crawl's stats."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        """As Scrapy's ``StatsCollector.inc_value``."""
        self[key] = self.get(key, start) + count


class PageStage:
    """Base of a pure item pipeline: subclasses set :attr:`name` and implement :meth:`apply`.

    Constructor arguments are the stage's settings, plain picklable values that
    :meth:`stage_settings` reads; a stage that needs no setting takes none.
    """

    #: what the stage appends to ``item.stages``, which also tells its pipeline that a worker ran it
    name: ClassVar[str]
    #: set by :meth:`from_crawler` in the crawl process; a worker's stages have none
    crawler: Crawler | None = None

    @classmethod
    def stage_settings(cls, settings: BaseSettings) -> dict[str, Any]:
        """The constructor's keyword arguments, read from Scrapy settings."""
        return {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """The crawl process's instance: built from the settings, counting into the crawl's stats."""
        stage = cls(**cls.stage_settings(crawler.settings))
        stage.crawler = crawler
        return stage

    def apply(self, item: ArticleItem, stats: Stats) -> None:
        """Fill this stage's fields of ``item`` (never raising a drop)."""
        raise NotImplementedError

    def run(self, item: ArticleItem, stats: Stats) -> None:
        """Apply the stage and record it in ``item.stages``, wherever it runs."""
        self.apply(item, stats)
        item.stages.append(self.name)

    def process_item(self, item: Any) -> Any:
        """Scrapy's entry point: apply the stage unless an extraction worker already did."""
        if not isinstance(item, ArticleItem) or self.name in item.stages:
            return item
        assert self.crawler is not None and self.crawler.stats is not None  # set by from_crawler
        self.run(item, self.crawler.stats)
        return item


def pipeline_enabled(settings: BaseSettings, path: str) -> bool:
    """Is the class at dotted ``path`` one of the crawl's item pipelines?

    Answered from the setting's keys, importing nothing: Scrapy's own reading of
    ``ITEM_PIPELINES`` (``get_component_priority_dict_with_base``, as in :func:`stages_after`)
    imports every pipeline, ~0.2 s of the crawl process's start for this project's
    (trafilatura, dateparser). As Scrapy does, a key in ``ITEM_PIPELINES`` overrides the same
    pipeline in ``ITEM_PIPELINES_BASE``, given as a path or as a class, and None disables it.
    """
    from scrapy.utils.python import global_object_name

    orders: dict[str, Any] = {}
    for name in ("ITEM_PIPELINES_BASE", "ITEM_PIPELINES"):
        for key, order in (settings[name] or {}).items():
            orders[key if isinstance(key, str) else global_object_name(key)] = order
    return orders.get(path) is not None


def stages_after(settings: BaseSettings, pipeline: type) -> tuple[StageSpec, ...]:
    """The PageStages that directly follow ``pipeline`` in ``ITEM_PIPELINES``, in order.

    Read the way Scrapy's item pipeline manager reads the setting, so the order
    and what is disabled are the crawl's own. A stage whose settings raise
    ``NotConfigured`` is left out, as Scrapy leaves its pipeline out. Empty when
    ``pipeline`` is not listed.
    """
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.misc import load_object

    listed = [load_object(entry) for entry in build_component_list(
        settings.get_component_priority_dict_with_base("ITEM_PIPELINES"))]
    if pipeline not in listed:
        return ()
    specs: list[StageSpec] = []
    for cls in listed[listed.index(pipeline) + 1:]:
        if not (isinstance(cls, type) and issubclass(cls, PageStage)):
            break  # the next stage needs the crawl process: it and all after it run there
        try:
            specs.append((f"{cls.__module__}.{cls.__qualname__}", cls.stage_settings(settings)))
        except NotConfigured:
            continue
    return tuple(specs)


def build_stages(specs: tuple[StageSpec, ...]) -> list[PageStage]:
    """A worker's stages from their specs (without Scrapy: no ``load_object``)."""
    stages: list[PageStage] = []
    for path, values in specs:
        module, _, name = path.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        stages.append(cls(**values))
    return stages
