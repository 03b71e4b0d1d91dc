from __future__ import annotations

import pytest

from pipelines.sitename import choose_site_name


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ([("og:site_name", "The Duran")], ("The Duran", "og:site_name")),
        ([("og:site_name", None), ("trafilatura", "https://www.facebook.com/theduran")], (None, None)),
        ([("trafilatura", "@theduran"), ("jsonld", "The Duran")], ("The Duran", "jsonld")),
        ([("og:site_name", "x" * 200)], (None, None)),
        ([], (None, None)),
    ],
)
def test_choose_site_name(candidates: list[tuple[str, str | None]], expected: tuple) -> None:
    assert choose_site_name(candidates) == expected
