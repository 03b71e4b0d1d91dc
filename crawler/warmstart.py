"""Add-on: start the extraction pool's fork server when the crawl starts, not at its first page.

Before a worker can fork, the fork server imports the extraction code and runs its warm-up
(``pipelines/warmup.py``): ~0.7 s of one core. Started by the first page, that came after the
crawl process's own start (its components, the spider, the database), with the second core
idle through both. Started from here, as soon as the settings are read, the two overlap on
two cores: the replay of the 657 corpus pages stored its first row 0.25-0.3 s sooner, and a
live crawl's workers are warm by the time its first article is downloaded. The workers
themselves still start on the first page (``WorkerPool.start``).

The add-on imports no extraction code before it starts the server: it finds the extract stage
in ``ITEM_PIPELINES`` by its path, and the server preloads :data:`pipelines.preload.WORKER_PRELOAD`,
which every crawl's workers need whatever their stages. Importing the pooled stages first,
to preload their modules too, made the server wait ~0.2 s for this process's imports of
trafilatura and dateparser. Each worker imports the stage modules itself when it starts
(``init_worker``, ~12 ms of CPU).

The cost falls on a crawl that extracts nothing (a rerun in which every article is
current): the fork server's warm-up on the other core (~0.7 s of CPU, ~90 MB for as long as
the crawl runs). Not started with ``NEWS_EXTRACT_EARLY_START=0``, without extraction workers
(``NEWS_EXTRACT_WORKERS=0``), without the extract stage in ``ITEM_PIPELINES``, or on one core,
where nothing would overlap.

Scrapy calls :meth:`ForkServerAddon.update_pre_crawler_settings` when the crawler process is
created, before any crawler or spider (``ADDONS``, crawler/settings.py), and so for commands
that create one (``crawl``, ``shell``, ``fetch``...), not for ``list`` or ``settings``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipelines.pool import start_fork_server, usable_cores
from pipelines.preload import EXTRACT_PIPELINE, WORKER_PRELOAD
from pipelines.stage import pipeline_enabled

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class ForkServerAddon:
    """Starts the fork server with the workers' own preload (:data:`WORKER_PRELOAD`)."""

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        if not settings.getbool("NEWS_EXTRACT_EARLY_START", True) \
                or settings.getint("NEWS_EXTRACT_WORKERS", 0) < 1 or usable_cores() < 2:
            return
        if pipeline_enabled(settings, EXTRACT_PIPELINE):
            start_fork_server(WORKER_PRELOAD)
