"""Body-extraction quality and cost on the fundus dev corpus: news-ingest vs bare trafilatura.

Replays every page of `<corpus>/fundus` (gunzipped, decoded as `baselines.decode_html`
does), runs one `trafilatura.bare_extraction` per page with an `Extractor` built once,
then `pipelines.body.extract_body` on top of it, and prints body F1 / precision / recall
(word-4-gram shingles, the corpus `score.py`) and ms/page for both in the same run.

Usage:
    .venv/bin/python -m benchmarks.body_quality [--corpus DIR] [--limit N] [--preds OUT.jsonl]

The corpus defaults to `../shared/corpus` beside the repository, or `$NEWS_INGEST_CORPUS`.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import trafilatura
from trafilatura.settings import Extractor

from pipelines.body import extract_body

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def corpus_dir() -> Path:
    """The dev corpus folder: $NEWS_INGEST_CORPUS, else ../shared/corpus beside the repo."""
    return Path(os.environ.get("NEWS_INGEST_CORPUS") or DEFAULT_CORPUS)


def load_module(path: Path, name: str) -> ModuleType:
    """Import a corpus helper (score.py, baselines.py) without copying it into the repo."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(corpus: Path, limit: int | None = None) -> list[tuple[str, str, str | None]]:
    """(id, decoded html, url) for each fundus page, in truth.jsonl order."""
    baselines = load_module(corpus / "baselines.py", "corpus_baselines")
    pages: list[tuple[str, str, str | None]] = []
    fundus = corpus / "fundus"
    with (fundus / "truth.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            raw = gzip.decompress((fundus / rec["file"]).read_bytes())
            pages.append((rec["id"], baselines.decode_html(raw), rec.get("url")))
            if limit and len(pages) >= limit:
                break
    return pages


def make_extractor() -> Extractor:
    """The options object the project builds once per crawl (comments excluded, as in baselines)."""
    return Extractor(output_format="python", with_metadata=True, comments=False)


def run(pages: list[tuple[str, str, str | None]]) -> dict[str, Any]:
    """Run both extractors over the pages; returns predictions, timings and method counts."""
    options = make_extractor()
    bare: dict[str, dict[str, str]] = {}
    ours: dict[str, dict[str, str]] = {}
    methods: Counter[str] = Counter()
    t_bare = t_ours = 0.0
    with warnings.catch_warnings():
        # trafilatura/htmldate warn on odd dates and markup; not what this measures
        warnings.simplefilter("ignore")
        for item_id, html, url in pages:
            options.url = url
            t0 = time.perf_counter()
            doc = trafilatura.bare_extraction(html, options=options)
            t1 = time.perf_counter()
            result = extract_body(html, url, doc=doc)
            t2 = time.perf_counter()
            t_bare += t1 - t0
            t_ours += t2 - t0
            bare[item_id] = {"body": (doc.text if doc is not None else "") or ""}
            ours[item_id] = {"body": result.text, "method": result.method}
            methods[result.method] += 1
    n = max(1, len(pages))
    return {
        "bare": bare,
        "ours": ours,
        "methods": methods,
        "ms_bare": 1000 * t_bare / n,
        "ms_ours": 1000 * t_ours / n,
    }


def body_scores(
    score: ModuleType, truth: dict[str, dict[str, Any]], preds: dict[str, dict[str, str]]
) -> dict[str, float]:
    """Body F1/P/R of predictions restricted to the ids that were run."""
    subset = {k: v for k, v in truth.items() if k in preds}
    res, _ = score.score(subset, preds)
    body: dict[str, float] = res["body"]
    return body


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table; exit 0 with a message when the corpus is absent."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--corpus", type=Path, default=None, help="corpus folder (default: %(default)s)"
    )
    ap.add_argument("--limit", type=int, default=None, help="only the first N pages")
    ap.add_argument(
        "--preds", type=Path, default=None, help="write news-ingest predictions as JSONL"
    )
    args = ap.parse_args(argv)
    corpus = args.corpus or corpus_dir()
    if not (corpus / "fundus" / "truth.jsonl").is_file():
        print(f"corpus not found at {corpus} (set NEWS_INGEST_CORPUS); nothing to measure")
        return 0
    score = load_module(corpus / "score.py", "corpus_score")
    truth = score.read_records(corpus / "fundus" / "truth.jsonl")
    pages = load_pages(corpus, args.limit)
    out = run(pages)
    if args.preds:
        with args.preds.open("w", encoding="utf-8") as fh:
            for item_id, pred in out["ours"].items():
                fh.write(json.dumps({"id": item_id, **pred}, ensure_ascii=False) + "\n")
    print(f"fundus body, {len(pages)} pages")
    print(f"{'extractor':22s} {'F1':>6s} {'P':>6s} {'R':>6s} {'ms/page':>8s}")
    for label, key, ms in (
        ("trafilatura (bare)", "bare", out["ms_bare"]),
        ("news-ingest body", "ours", out["ms_ours"]),
    ):
        b = body_scores(score, truth, out[key])
        print(f"{label:22s} {b['f1']:6.3f} {b['precision']:6.3f} {b['recall']:6.3f} {ms:8.1f}")
    print(f"cost ratio {out['ms_ours'] / out['ms_bare']:.2f}x; methods: {dict(out['methods'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
