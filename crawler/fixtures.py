"""Saved pages on disk <-> Scrapy responses: shared by the replay spider, tests and the CLI.

A saved page is raw response bytes (``.html``, ``.htm`` or gzipped ``.html.gz``)
plus, optionally, where it came from: a sidecar ``PAGE.json`` beside it
(``{"url", "fetched_at", "headers"}``) or a line of a JSONL manifest
(``{"file", "url", "fetched_at"}``). Bytes are decoded the way Scrapy decodes a
live response (BOM, HTTP ``Content-Type``, ``<meta charset>``/http-equiv, then
detection), so replay and live crawls see the same text.
"""

from __future__ import annotations

import glob
import json
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, TextResponse

PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
#: WARC archives of live crawls (crawler/archive.py): replay reads their HTML response records
WARC_SUFFIXES = (".warc", ".warc.gz")

#: any of these tags near the top means "this is markup", e.g. "<html lang=en>", "<div"
MARKUP_RE = re.compile(rb"<(?:!doctype\s+html|html|head|body|p|div|article|main|section|h1|title)\b",
                       re.IGNORECASE)
#: the root of an XML document saved under an .html name, e.g. '<urlset' (a sitemap) or '<rss'
XML_ROOT_RE = re.compile(rb"<(urlset|sitemapindex|rss|feed)\b", re.IGNORECASE)
#: a prolog item before the root: XML declaration, comment, doctype, processing instruction
PROLOG_RE = re.compile(rb"\s*(?:<\?[^>]*\?>|<!--(?:[^-]|-(?!->))*-->|<!DOCTYPE[^>]*>)", re.IGNORECASE)
#: share of U+FFFD replacement characters above which a page counts as undecodable
MAX_REPLACEMENT_SHARE = 0.01


class PageError(Exception):
    """A saved page that cannot become a response; carries the stage and a plain reason."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


@dataclass
class SavedPage:
    """One page file found by :func:`find_pages`, with what is known of its origin."""

    path: Path
    #: the path as given on the command line plus the path below it
    source: str
    url: str | None = None
    fetched_at: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def is_page_file(path: Path) -> bool:
    """True for file names replay reads (``.html``, ``.htm``, ``.html.gz``, ``.warc``, ``.warc.gz``)."""
    return path.name.lower().endswith(PAGE_SUFFIXES + WARC_SUFFIXES)


def find_pages(path_arg: str) -> Iterator[tuple[Path, str]]:
    """Yield ``(path, source)`` for a file, a folder (recursively, sorted) or a glob."""
    given = Path(path_arg)
    if given.is_file():
        yield given, path_arg
        return
    if given.is_dir():
        for root, dirs, files in os.walk(given):
            dirs.sort()
            for name in sorted(files):
                found = Path(root) / name
                if is_page_file(found):
                    yield found, os.path.join(path_arg, os.path.relpath(found, given))
        return
    matches = sorted(glob.glob(path_arg, recursive=True))
    if not matches:
        raise FileNotFoundError(f"no file, folder or glob match for {path_arg!r}")
    for match in matches:
        if os.path.isdir(match):
            yield from find_pages(match)
        elif is_page_file(Path(match)):
            yield Path(match), match


def sidecar_path(page: Path) -> Path:
    """``a/b.html`` and ``a/b.html.gz`` both have the sidecar ``a/b.json``."""
    name = page.name
    for suffix in (".gz", ".html", ".htm"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return page.with_name(name + ".json")


def describe(path: Path, source: str, known: dict[str, Any] | None = None) -> SavedPage:
    """Attach origin (``known``: its manifest line, else the sidecar) to a found page file."""
    page = SavedPage(path=path, source=source)
    side = sidecar_path(path)
    if side.is_file():
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PageError("decode", f"its sidecar file {side.name} is not valid JSON ({exc})") from exc
        if not isinstance(meta, dict):
            raise PageError("decode", f"its sidecar file {side.name} is not a JSON object")
        page.url = meta.get("url")
        page.fetched_at = meta.get("fetched_at")
        page.headers = {str(k): str(v) for k, v in (meta.get("headers") or {}).items()}
    if known:
        page.url = known["url"] or page.url
        page.fetched_at = known.get("fetched_at") or page.fetched_at
    return page


def read_body(path: Path, max_bytes: int = 0) -> bytes:
    """Raw bytes of a saved page, gunzipped; :class:`PageError` says why not.

    ``max_bytes`` (0: no limit) caps the page's size, before and after
    decompression, the way ``DOWNLOAD_MAXSIZE`` caps a live download: a 200 MB
    page (or a small .gz that expands to one) fails plainly instead of holding
    the whole run in one parse.
    """
    try:
        size = path.stat().st_size
        if max_bytes and size > max_bytes:
            raise PageError("decode", f"the page is larger than the size limit "
                                      f"({_mb(size)} > {_mb(max_bytes)}, DOWNLOAD_MAXSIZE)")
        raw = path.read_bytes()
    except OSError as exc:
        raise PageError("fetch", f"the file could not be read ({exc.strerror})") from exc
    if path.name.lower().endswith(".gz") or raw[:2] == b"\x1f\x8b":
        raw = gunzip(raw, max_bytes)
    return raw


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def gunzip(raw: bytes, max_bytes: int = 0) -> bytes:
    """Decompress gzip bytes, refusing to expand past ``max_bytes`` (0: no limit)."""
    # wbits 16 + MAX_WBITS: the gzip container only, as gzip.decompress reads it; a file
    # may hold several gzip members back to back, as gzip.decompress allows.
    parts: list[bytes] = []
    total = 0
    rest = raw
    while True:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            part = inflater.decompress(rest, max_bytes - total + 1 if max_bytes else 0)
        except zlib.error as exc:
            raise PageError("decode", f"the gzip file is corrupt ({exc})") from exc
        total += len(part)
        parts.append(part)
        if max_bytes and total > max_bytes:
            raise PageError("decode", f"the page is larger than the size limit once decompressed "
                                      f"(more than {_mb(max_bytes)}, DOWNLOAD_MAXSIZE)")
        if not inflater.eof:
            raise PageError("decode", "the gzip file is truncated (it ends before its end marker)")
        rest = inflater.unused_data.lstrip(b"\x00")
        if not rest:
            break
    out = b"".join(parts)
    return out


def check_markup(body: bytes) -> None:
    """Raise :class:`PageError` for bytes that are not an HTML page at all."""
    if not body.strip():
        raise PageError("decode", "the file is empty")
    head = body[:65536]
    if head.count(b"\x00") > len(head) // 100 and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PageError("decode", "the file is binary data, not an HTML page")
    match = XML_ROOT_RE.match(_skip_prolog(head))
    if match:
        kind = match.group(1).decode().lower()
        what = "a sitemap" if kind in ("urlset", "sitemapindex") else "a feed"
        raise PageError("decode", f"the file is an XML document ({what}), not an HTML page")
    if not MARKUP_RE.search(head if not head.startswith((b"\xff\xfe", b"\xfe\xff"))
                            else head.decode("utf-16", "replace").encode()):
        raise PageError("decode", "the file holds no HTML markup")


def _skip_prolog(head: bytes) -> bytes:
    """The bytes from the first element on (after declarations, comments and doctype)."""
    position = 0
    while True:
        # A loop of simple matches: one regex with nested repetition backtracks exponentially.
        prolog = PROLOG_RE.match(head, position)
        if not prolog or prolog.end() == position:
            return head[position:].lstrip()
        position = prolog.end()


def to_response(body: bytes, url: str, headers: dict[str, str] | None = None) -> HtmlResponse:
    """Build the response Scrapy would have built for these bytes and headers."""
    return HtmlResponse(url=url, body=body, headers=headers or {})


def _utf8_text(response: TextResponse) -> str | None:
    """The body decoded once, as UTF-8, when its bytes are valid UTF-8 and nothing but the
    page's ``<meta>`` names another charset; None to leave the decoding to Scrapy.

    Two cases, one decode:

    - Scrapy would read the bytes as UTF-8 anyway (no BOM, a declared charset of UTF-8 or none:
      it infers ASCII or UTF-8 for valid UTF-8, which read them alike). Its inference decodes
      the whole body two or three times to get there (~1 ms a page of the crawl process's CPU
      over the dev corpus).
    - Only the page's ``<meta>`` names another charset. Pages re-saved or re-served as UTF-8
      often keep their old ``<meta charset=iso-8859-1>`` or ``gb2312``; decoding them as
      declared turns every accented letter into mojibake. Non-ASCII bytes that form valid
      UTF-8 are practically never legacy-encoded text by accident, so they win over a
      ``<meta>`` declaration (trafilatura's own decoder also tries UTF-8 first).

    A BOM, an explicit encoding or an HTTP ``Content-Type`` charset other than UTF-8 is
    obeyed, and so is a ``<meta>`` charset over bytes that are all ASCII.
    """
    if response._bom_encoding():  # noqa: SLF001 (Scrapy's own sniffing order)
        return None
    if (response._encoding or response._headers_encoding()) not in (None, "utf-8"):  # noqa: SLF001
        return None
    body = response.body
    if body.isascii() and response._body_declared_encoding() not in (None, "utf-8"):  # noqa: SLF001
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decoded_text(response: TextResponse) -> str:
    """The response text; :class:`PageError` when most of it did not decode."""
    text = _utf8_text(response)
    if text is None:
        text = response.text
    bad = text.count("\ufffd")
    if bad and bad > len(text) * MAX_REPLACEMENT_SHARE:
        # An HTTP charset the bytes contradict (a stale <meta> alone is handled above): when
        # the declared multi-byte charset leaves mostly garbage, valid UTF-8 bytes win.
        try:
            return response.body.decode("utf-8").replace("\x00", "")
        except UnicodeDecodeError:
            pass
        raise PageError(
            "decode",
            f"the page could not be decoded as {response.encoding} ({bad} invalid byte sequences)",
        )
    return text.replace("\x00", "")


def file_fetched_at(path: Path) -> str:
    """When a saved file was written: the best 'fetch time' a bare file has."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


def parse_utc(value: str) -> datetime:
    """An aware UTC datetime from an ISO 8601 timestamp (naive values are taken as UTC).

    Raises:
        ValueError: not an ISO 8601 timestamp.
    """
    text = value.strip().replace("Z", "+00:00")
    if " " in text and "T" not in text and len(text) > 10:
        text = text.replace(" ", "T", 1)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(value: str) -> str:
    """Normalise a manifest/sidecar timestamp to ISO 8601 UTC (naive values are taken as UTC)."""
    return parse_utc(value).isoformat(timespec="seconds")
