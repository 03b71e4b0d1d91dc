from __future__ import annotations

import re

from sqlite_utils import Database

from pipelines.boilerplate import block_key, clean_stored, edge_blocks, remove_blocks
from pipelines.store import Store, article_row
from tests.test_pipelines_store import item

NOTE = "EDITOR'S NOTE: publication of articles here does not mean that we agree with them."


def body(n: int) -> str:
    return f"Article {n} opens with its own first paragraph of news.\n\nIts middle.\n\n{NOTE}"


def test_edge_blocks_ignore_short_lines() -> None:
    blocks = edge_blocks("Share this\n\n" + body(1))
    assert block_key(NOTE) in blocks
    assert block_key("Share this") not in blocks


def test_remove_blocks_by_key_and_by_rule() -> None:
    text, removed = remove_blocks(body(1), {block_key(NOTE)})
    assert removed == 1 and NOTE not in text
    text, removed = remove_blocks(body(1), set(), [re.compile(r"^Its middle")])
    assert removed == 1 and "Its middle" not in text


def test_remove_blocks_without_keys_or_rules_only_drops_empty_paragraphs() -> None:
    assert remove_blocks(f"{NOTE}\n\n \n\nIts middle.\n\n", set()) == (f"{NOTE}\n\nIts middle.", 0)


def test_block_becomes_boilerplate_after_three_different_articles() -> None:
    store = Store(Database(memory=True))
    blocks = {block_key(NOTE): NOTE}
    assert store.learn_blocks("a.example", blocks, ("u1", "h1"), 3, "t") == []
    assert store.learn_blocks("a.example", blocks, ("u2", "h2"), 3, "t") == []
    assert store.boilerplate_blocks("a.example", 3) == set()
    assert store.learn_blocks("a.example", blocks, ("u3", "h3"), 3, "t") == [block_key(NOTE)]
    assert store.boilerplate_blocks("a.example", 3) == {block_key(NOTE)}
    assert store.boilerplate_blocks("b.example", 3) == set()


def test_same_article_twice_or_syndicated_copy_does_not_teach() -> None:
    store = Store(Database(memory=True))
    blocks = {block_key(NOTE): NOTE}
    store.learn_blocks("a.example", blocks, ("u1", "h1"), 3, "t")
    store.learn_blocks("a.example", blocks, ("u1", "h1"), 3, "t")  # the same page again
    store.learn_blocks("a.example", blocks, ("u1-copy", "h1"), 3, "t")  # same content elsewhere
    assert store.boilerplate_blocks("a.example", 2) == set()


def test_update_text_keeps_record_hash_true() -> None:
    store = Store(Database(memory=True))
    store.save_article(article_row(item(text=body(1))))
    cleaned, _ = remove_blocks(body(1), {block_key(NOTE)})
    store.update_text("https://a.example/story", cleaned, 3, "x")
    # Saving the cleaned item again is "unchanged": the stored hash matches its content.
    assert store.save_article(article_row(item(text=cleaned))) == "unchanged"


def test_a_sites_stored_texts_are_read_in_pages_and_each_rewritten_once() -> None:
    store = Store(Database(memory=True))
    for n in range(5):
        url = f"https://a.example/story-{n}"
        store.save_article(article_row(item(url=url, fetched_url=url, text=body(n))))
    store.save_article(article_row(item(url="https://b.example/other", fetched_url="https://b.example/other",
                                        text=body(9))))
    visited = []
    for url, text in store.site_texts("a.example", batch=2):  # rewriting as it goes, as the stage does
        visited.append(url)
        cleaned, removed = remove_blocks(text, {block_key(NOTE)})
        assert removed == 1
        store.update_text(url, cleaned, len(cleaned.split()), "x")
    assert visited == [f"https://a.example/story-{n}" for n in range(5)]
    texts = {row["url"]: row["text"] for row in store.db["articles"].rows}
    assert sum(NOTE in text for text in texts.values()) == 1  # b.example's only
    assert list(store.site_texts("c.example")) == []


def test_clean_stored_removes_learnt_blocks_from_a_sites_earlier_articles_only() -> None:
    store = Store(Database(memory=True))
    texts = {"https://a.example/1": body(1), "https://a.example/2": "Only its own words, no note at all.",
             "https://a.example/3": body(3), "https://b.example/4": body(4)}
    for url, text in texts.items():
        store.save_article(article_row(item(url=url, fetched_url=url, text=text)))
    assert clean_stored(store, "a.example", {block_key(NOTE)}) == 2
    stored = {row["url"]: row["text"] for row in store.db["articles"].rows}
    assert [url for url, text in stored.items() if NOTE in text] == ["https://b.example/4"]
    assert stored["https://a.example/2"] == texts["https://a.example/2"]
