"""Golden test of the seed article: one assertion per field (the page this project started from)."""

from __future__ import annotations

import json

import pytest
from sqlite_utils import Database

SEED_URL = "https://theduran.com/lavrov-confirms-russia-rejected-kerry-offer/"
CAPTION = ("Russian President Vladimir Putin meets with U.S. Secretary of State John Kerry in Moscow "
           "on July 14, 2016 (Sergey Guneev, Sputnik)")
#: what a naive scraper sees around the article: none of it belongs in `text`
CHROME = [
    "In Multipolarity, Russia",
    "By Alexander Mercouris",
    "EDITOR’S NOTE",
    "Recent Posts",
    "Contact Us",
    "We're not around right now",
    "Start typing and press Enter to search",
    "Translate »",
    "RELATED ARTICLES",
    "LEAVE A REPLY",
    "Share on Facebook",
]


@pytest.fixture(scope="module")
def seed(fixtures_db: Database) -> dict:
    return fixtures_db["articles"].get(SEED_URL)


def test_title(seed: dict) -> None:
    assert seed["title"] == ("Lavrov confirms Russia rejected Kerry’s offer to join a US-led coalition "
                             "in return for Assad’s removal")


def test_authors(seed: dict) -> None:
    assert json.loads(seed["authors"]) == ["Alexander Mercouris"]


def test_site_name(seed: dict) -> None:
    assert seed["site_name"] == "The Duran"


def test_credits(seed: dict) -> None:
    # "By Alexander Mercouris, The Duran, July 25, 2016": the outlet is a credit, not an author
    assert json.loads(seed["credits"]) == ["The Duran"]


def test_published(seed: dict) -> None:
    assert seed["published"].startswith("2016-07-25")


def test_categories(seed: dict) -> None:
    assert json.loads(seed["categories"]) == ["Multipolarity", "Russia"]


def test_caption_once_in_captions_and_not_in_text(seed: dict) -> None:
    assert json.loads(seed["captions"]) == [CAPTION]
    assert "Putin meets with U.S. Secretary of State" not in seed["text"]


def test_text_starts(seed: dict) -> None:
    assert seed["text"].startswith("As The Duran previously reported")


def test_text_ends(seed: dict) -> None:
    assert seed["text"].endswith("still can’t bring itself to accept the fact.")


@pytest.mark.parametrize("chrome", CHROME)
def test_no_chrome_in_text(seed: dict, chrome: str) -> None:
    assert chrome not in seed["text"]


def test_quoted_passages_kept(seed: dict) -> None:
    assert "They say that we could join their efforts in the fight against terrorism" in seed["text"]
    assert "like a bull in a china shop" in seed["text"]


def test_paragraphs_separated_by_one_blank_line(seed: dict) -> None:
    assert "\n\n\n" not in seed["text"]
    assert seed["text"].count("\n\n") >= 15


def test_language_and_counts(seed: dict) -> None:
    assert seed["language"] == "en"
    assert seed["word_count"] == len(seed["text"].split())
    assert len(seed["content_hash"]) == 40


def test_provenance(seed: dict) -> None:
    assert seed["extractor"].startswith("trafilatura ")
    assert seed["news_ingest_version"]
    stages = json.loads(seed["stages"])
    assert stages[0] == "extract" and stages[-1] == "store"
    assert seed["source"].endswith("theduran.com/lavrov-confirms-russia-rejected-kerry-offer.html")
    assert seed["fetched_at"] == "2016-07-26T08:15:00+00:00"
