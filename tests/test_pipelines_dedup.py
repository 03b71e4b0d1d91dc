from __future__ import annotations

import pytest

from pipelines.dedup import canonical_url, content_hash


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.COM/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
        ("https://example.com:443/a#comments", "https://example.com/a"),
        ("http://example.com:8080/a?id=7&fbclid=abc", "http://example.com:8080/a?id=7"),
        ("https://example.com", "https://example.com/"),
        ("file:///tmp/page.html", "file:///tmp/page.html"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_content_hash_ignores_case_spacing_and_punctuation() -> None:
    assert content_hash("Hello,  World!") == content_hash("hello world")
    assert content_hash("hello world") != content_hash("hello there")


def test_an_equal_text_hashed_again_is_not_normalised_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # The boilerplate stage hashes a text before removing blocks, this stage after; with nothing
    # removed the two texts are equal strings but distinct objects.
    from pipelines import dedup

    normalised: list[str] = []
    normalize = dedup.unicodedata.normalize
    monkeypatch.setattr(dedup.unicodedata, "normalize",
                        lambda form, text: normalised.append(text) or normalize(form, text))
    text = "First paragraph of a page seen once in this test run.\n\nSecond paragraph."
    rejoined = "\n\n".join(text.split("\n\n"))
    assert rejoined is not text
    assert content_hash(text) == content_hash(rejoined)
    assert normalised == [text]
    assert content_hash(text + " More.") != content_hash(text)
    assert len(normalised) == 2
