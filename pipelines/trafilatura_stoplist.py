"""trafilatura's every-language justext stop list as a frozenset, which keeps its hash.

Why: on a page whose language has no justext stop list of its own, trafilatura's justext
fallback passes ``JT_STOPLIST``, the words of every language's list (~154,000), as a
*tuple* to justext's ``classify_paragraphs``, which looks it up in an ``lru_cache``
(``define_stoplist``). A tuple does not keep its hash, so each such call hashed all of
those words again: 1.6 ms a call, on about one corpus page in six. A frozenset keeps its
hash after the first lookup, and ``define_stoplist`` makes the same lower-cased frozenset
of either, so justext classifies every paragraph as before. Hand-rolled because
trafilatura builds the tuple itself (``trafilatura.external.jt_stoplist_init``).

:func:`install` builds the list at once (~0.1 s, which the first page that needs it paid
before), so the tuple never reaches justext's cache: the fork server's warm-up does it for
every worker. Reads no settings.
"""

from __future__ import annotations

from trafilatura import external


def install() -> bool:
    """Make trafilatura's every-language stop list a frozenset; True once it is one.

    Idempotent. A trafilatura whose ``JT_STOPLIST`` is neither unset nor a tuple is left as it is.
    """
    current = getattr(external, "JT_STOPLIST", None)
    if isinstance(current, frozenset):
        return True
    if current is None and callable(getattr(external, "jt_stoplist_init", None)):
        current = external.jt_stoplist_init()
    if isinstance(current, tuple) and current:
        external.JT_STOPLIST = frozenset(current)
        return True
    return False
