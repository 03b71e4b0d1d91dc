"""Long fuzzing of extract_article with atheris (coverage-guided), beside the hypothesis "fuzz" profile.

Not part of the test suite. Install atheris (``pip install atheris``) and run::

    .venv/bin/python benchmarks/fuzz_extract.py -max_total_time=3600 -rss_limit_mb=4096

Seeds are the bundled fixture pages; any exception other than the documented
ValueError (unparsable HTML) is a finding and stops the run with its input saved.
Without atheris it replays the seeds once as a smoke check.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.extract import build_options, extract_article  # noqa: E402

OPTIONS = build_options()
SEEDS = [p.read_bytes() for p in sorted((ROOT / "fixtures" / "pages").rglob("*.html"))]


def one_input(data: bytes) -> None:
    """Decode as replay would (lossy UTF-8, no NULs) and extract; only ValueError may escape."""
    html = data.decode("utf-8", "replace").replace("\x00", "")
    if not html.strip():
        return
    try:
        result = extract_article(
            html, "https://fuzz.example/a", fetched_at="2024-06-01T12:00:00+00:00", options=OPTIONS
        )
    except ValueError:
        return
    assert isinstance(result["text"], str)


def main() -> None:
    try:
        import atheris
    except ImportError:
        for seed in SEEDS:
            one_input(seed)
        print(f"atheris not installed: replayed {len(SEEDS)} seeds once")
        return
    corpus = ROOT / "data" / "fuzz_extract_corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for number, seed in enumerate(SEEDS):
        (corpus / f"seed-{number}.html").write_bytes(seed)
    atheris.Setup([sys.argv[0], str(corpus), *sys.argv[1:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
