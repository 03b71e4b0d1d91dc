"""pipelines/trafilatura_stoplist.py: justext's every-language stop list as a frozenset, same results."""

from __future__ import annotations

import justext.core
import pytest
from lxml import html as lxml_html
from trafilatura import external

from pipelines.trafilatura_stoplist import install

# A page whose language has no justext list of its own (target_language None): trafilatura's
# justext fallback then reads every language's list, JT_STOPLIST.
PAGE = """<html><body>
<div class="nav"><a href="/">Home</a> | <a href="/news">News</a> | <a href="/contact">Contact</a></div>
<p>The harbour committee approved the plan for the new sea wall on Tuesday, after a debate that
lasted most of the afternoon and ended with a vote of seven to two in favour of the design.</p>
<p>Residents who live along the old quay said they had waited years for the work to begin, and
that the storms of the last two winters had flooded their cellars more than once.</p>
<p>Share this article</p>
<p>Die Arbeiten sollen im Frühjahr beginnen und werden nach Angaben der Stadt etwa zwei Jahre
dauern, wobei der Hafen während der gesamten Bauzeit geöffnet bleibt.</p>
<div class="footer">Copyright 2020 The Harbour Times. All rights reserved.</div>
</body></html>"""


@pytest.fixture
def tuple_stoplist(monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """trafilatura's own list, as it builds it; restored after the test."""
    monkeypatch.setattr(external, "JT_STOPLIST", None)
    built = external.jt_stoplist_init()
    assert isinstance(built, tuple)
    return built


def justext_text(stoplist: object, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(external, "JT_STOPLIST", stoplist)
    body = external.try_justext(lxml_html.fromstring(PAGE), "https://example.org/a", None)
    return "\n".join(p.text or "" for p in body)


def test_install_makes_the_same_words_a_frozenset(tuple_stoplist: tuple[str, ...]) -> None:
    assert install() is True
    assert isinstance(external.JT_STOPLIST, frozenset)
    assert frozenset(tuple_stoplist) == external.JT_STOPLIST
    assert install() is True  # idempotent
    # justext reads it through its cache (a frozenset keeps its hash there; not timed here)
    lowered = justext.core.define_stoplist(external.JT_STOPLIST)
    assert justext.core.define_stoplist(external.JT_STOPLIST) is lowered


def test_install_builds_the_list_when_trafilatura_has_not(monkeypatch: pytest.MonkeyPatch,
                                                          tuple_stoplist: tuple[str, ...]) -> None:
    monkeypatch.setattr(external, "JT_STOPLIST", None)
    assert install() is True
    assert frozenset(tuple_stoplist) == external.JT_STOPLIST


def test_justext_classifies_alike_with_either(monkeypatch: pytest.MonkeyPatch,
                                              tuple_stoplist: tuple[str, ...]) -> None:
    with_tuple = justext_text(tuple_stoplist, monkeypatch)
    with_frozenset = justext_text(frozenset(tuple_stoplist), monkeypatch)
    assert "harbour committee approved" in with_tuple
    assert "Contact" not in with_tuple  # the menu: justext did classify with this list
    assert with_frozenset == with_tuple


def test_a_list_of_another_kind_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    other = ["the", "a"]
    monkeypatch.setattr(external, "JT_STOPLIST", other)
    assert install() is False
    assert external.JT_STOPLIST is other
