"""Many small, distinct, good article pages (for crash and concurrency tests).

Each page has its own words (a seeded generator), so no paragraph repeats
across pages and the boilerplate stage learns nothing from them.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.badinput.generate import page

WORDS = [
    "harbour",
    "council",
    "river",
    "bridge",
    "school",
    "library",
    "market",
    "road",
    "train",
    "station",
    "village",
    "farm",
    "mill",
    "budget",
    "plan",
    "vote",
    "meeting",
    "mayor",
    "engineer",
    "resident",
    "winter",
    "summer",
    "storm",
    "repair",
    "museum",
    "park",
    "festival",
    "hospital",
    "nurse",
    "teacher",
    "pupil",
    "ferry",
    "island",
    "coast",
    "valley",
    "hill",
    "forest",
    "garden",
    "street",
]


def write_pages(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Write ``count`` distinct article pages under ``folder``; return their paths in replay order."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        paragraphs = [
            f"Story {number} part {part}: " + " ".join(rng.choice(WORDS) for _ in range(45)) + "."
            for part in range(3)
        ]
        path = folder / f"page-{number:04d}.html"
        path.write_text(page(f"Local story number {number}", paragraphs), encoding="utf-8")
        paths.append(path)
    return paths
