"""The sites file: name a site once (feeds, sitemaps, link rules, timezone, ...) and crawl it by name.

Read with :mod:`tomllib` from the path in setting ``NEWS_SITES_FILE`` (default
``sites.toml``; see ``sites.example.toml``). Each ``[sites.NAME]`` table becomes
a plain dict: the spiders read ``url``, ``feeds``, ``sitemaps``, ``allow``,
``deny`` and ``depth``; the pipelines read ``timezone``, ``language``,
``boilerplate`` and ``site_name`` from ``item.site_config``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: keys a site table may hold, and the type each must have
SITE_KEYS: dict[str, type | tuple[type, ...]] = {
    "url": str,
    "feeds": list,
    "sitemaps": list,
    "allow": list,
    "deny": list,
    "depth": int,
    "timezone": str,
    "language": str,
    "boilerplate": list,
    "site_name": str,
}
LIST_KEYS = ("feeds", "sitemaps", "allow", "deny", "boilerplate")
REGEX_KEYS = ("allow", "deny", "boilerplate")


class SitesError(ValueError):
    """The sites file or one of its sites is unusable; the message says where and why."""


def load_sites(path: str | Path) -> dict[str, dict[str, Any]]:
    """Every site of a sites file, validated: ``{name: config}``; ``{}`` when the file is absent."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SitesError(f"{path}: not valid TOML ({exc})") from exc
    tables = data.get("sites", {})
    if not isinstance(tables, dict):
        raise SitesError(f"{path}: 'sites' must be a table of [sites.NAME] tables")
    return {name: validate_site(name, table, path) for name, table in tables.items()}


def validate_site(name: str, table: Any, path: str | Path = "sites file") -> dict[str, Any]:
    """Check one site table's keys, types and regexes; return it with list keys defaulted to []."""
    where = f"{path} [sites.{name}]"
    if not isinstance(table, dict):
        raise SitesError(f"{where}: must be a table")
    unknown = sorted(set(table) - set(SITE_KEYS))
    if unknown:
        raise SitesError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(SITE_KEYS)})")
    for key, kind in SITE_KEYS.items():
        if key in table and not isinstance(table[key], kind):
            raise SitesError(f"{where}: {key} must be a {getattr(kind, '__name__', kind)}")
    config = {"name": name, **table}
    for key in LIST_KEYS:
        config[key] = [str(v) for v in config.get(key, [])]
    for key in REGEX_KEYS:
        for pattern in config[key]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SitesError(f"{where}: {key} pattern {pattern!r} is not a regex ({exc})") from exc
    return config


def site_by_name(path: str | Path, name: str) -> dict[str, Any]:
    """The named site's config; :class:`SitesError` naming the known ones when it is missing."""
    sites = load_sites(path)
    if name not in sites:
        known = ", ".join(sorted(sites)) or f"none: {path} is missing or empty"
        raise SitesError(f"no site {name!r} in {path} (known: {known})")
    return sites[name]


def host_of(url: str) -> str:
    """Lower-case host without a leading www."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def site_for_url(sites: dict[str, dict[str, Any]], url: str) -> dict[str, Any]:
    """The config of the site whose url/feeds/sitemaps share ``url``'s host, else {}."""
    host = host_of(url)
    for config in sites.values():
        urls = [config.get("url", ""), *config["feeds"], *config["sitemaps"]]
        if any(u and host_of(u) == host for u in urls):
            return config
    return {}
