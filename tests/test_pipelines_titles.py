"""Tables for pipelines/titles.py (no network, no corpus)."""

from __future__ import annotations

import pytest

from pipelines.titles import (
    choose_title,
    common_spelling,
    edge_site_names,
    repair_mojibake,
    strip_site_name,
    title_tag_site_names,
)


@pytest.mark.parametrize(
    ("title", "sites", "expected"),
    [
        ("Lavrov confirms it - The Duran", ["The Duran"], "Lavrov confirms it"),
        ("Tidal barrage approved | The Harbour Gazette", ["The Harbour Gazette"], "Tidal barrage approved"),
        ("Harbour Gazette: Tidal barrage approved", ["Harbour Gazette"], "Tidal barrage approved"),
        ("Tidal barrage approved – theduran", ["The Duran", "theduran"], "Tidal barrage approved"),
        ("Left - Right: a history", ["The Duran"], "Left - Right: a history"),  # no site segment: untouched
        ("Plain headline", ["X"], "Plain headline"),
        ("Tidal barrage approved | Sport | Gazette", ["Sport", "Gazette"], "Tidal barrage approved"),
        ("Gazette", ["Gazette"], "Gazette"),  # nothing but the site name: kept
    ],
)
def test_strip_site_name(title: str, sites: list[str], expected: str) -> None:
    assert strip_site_name(title, sites) == expected


def test_declared_headline_wins_over_h1() -> None:
    title, source = choose_title(jsonld=None, h1=["Politics Barrage approved after all-night debate"],
                                 og_title="Barrage approved after all-night debate", extracted=None,
                                 title_tag="Barrage approved | Gazette", site_names=["Gazette"])
    assert (title, source) == ("Barrage approved after all-night debate", "og:title")


def test_jsonld_headline_is_unescaped_and_stripped() -> None:
    title, source = choose_title(jsonld="K&uuml;hlt&uuml;rme gesprengt - Gazette", h1=[], og_title=None,
                                 extracted=None, title_tag=None, site_names=["Gazette"])
    assert (title, source) == ("Kühltürme gesprengt", "jsonld")


def test_h1_wins_when_it_agrees_and_nothing_is_declared() -> None:
    title, source = choose_title(jsonld=None, h1=["Barrage approved after all-night debate"],
                                 og_title=None, extracted="Barrage approved after debate",
                                 title_tag="Barrage approved after debate | Gazette", site_names=["Gazette"])
    assert (title, source) == ("Barrage approved after all-night debate", "h1")


@pytest.mark.parametrize(
    ("title_tag", "h1", "expected"),
    [
        ("Barrage approved - Gazette.de", ["Barrage approved"], ["Gazette.de"]),
        ("Barrage approved | Sport | Gazette", ["Barrage approved"], ["Gazette", "Sport"]),
        ("Gazette: Barrage approved", ["Barrage approved"], []),  # ":" is no site separator
        ("Left - Right: a history", ["Left - Right: a history"], []),  # all part of the headline
        ("Barrage approved - Gazette", [], []),  # no visible headline: guess nothing
        ("Barrage approved", ["Barrage approved"], []),
    ],
)
def test_title_tag_site_names(title_tag: str, h1: list[str], expected: list[str]) -> None:
    assert sorted(title_tag_site_names(title_tag, h1)) == sorted(expected)


def test_logo_h1_is_ignored() -> None:
    title, source = choose_title(jsonld=None, h1=["The Gazette"], og_title=None, extracted=None,
                                 title_tag="Barrage approved | The Gazette", site_names=["The Gazette"])
    assert (title, source) == ("Barrage approved", "title")


def test_no_title_at_all() -> None:
    assert choose_title(jsonld=None, h1=[], og_title=None, extracted=None, title_tag=None,
                        site_names=[]) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("La revancha tras su sanciÃ³n", "La revancha tras su sanción"),
        ("Itâ€™s here", "It’s here"),
        ("CafÃ© crÃ¨me", "Café crème"),
        ("Café crème", "Café crème"),  # already right
        ("Ã la carte", "Ã la carte"),  # a real capital A-tilde before a space: left alone
        ("Straße – 5 €", "Straße – 5 €"),
    ],
)
def test_repair_mojibake(text: str, expected: str) -> None:
    assert repair_mojibake(text) == expected


@pytest.mark.parametrize(
    ("title", "h1", "expected"),
    [
        ("Barrage approved | Harbour-Gazette", ["Barrage approved"], ["Harbour-Gazette"]),
        ("Gazette | Barrage approved", ["Barrage approved"], ["Gazette"]),
        # the rest must be exactly the <h1>: a headline's own clause is no site name
        ("Barrage approved – while the port waits", ["Barrage approved at last"], []),
        ("Barrage approved – while the port waits", [], []),
        ("Barrage approved", ["Barrage approved"], []),
        (None, ["Barrage approved"], []),
    ],
)
def test_edge_site_names(title: str | None, h1: list[str], expected: list[str]) -> None:
    assert edge_site_names(title, h1) == expected


@pytest.mark.parametrize(
    ("jsonld", "og_title", "navigation_h1", "expected"),
    [
        # the breadcrumb's <h1> copies one declared headline: the other is the one shown
        ("Kicker: Barrage approved", "Barrage approved", ["Kicker: Barrage approved"],
         ("Barrage approved", "og:title")),
        ("Barrage approved", "Port waits for barrage", ["Port waits for barrage"],
         ("Barrage approved", "jsonld")),
        # no breadcrumb <h1>, or both declared headlines agree: JSON-LD first as before
        ("Kicker: Barrage approved", "Barrage approved", [], ("Kicker: Barrage approved", "jsonld")),
        ("Barrage approved", "Barrage approved", ["Barrage approved"], ("Barrage approved", "jsonld")),
        # the breadcrumb <h1> matches neither: no evidence, JSON-LD first
        ("Kicker: Barrage approved", "Barrage approved", ["Home"], ("Kicker: Barrage approved", "jsonld")),
    ],
)
def test_breadcrumb_h1_marks_the_seo_headline(
    jsonld: str, og_title: str, navigation_h1: list[str], expected: tuple[str, str]
) -> None:
    assert choose_title(jsonld=jsonld, h1=navigation_h1, og_title=og_title, extracted=None,
                        title_tag=None, site_names=["Gazette"], navigation_h1=navigation_h1) == expected


@pytest.mark.parametrize(
    ("jsonld", "og_title", "h1", "expected"),
    [
        # the visible <h1> shows one of two different declared headlines: that one
        ("Seo headline for search", "Barrage approved", ["Barrage approved"],
         ("Barrage approved", "og:title")),
        ("Barrage approved", "Share this: barrage!", ["Barrage approved"], ("Barrage approved", "jsonld")),
        # an <h1> showing neither leaves JSON-LD first
        ("Seo headline for search", "Barrage approved", ["Kicker Barrage approved at last"],
         ("Seo headline for search", "jsonld")),
    ],
)
def test_visible_h1_picks_between_declared_headlines(
    jsonld: str, og_title: str, h1: list[str], expected: tuple[str, str]
) -> None:
    assert choose_title(jsonld=jsonld, h1=h1, og_title=og_title, extracted=None,
                        title_tag=None, site_names=["Gazette"]) == expected


@pytest.mark.parametrize(
    ("choice", "found", "expected"),
    [
        # same words, punctuated differently: the spelling most sources use
        (("Port plan - Barrage approved", "jsonld"),
         [("jsonld", "Port plan - Barrage approved"), ("og:title", "Port plan: Barrage approved"),
          ("title", "Port plan: Barrage approved")],
         ("Port plan: Barrage approved", "og:title")),
        # a tie keeps the choice; other words never compete
        (("Port plan - Barrage approved", "jsonld"),
         [("jsonld", "Port plan - Barrage approved"), ("og:title", "Port plan: Barrage approved")],
         ("Port plan - Barrage approved", "jsonld")),
        (("Barrage approved", "jsonld"),
         [("jsonld", "Barrage approved"), ("og:title", "Port: barrage approved at last"),
          ("title", "Port: barrage approved at last")],
         ("Barrage approved", "jsonld")),
    ],
)
def test_common_spelling(choice: tuple[str, str], found: list[tuple[str, str]],
                         expected: tuple[str, str]) -> None:
    assert common_spelling(choice, found) == expected
