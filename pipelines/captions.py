"""Captions stage: photo captions go to their own field, once, and out of the body.

A caption is the text of a ``<figcaption>`` / ``.wp-caption-text`` element, or an
image's alt/title text that also stands as a paragraph of the extracted body
(naive themes print the alt text as a visible caption). Reads no settings.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from pipelines.stage import PageStage

if TYPE_CHECKING:
    from crawler.items import ArticleItem
    from pipelines.stage import Stats

#: everything that is not a letter or digit, to compare captions loosely
NON_WORD_RE = re.compile(r"[\W_]+", re.UNICODE)
#: a photo credit after a caption, e.g. " (Photo: Reuters)" or " Foto: dpa"
CREDIT_TAIL_RE = re.compile(r"^\s*[(\[]?\s*(?:photo|foto|image|bild|credit|source|quelle)\b.{0,80}$",
                            re.IGNORECASE)


#: a credit line ending a caption, e.g. " Foto: Kreisbote/Archiv", " (Photo: Sam Pengelly)", " © dpa"
CREDIT_SUFFIX_RE = re.compile(
    r"\s*[(\[]?\s*(?:(?:photo|foto|image|bild|credit|crédit|source|quelle|fuente)s?\s*:|©)[^.!?]{1,100}[)\]]?\s*$",
    re.IGNORECASE,
)


#: a full sentence: ends in sentence punctuation, optionally inside closing quotes,
#: e.g. "Currency collectors are on the hunt for rare bills." or '… he said."'
SENTENCE_END_RE = re.compile(r"[.!?…][\"'»“”’)]*\s*$")
#: an alt text shorter than this many words is a label even when it ends in a full stop
MIN_SENTENCE_WORDS = 6


def is_body_sentence(text: str) -> bool:
    """A paragraph that reads as a sentence of the article rather than a photo caption.

    Sites reuse the article's own sentences as image alt texts; captions printed from
    alt texts are noun phrases ("Branthwaite celebrates his goal") without a full stop.
    """
    return len(text.split()) >= MIN_SENTENCE_WORDS and SENTENCE_END_RE.search(text) is not None


def without_credit(caption: str) -> str:
    """The caption without a trailing photo credit (the credit is not what the photo shows)."""
    stripped = CREDIT_SUFFIX_RE.sub("", caption)
    if stripped == caption:  # no credit: the caption as the page gives it
        return caption
    return stripped.strip() or caption


def caption_key(text: str) -> str:
    """Comparison key: NFKC, case-folded, letters and digits only."""
    return NON_WORD_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


#: captions at least this long are looked for inside paragraphs (shorter ones are too common)
MIN_INNER_CAPTION = 20
#: a paragraph made of captions leaves at most this many words once they are taken out
MAX_LEFTOVER_WORDS = 2


def _is_caption_paragraph(paragraph: str, keys: dict[str, str]) -> bool:
    key = caption_key(paragraph)
    if key in keys:
        return True
    # Several caption elements printed as one block (a caption shown twice for two layouts).
    leftover = key
    for k in keys:
        if len(k) > MIN_INNER_CAPTION and k in leftover:
            leftover = leftover.replace(k, " ")
    if leftover != key and len(leftover.split()) <= MAX_LEFTOVER_WORDS:
        return True
    # The caption followed by a credit line: "Caption text. (Photo: Agency)".
    return any(key.startswith(k) and CREDIT_TAIL_RE.match(paragraph[len(k):] or " ")
               for k in keys if len(k) > 20)


def remove_repeated_captions(text: str, candidates: list[dict[str, str]]) -> tuple[list[str], str]:
    """Split captions out of ``text``; return (distinct captions in page order, cleaned text)."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    # paragraphs an alt/title text may stand for: those that do not read as sentences
    shown_keys = {caption_key(p) for p in paragraphs if not is_body_sentence(p)}
    captions: dict[str, str] = {}
    for cand in candidates:
        key = caption_key(cand["text"])
        if not key or key in captions:
            continue
        # Alt/title texts are only captions when the page shows them as text, and
        # not when that text is one of the article's own sentences.
        if cand["source"] == "caption" or key in shown_keys:
            captions[key] = without_credit(cand["text"])
    if not captions:
        return [], text
    kept = [p for p in paragraphs if not _is_caption_paragraph(p, captions)]
    return list(captions.values()), "\n\n".join(kept)


class CaptionsPipeline(PageStage):
    """Page stage around :func:`remove_repeated_captions`."""

    name = "captions"

    def apply(self, item: ArticleItem, stats: Stats) -> None:
        captions, text = remove_repeated_captions(item.text, item.signals.get("caption_candidates", []))
        if text != item.text:
            stats.inc_value("news/captions/removed_from_text")
        item.captions, item.text = captions, text
