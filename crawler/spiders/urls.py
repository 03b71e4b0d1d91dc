"""`scrapy crawl urls`: fetch an explicit list of article URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy

from crawler.spiders.live import LiveSpider, check_url, split_list


def read_url_file(path: str | Path) -> list[str]:
    """One URL per line of a local file; blank lines and ``#`` comments skipped; order kept, no repeats."""
    urls: list[str] = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            text = line.strip()
            # Only whole-line comments: a '#' later in the line may be part of the URL.
            if not text or text.startswith("#"):
                continue
            try:
                check_url(text)
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
            if text not in urls:
                urls.append(text)
    return urls


class UrlsSpider(LiveSpider):
    """Fetch the article pages you list.

    Arguments:
        file: a local text file, one URL per line (``#`` comments and blank lines skipped).
        urls: comma-separated URLs (with or beside ``file``).
        site, refresh, limit: as for every live spider (see crawler/spiders/live.py).

    Example::

        scrapy crawl urls -a file=urls.txt -s SQLITE_PATH=data/articles.db
    """

    name = "urls"

    def __init__(self, file: str | None = None, urls: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.file = file or ""
        listed = read_url_file(file) if file else []
        listed += [check_url(u, "urls") for u in split_list(urls) if u not in listed]
        if not listed:
            raise ValueError("urls needs -a file=PATH or -a urls=URL[,URL...] with at least one URL")
        self.url_list = listed

    async def start(self) -> AsyncIterator[scrapy.Request]:  # type: ignore[override]
        for url in self.url_list:
            yield self.article_request(url)
