from __future__ import annotations

import pytest

from pipelines.leadlines import strip_lead_lines


@pytest.mark.parametrize(
    ("text", "expected_text", "bylines"),
    [
        ("In Multipolarity, Russia\n\nBy Alexander Mercouris, The Duran, July 25, 2016\n\nBody.",
         "Body.", ["By Alexander Mercouris, The Duran, July 25, 2016"]),
        ("Big Headline\n\nVon Anna Schäfer\n\nText.", "Text.", ["Von Anna Schäfer"]),
        ("Body first.\n\nBy the way, this is body too.", "Body first.\n\nBy the way, this is body too.", []),
        ("Bypass roads were closed.\n\nMore.", "Bypass roads were closed.\n\nMore.", []),  # not "By "
        ("In the morning the market opened.\n\nMore.", "In the morning the market opened.\n\nMore.", []),
    ],
)
def test_strip_lead_lines(text: str, expected_text: str, bylines: list[str]) -> None:
    cleaned, found = strip_lead_lines(text, titles=["Big Headline"], categories=["Multipolarity", "Russia"])
    assert cleaned == expected_text
    assert found == bylines


def test_long_by_paragraph_is_body_not_byline() -> None:
    text = "By " + "the end of the week the talks had collapsed and " * 10
    cleaned, found = strip_lead_lines(text, titles=[], categories=[])
    assert cleaned == text and found == []
