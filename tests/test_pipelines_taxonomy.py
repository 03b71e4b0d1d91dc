from __future__ import annotations

from pipelines.taxonomy import merge_terms


def c(text: str, source: str) -> dict[str, str]:
    return {"text": text, "source": source}


def test_merge_keeps_page_order_and_dedups_case_insensitively() -> None:
    terms = merge_terms([c("Politics", "meta"), c("politics", "rel-category"), c("World", "rel-category")])
    assert terms == ["Politics", "World"]


def test_comma_lists_are_split() -> None:
    assert merge_terms([c("Syria, Russia; Diplomacy", "jsonld")]) == ["Syria", "Russia", "Diplomacy"]


def test_meta_keywords_only_as_fallback() -> None:
    assert merge_terms([c("Syria", "rel-tag"), c("news, breaking, syria", "meta-keywords")]) == ["Syria"]
    assert merge_terms([c("news, syria", "meta-keywords")]) == ["news", "syria"]


def test_empty() -> None:
    assert merge_terms([]) == []
