from __future__ import annotations

import pytest

from pipelines.captions import caption_key, is_body_sentence, remove_repeated_captions

CAPTION = "The mayor opens the new bridge on Monday (Photo: Jane Roe)"


def cands(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"text": t, "source": s} for t, s in pairs]


def test_caption_removed_from_text_and_kept_once() -> None:
    text = f"First paragraph.\n\n{CAPTION}\n\n{CAPTION}\n\nLast paragraph."
    captions, cleaned = remove_repeated_captions(text, cands((CAPTION, "caption"), (CAPTION, "caption")))
    assert captions == ["The mayor opens the new bridge on Monday"]  # the credit is not the caption
    assert cleaned == "First paragraph.\n\nLast paragraph."


def test_alt_text_is_a_caption_only_when_shown_as_text() -> None:
    alt = "A crowd gathers outside the town hall in the rain"
    captions, cleaned = remove_repeated_captions("Body text here.", cands((alt, "img-alt")))
    assert captions == [] and cleaned == "Body text here."
    captions, cleaned = remove_repeated_captions(f"Body text here.\n\n{alt}", cands((alt, "img-alt")))
    assert captions == [alt] and cleaned == "Body text here."


def test_alt_text_that_is_a_sentence_of_the_article_stays() -> None:
    # sites reuse the article's sentences as alt texts (without the full stop)
    alt = "Collectors are on the hunt for rare dollar bills with a printing error"
    text = f"Intro.\n\n{alt}.\n\nMore."
    captions, cleaned = remove_repeated_captions(text, cands((alt, "img-alt")))
    assert captions == [] and cleaned == text


@pytest.mark.parametrize(
    ("paragraph", "sentence"),
    [
        ("Collectors are on the hunt for rare bills with an error.", True),
        ('"It was ridiculous how he wanted me punished," he said."', True),
        ("Jarrad Branthwaite (Everton) celebrates his goal against Liverpool", False),
        ("Flood in Dresden.", False),  # too short to be more than a label
    ],
)
def test_is_body_sentence(paragraph: str, sentence: bool) -> None:
    assert is_body_sentence(paragraph) is sentence


def test_caption_with_credit_tail_removed() -> None:
    caption = "Firefighters at the scene of the warehouse blaze in the docks"
    text = f"Intro.\n\n{caption} (Photo: Harbour Fire Service)\n\nMore."
    _, cleaned = remove_repeated_captions(text, cands((caption, "caption")))
    assert cleaned == "Intro.\n\nMore."


def test_paragraph_that_merely_starts_like_a_caption_is_kept() -> None:
    caption = "Firefighters at the scene of the warehouse blaze in the docks"
    text = f"{caption} said the fire spread quickly through the night and reached the quay."
    _, cleaned = remove_repeated_captions(text, cands((caption, "caption")))
    assert cleaned == text


@pytest.mark.parametrize(("a", "b"), [("Foo  Bar!", "foo bar"), ("Ｆｏｏ", "foo"), ("“Quoted”", "quoted")])
def test_caption_key_normalises(a: str, b: str) -> None:
    assert caption_key(a) == caption_key(b)


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (
            "Seit Oktober geschlossen: das Hallenbad. Foto: Kreisbote/Archiv",
            "Seit Oktober geschlossen: das Hallenbad.",
        ),
        ("Waves break over the wall. Photo: Sam Pengelly/The Gazette", "Waves break over the wall."),
        ("The mayor at the opening (Photo: Jane Roe)", "The mayor at the opening"),
        ("Crowds in the square © dpa", "Crowds in the square"),
        (
            "Putin meets Kerry in Moscow (Sergey Guneev, Sputnik)",
            "Putin meets Kerry in Moscow (Sergey Guneev, Sputnik)",
        ),
        ("Photo: Jane Roe", "Photo: Jane Roe"),  # nothing but a credit: keep it rather than nothing
        ("Source of the river Thames", "Source of the river Thames"),  # no colon: not a credit
    ],
)
def test_without_credit(caption: str, expected: str) -> None:
    from pipelines.captions import without_credit

    assert without_credit(caption) == expected
