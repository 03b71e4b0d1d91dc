"""Sites and authors as their own tables, beside the JSON arrays in `articles`.

Datasette facets on a JSON array (`authors`) but cannot link a name to a page
of its own. These helpers keep three side tables in step with `articles` so it
can: `sites` (one row per registered domain, via sqlite-utils ``lookup``),
`authors` (one row per name, via ``lookup``) and `article_authors` (the
many-to-many link, in byline order). Called by :class:`pipelines.store.Store`
on every write and by the migration that backfills older databases. Reads no
settings.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database


def site_id(db: Database, domain: str | None, name: str | None) -> int | None:
    """The `sites` id of a registered domain, creating the row on first sight.

    Keyed on the domain, which is stable; the display name is the outlet's
    `site_name`, filled in once any article of the site states one. Replayed
    files with no URL have no domain and so no site (None).
    """
    if not domain:
        return None
    sites = db.table("sites")
    found = sites.lookup({"domain": domain}, {"name": name or None})
    if name and sites.get(found)["name"] is None:
        sites.update(found, {"name": name})
    return int(found)


def with_site(db: Database, row: dict[str, Any]) -> dict[str, Any]:
    """The article row with its `site_id` filled in (the row itself is not changed)."""
    return {**row, "site_id": site_id(db, row.get("site"), row.get("site_name"))}


def link_authors(db: Database, url: str, authors: list[str] | str | None) -> None:
    """Make `article_authors` hold exactly ``authors`` (in byline order) for one article.

    ``authors`` may be the list or the JSON text stored in `articles.authors`.
    A name dropped from the article since the last write loses its link; the
    `authors` row itself stays (other articles may still point at it).
    """
    names = json.loads(authors) if isinstance(authors, str) else list(authors or [])
    ids: list[int] = []
    for name in names:
        if not isinstance(name, str) or not name.strip():
            continue
        author = int(db.table("authors").lookup({"name": name.strip()}))
        if author not in ids:
            ids.append(author)
    links = db.table("article_authors")
    links.delete_where("article_url = ?", [url])
    links.insert_all(
        ({"article_url": url, "author_id": author, "position": position}
         for position, author in enumerate(ids)),
        pk=("article_url", "author_id"), alter=False,
    )


def link_article(db: Database, row: dict[str, Any]) -> None:
    """Backfill one stored article: set its `site_id` and its author links."""
    db.table("articles").update(row["url"], {"site_id": with_site(db, row)["site_id"]})
    link_authors(db, row["url"], row.get("authors"))
