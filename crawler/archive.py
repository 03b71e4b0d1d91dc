"""Raw archive of live crawls in WARC files, and reading them back for replay/reprocess.

:class:`WarcArchiveMiddleware` (downloader side, so it sees the bytes and headers
as the server sent them, before decompression) writes every fetched response
with its HTTP headers and fetch time into one ``.warc.gz`` file per run. Reads
settings ``NEWS_WARC_ENABLED`` (default on; a replay downloads nothing, so it
writes nothing) and ``NEWS_WARC_DIR`` (default: ``warc/`` beside ``SQLITE_PATH``).

:func:`latest_pages` reads archives back: the newest HTML 200 response per URL,
which the replay spider turns into items (so ``news-ingest reprocess`` re-runs
the current pipelines over what was fetched, without network).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.fixtures import iso_utc
from crawler.sites import host_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

WARC_SUFFIXES = (".warc", ".warc.gz")
#: WARC extension header carrying the discovery hints (feed/sitemap title, date, authors) of a page
HINTS_HEADER = "News-Ingest-Hints"
#: hop-by-hop headers describing a transfer the stored body no longer has (Twisted de-chunks)
DROPPED_HEADERS = {b"transfer-encoding", b"connection", b"keep-alive"}


def is_warc_file(path: Path) -> bool:
    """True for ``.warc`` and ``.warc.gz`` files."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def warc_date(iso: str) -> str:
    """``2024-05-01T10:00:00+00:00`` -> ``2024-05-01T10:00:00Z`` (the WARC-Date form)."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_response(
    writer: WARCWriter,
    url: str,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    fetched_at: str,
    hints: dict[str, Any] | None = None,
) -> None:
    """Append one HTTP response record (with the page's discovery hints, so a reprocess has them)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    kept = [
        (k, v)
        for k, v in headers
        if k.lower().encode() not in DROPPED_HEADERS and k.lower() != "content-length"
    ]
    kept.append(("Content-Length", str(len(body))))
    http_headers = StatusAndHeaders(f"{status} {phrase}", kept, protocol="HTTP/1.1")
    warc_headers = {"WARC-Date": warc_date(fetched_at)}
    if hints:
        warc_headers[HINTS_HEADER] = json.dumps(hints, ensure_ascii=True, default=str)
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=http_headers, warc_headers_dict=warc_headers
    )
    writer.write_record(record)


class WarcArchiveMiddleware:
    """Downloader middleware: every response into this run's WARC file, fetch time into meta."""

    def __init__(self, crawler: Crawler, folder: Path) -> None:
        self.crawler = crawler
        self.folder = folder
        self.handle: IO[bytes] | None = None
        self.writer: WARCWriter | None = None
        self.path: Path | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWS_WARC_ENABLED"):
            # No message: Scrapy logs a message-less NotConfigured at DEBUG, not as a warning
            # (replay turns the archive off on purpose, every run).
            raise NotConfigured
        folder = settings.get("NEWS_WARC_DIR") or str(Path(settings.get("SQLITE_PATH")).parent / "warc")
        return cls(crawler, Path(folder))

    def _writer(self) -> WARCWriter:
        if self.writer is None:
            # Opened on the first response, so a run that downloads nothing leaves no file.
            self.folder.mkdir(parents=True, exist_ok=True)
            spider = self.crawler.spider.name if self.crawler.spider else "crawl"
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            self.path = self.folder / f"{spider}-{stamp}-{os.getpid()}.warc.gz"
            self.handle = self.path.open("ab")
            self.writer = WARCWriter(self.handle, gzip=True)
        return self.writer

    def process_response(self, request: Request, response: Response) -> Response:
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        # The spider stamps the item with this same instant, so the row and the record agree.
        request.meta["fetched_at"] = fetched_at
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, values in response.headers.items()
            for v in values
        ]
        write_response(
            self._writer(),
            response.url,
            response.status,
            headers,
            response.body,
            fetched_at,
            request.meta.get("hints"),
        )
        self.crawler.stats.inc_value("news/archive/records")
        return response

    def spider_closed(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
            self.writer = None


@dataclass
class WarcPage:
    """One archived HTML response."""

    url: str
    fetched_at: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    hints: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    #: "<file>#<offset>": where the record is
    location: str = ""


def _is_html_response(record: ArcWarcRecord) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    status = record.http_headers.get_statuscode()
    kind = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    return status == "200" and kind in ("text/html", "application/xhtml+xml", "")


def _page(record: ArcWarcRecord, location: str) -> WarcPage:
    headers = {
        k: v
        for k, v in record.http_headers.headers
        if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    }
    return WarcPage(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        fetched_at=iso_utc(record.rec_headers.get_header("WARC-Date")),
        body=record.content_stream().read(),
        headers=headers,
        hints=json.loads(record.rec_headers.get_header(HINTS_HEADER) or "{}"),
        status=int(record.http_headers.get_statuscode()),
        location=location,
    )


def _wanted(url: str, fetched_at: str, site: str | None, since: str | None) -> bool:
    if site:
        host, want = host_of(url), site.lower().removeprefix("www.")
        if host != want and not host.endswith("." + want):
            return False
    return not (since and fetched_at < since)


def latest_pages(
    paths: Iterable[Path], site: str | None = None, since: str | None = None
) -> Iterator[WarcPage]:
    """The newest HTML 200 response per URL across WARC files (older copies are history).

    Args:
        paths: WARC files, read in the given order (a later record of a URL wins a tie).
        site: keep only URLs of this host or its subdomains.
        since: keep only records fetched at or after this ISO 8601 UTC instant.
    """
    newest: dict[str, tuple[str, int, int]] = {}  # url -> (fetched_at, file index, offset)
    files = list(paths)
    for index, path in enumerate(files):
        with path.open("rb") as handle:
            records = ArchiveIterator(handle)
            for record in records:
                if not _is_html_response(record):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                fetched_at = iso_utc(record.rec_headers.get_header("WARC-Date"))
                if not _wanted(url, fetched_at, site, since):
                    continue
                if url not in newest or fetched_at >= newest[url][0]:
                    newest[url] = (fetched_at, index, records.get_record_offset())
    by_file: dict[int, list[int]] = {}
    for _, index, offset in newest.values():
        by_file.setdefault(index, []).append(offset)
    for index, offsets in sorted(by_file.items()):
        with files[index].open("rb") as handle:
            for offset in sorted(offsets):
                # Each record of a .warc.gz is its own gzip member, so reading can start at its offset.
                handle.seek(offset)
                record = next(iter(ArchiveIterator(handle)))
                yield _page(record, f"{files[index]}#{offset}")


def warc_files(folder: Path) -> list[Path]:
    """The WARC files of a folder (recursively), oldest name first (names start with a timestamp)."""
    return sorted(
        (p for p in folder.rglob("*") if p.is_file() and is_warc_file(p)),
        key=lambda p: (p.name.split("-", 1)[-1], str(p)),
    )
