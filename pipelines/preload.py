"""What the extraction pool's fork server imports before it forks a worker.

Kept apart from :mod:`pipelines.extract` so that the early-start add-on
(crawler/warmstart.py) can start the fork server without importing the extraction
code first: in the crawl process those imports (trafilatura, dateparser, the stage
modules) took ~0.2 s, and the fork server's own preload waited behind them.
Nothing here imports anything. Reads no settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.stage import StageSpec

#: the item pipeline that runs extraction, and the pooled stages after it, in its workers
EXTRACT_PIPELINE = "pipelines.extract.ExtractPipeline"
#: the worker's code, and the warm-up that fills the libraries' lazy tables once for every
#: worker (pipelines/warmup.py)
WORKER_PRELOAD = ("pipelines.worker", "pipelines.warmup")


def fork_server_preload(stages: tuple[StageSpec, ...]) -> tuple[str, ...]:
    """What the pool's fork server imports before it forks a worker: the modules of the pooled
    ``stages``, then :data:`WORKER_PRELOAD`. Loaded there once, before the warm-up freezes the
    heap, rather than in every worker that the pool starts or recycles."""
    return (*dict.fromkeys(path.rpartition(".")[0] for path, _ in stages), *WORKER_PRELOAD)
