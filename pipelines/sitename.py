"""Site-name stage: the outlet's name, from the page's own declarations.

Candidates, best first: ``og:site_name``, JSON-LD ``publisher.name``,
``application-name``, trafilatura's guess. A URL or a sentence is not a name
(trafilatura takes ``article:publisher``, often a Facebook page URL). The
bylines stage may still fill an empty site name from the byline ("…, The Duran,
…"). Reads no settings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipelines.stage import PageStage

if TYPE_CHECKING:
    from crawler.items import ArticleItem
    from pipelines.stage import Stats

#: not a name: a URL or an e-mail, e.g. "https://www.facebook.com/theduran"
NOT_A_NAME_RE = re.compile(r"^(?:https?:|www\.)|/|@", re.IGNORECASE)
MAX_NAME_CHARS = 60


def choose_site_name(candidates: list[tuple[str, str | None]]) -> tuple[str | None, str | None]:
    """First plausible (source, value) candidate -> (name, source)."""
    for source, value in candidates:
        name = (value or "").strip()
        if name and len(name) <= MAX_NAME_CHARS and not NOT_A_NAME_RE.search(name):
            return name, source
    return None, None


class SiteNamePipeline(PageStage):
    """Page stage around :func:`choose_site_name`."""

    name = "sitename"

    def apply(self, item: ArticleItem, stats: Stats) -> None:
        meta = item.signals.get("meta", {})
        candidates: list[tuple[str, str | None]] = [
            ("site_config", item.site_config.get("site_name")),
            *(("og:site_name", v) for v in meta.get("og:site_name", [])),
            ("jsonld", item.signals.get("jsonld", {}).get("publisher")),
            *(("application-name", v) for v in meta.get("application-name", [])),
            ("trafilatura", item.site_name),
        ]
        item.site_name, item.site_name_source = choose_site_name(candidates)
        if item.site_name is None:
            stats.inc_value("news/sitename/none")
