"""What a pool worker process runs for one page: extraction, then the pure stages after it.

The trafilatura ``Extractor`` options (the extract adapter's own, built once from the
settings) and the stages (:mod:`pipelines.stage`) reach each worker process once, through
:func:`init_worker` (the pool's initializer), instead of being pickled with every page.
They live in module globals because that is the only state a ``ProcessPoolExecutor``
worker keeps between tasks; it is per process and never shared with the crawler. Reads
no settings (the extract adapter passes them to :func:`init_worker`).
"""

from __future__ import annotations

import dataclasses
import signal
import traceback
from typing import TYPE_CHECKING

from trafilatura.settings import Extractor

from pipelines.memory import TRIM_SLACK, HeapTrimmer
from pipelines.page import PageResult, process_page
from pipelines.stage import PageStage, PageStats, StageSpec, build_stages

if TYPE_CHECKING:
    from crawler.items import ArticleItem

_options: Extractor | None = None
_trimmer: HeapTrimmer | None = None
_min_words = 0
_stages: list[PageStage] = []


def init_worker(options: Extractor, release_memory: bool = True, min_words: int = 0,
                stages: tuple[StageSpec, ...] = (), trim_slack: int = TRIM_SLACK) -> None:
    """Pool initializer: keep the crawl's trafilatura ``options`` and build the stages, once.

    ``release_memory``: give free heap back to the system once the worker has grown
    ``trim_slack`` bytes past its size after the last trim (0: after every page).
    """
    global _options, _trimmer, _min_words, _stages
    # Ctrl-C reaches the whole process group: the crawler shuts down gracefully and
    # finishes its pages in flight, so the workers must not die of it first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _options = options
    _trimmer = HeapTrimmer(trim_slack) if release_memory else None
    _min_words = min_words
    _stages = build_stages(stages)


def run_page(item: ArticleItem, page: bytes) -> PageResult:
    """:func:`pipelines.page.process_page` with this worker's options and stages.

    ``page``: the item's HTML as UTF-8 bytes (``surrogatepass``), sent apart from the item:
    the crawl process keeps no decoded copy (see ``ExtractPipeline``).
    """
    if _options is None:  # a pool started without the initializer is a wiring bug
        raise RuntimeError("pipelines.worker.init_worker was not run in this process")
    item.html = page.decode("utf-8", "surrogatepass")
    stats = PageStats()
    result = PageResult(fields={}, stats=stats)
    try:
        result.drop = process_page(item, options=_options, min_words=_min_words, stages=_stages,
                                   stats=stats)
    except Exception as exc:  # noqa: BLE001 (carried to the crawl process with the fields so far)
        # Raised from here, it would leave the crawl's item as it was before extraction, and
        # its failure row would name the wrong last stage: the adapter raises it there instead.
        result.error, result.traceback = exc, traceback.format_exc()
    finally:
        # the page's tree is freed by now; without this, one large page keeps the
        # worker's heap tens of MB larger for the rest of its life (pipelines/memory.py)
        if _trimmer is not None and _trimmer.after_page():
            stats.inc_value("news/extract/heap_trims")
    # The html stays behind: only extraction reads it (the crawl process sent it as bytes).
    result.fields = {f.name: getattr(item, f.name) for f in dataclasses.fields(item) if f.name != "html"}
    return result
