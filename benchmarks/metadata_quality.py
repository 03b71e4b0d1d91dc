"""Measure the bylines and dates stages on the dev corpus (../shared/corpus).

Builds byline/date candidates itself (JSON-LD, meta tags, rel=author, byline-looking
elements, <time>, the URL, trafilatura/htmldate), runs `choose_byline` and
`choose_dates`, writes predictions and scores them with the corpus's `score.py`.
This stands in for the extract stage's signals until that stage exists; it reads
no settings and exits 0 with a message when the corpus is absent.

    .venv/bin/python benchmarks/metadata_quality.py [--corpus DIR] [--subset fundus|dates|both]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trafilatura
from parsel import Selector
from trafilatura.settings import set_date_params

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.bylines import choose_byline, site_names_for  # noqa: E402
from pipelines.dates import choose_dates  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
# dates/ has no fetch times; one clock for all pages, after the newest of them (Nov 2023)
DATES_SUBSET_BASE = datetime(2024, 1, 1, tzinfo=UTC)
ARTICLE_TYPES = ("article", "posting", "report", "newsarticle", "webpage", "liveblog")
META_PUBLISHED = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "datepublished",
    "published_time",
    "cxenseparse:recs:publishtime",
)
META_MODIFIED = (
    "article:modified_time",
    "og:updated_time",
    "dcterms.modified",
    "lastmod",
    "datemodified",
    "article.updated",
)
BYLINE_CSS = (
    ".byline",
    ".author",
    "[itemprop=author]",
    ".article-author",
    ".author-name",
    "[rel=author]",
)


def _walk_jsonld(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for n in node:
            yield from _walk_jsonld(n)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in node:
                yield from _walk_jsonld(node[key])


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str):
            return [name]
        return [value["url"]] if isinstance(value.get("url"), str) else []
    return []


def candidates(
    html: str, url: str, base: datetime
) -> tuple[list[dict[str, str]], list[dict[str, str]], str | None, str | None]:
    """Return (byline candidates, date candidates, site name, language) for one page."""
    sel = Selector(text=html)
    bylines: list[dict[str, str]] = []
    dates: list[dict[str, str]] = []
    for script in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for obj in _walk_jsonld(data):
            kind = str(obj.get("@type", "")).lower()
            if not any(t in kind for t in ARTICLE_TYPES):
                continue
            bylines += [{"text": n, "source": "jsonld"} for n in _names(obj.get("author"))]
            for key, k in (("datePublished", "published"), ("dateModified", "modified")):
                if isinstance(obj.get(key), str):
                    dates.append({"raw": obj[key], "source": "jsonld", "kind": k})
    metas = {}
    for m in sel.css("meta"):
        key = (
            m.attrib.get("property") or m.attrib.get("name") or m.attrib.get("itemprop") or ""
        ).lower()
        if key and m.attrib.get("content") and key not in metas:
            metas[key] = m.attrib["content"]
    for key in ("author", "article:author", "dc.creator", "sailthru.author", "parsely-author"):
        if key in metas:
            bylines.append({"text": metas[key], "source": "meta"})
    dates += [
        {"raw": metas[k], "source": "meta", "kind": "published"}
        for k in META_PUBLISHED
        if k in metas
    ]
    dates += [
        {"raw": metas[k], "source": "meta", "kind": "modified"} for k in META_MODIFIED if k in metas
    ]
    for a in sel.css("a[rel=author]")[:1]:
        text = " ".join(a.css("::text").getall()).strip()
        if text:
            bylines.append({"text": text, "source": "rel-author"})
    for css in BYLINE_CSS:
        node = sel.css(css)
        if node:
            text = " ".join(t.strip() for t in node[0].css("::text").getall() if t.strip())
            if text:
                bylines.append({"text": text, "source": "byline"})
                break
    for t in sel.css("time[datetime], [itemprop=datePublished]")[:1]:
        raw = t.attrib.get("datetime") or t.attrib.get("content")
        if raw:
            dates.append({"raw": raw, "source": "time", "kind": "published"})
    dates.append({"raw": url, "source": "url", "kind": "published"})
    params = set_date_params(True) | {
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        "max_date": base.strftime("%Y-%m-%d"),
    }
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, date_extraction_params=params
    )
    site = lang = None
    if doc is not None:
        if doc.author:
            bylines.append({"text": doc.author, "source": "trafilatura"})
        if doc.date:
            dates.append({"raw": doc.date, "source": "trafilatura", "kind": "published"})
        site, lang = doc.sitename, doc.language
    return bylines, dates, site, lang or metas.get("og:locale", "")[:2].lower() or None


def run(corpus: Path, subset: str) -> Path:
    """Write predictions for one subset and return the file's path."""
    out = Path(tempfile.gettempdir()) / f"metadata_quality.{subset}.jsonl"
    started = time.perf_counter()
    with out.open("w", encoding="utf-8") as fh:
        for line in (corpus / subset / "truth.jsonl").open(encoding="utf-8"):
            truth = json.loads(line)
            html = gzip.decompress((corpus / subset / truth["file"]).read_bytes())
            text = html.decode("utf-8", errors="replace")
            crawl = truth.get("crawl_date")
            base = datetime.fromisoformat(crawl).replace(tzinfo=UTC) if crawl else DATES_SUBSET_BASE
            bylines, dates, site, lang = candidates(text, truth["url"], base)
            language = truth.get("language") or lang
            authors = choose_byline(bylines, site_names=site_names_for(truth["url"], site))
            choice = choose_dates(
                dates, base=base, timezone="UTC", languages=[language] if language else None
            )
            fh.write(
                json.dumps(
                    {
                        "id": truth["id"],
                        "authors": authors.authors,
                        "published": choice.published,
                        "authors_source": authors.source,
                        "published_source": choice.published_source,
                    }
                )
                + "\n"
            )
    print(f"{subset}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--subset", choices=("fundus", "dates", "both"), default="both")
    args = parser.parse_args()
    if not (args.corpus / "score.py").exists():
        print(f"corpus not found at {args.corpus}; skipping", file=sys.stderr)
        return 0
    for subset in ("fundus", "dates") if args.subset == "both" else (args.subset,):
        preds = run(args.corpus, subset)
        subprocess.run(
            [
                sys.executable,
                str(args.corpus / "score.py"),
                str(args.corpus / subset / "truth.jsonl"),
                str(preds),
                "--items",
                str(preds.with_suffix(".items.jsonl")),
            ],
            check=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
