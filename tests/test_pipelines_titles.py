from __future__ import annotations

import pytest

from pipelines.titles import choose_title, strip_site_name


@pytest.mark.parametrize(
    ("title", "sites", "expected"),
    [
        ("Lavrov confirms it - The Duran", ["The Duran"], "Lavrov confirms it"),
        ("Tidal barrage approved | The Harbour Gazette", ["The Harbour Gazette"], "Tidal barrage approved"),
        ("Harbour Gazette: Tidal barrage approved", ["Harbour Gazette"], "Tidal barrage approved"),
        ("Tidal barrage approved – theduran", ["The Duran", "theduran"], "Tidal barrage approved"),
        ("Left - Right: a history", ["The Duran"], "Left - Right: a history"),  # no site segment: untouched
        ("Plain headline", ["X"], "Plain headline"),
    ],
)
def test_strip_site_name(title: str, sites: list[str], expected: str) -> None:
    assert strip_site_name(title, sites) == expected


def test_h1_wins_when_it_agrees_with_metadata() -> None:
    title, source = choose_title(jsonld=None, h1=["Barrage approved after all-night debate"],
                                 og_title="Barrage approved after debate", extracted=None,
                                 title_tag="Barrage approved after debate | Gazette", site_names=["Gazette"])
    assert (title, source) == ("Barrage approved after all-night debate", "h1")


def test_logo_h1_is_ignored() -> None:
    title, source = choose_title(jsonld=None, h1=["The Gazette"], og_title=None, extracted=None,
                                 title_tag="Barrage approved | The Gazette", site_names=["The Gazette"])
    assert (title, source) == ("Barrage approved", "title")


def test_no_title_at_all() -> None:
    assert choose_title(jsonld=None, h1=[], og_title=None, extracted=None, title_tag=None,
                        site_names=[]) == (None, None)
