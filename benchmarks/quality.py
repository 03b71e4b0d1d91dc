"""End-to-end quality benchmark: replay both corpus sets and print score.py's reports.

A thin wrapper over :func:`crawler.evaluate.evaluate_set` (the same code as
``news-ingest eval``): every page goes through ``scrapy crawl replay`` and every
pipeline stage, exactly as a user's replay does. Reads no settings; exits 0 with a
message when the corpus is absent.

    .venv/bin/python benchmarks/quality.py [--corpus DIR] [--workdir DIR] [--set fundus --set dates]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.evaluate import evaluate_set  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_SETS = ("fundus", "dates")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--workdir", type=Path, default=ROOT / "data" / "eval")
    parser.add_argument("--set", dest="sets", action="append", choices=DEFAULT_SETS)
    args = parser.parse_args()
    if not (args.corpus / "score.py").is_file():
        print(f"corpus not found at {args.corpus}; skipping", file=sys.stderr)
        return 0
    for name in args.sets or DEFAULT_SETS:
        started = time.perf_counter()
        evaluation = evaluate_set(args.corpus / name, args.workdir)
        print(evaluation.report)
        print(f"({name}: {time.perf_counter() - started:.0f}s; per-item detail: python "
              f"{args.corpus / 'score.py'} {args.corpus / name / 'truth.jsonl'} "
              f"{args.workdir / f'{name}.predictions.jsonl'} --items items.jsonl)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
