"""Structured signals read from a page before trafilatura cleans its tree.

A pure function, :func:`collect_signals`, reads JSON-LD, ``<meta>`` tags,
canonical links, headlines, byline and date candidates, taxonomy links and
caption candidates out of one parsed lxml tree. The normalising stages decide
between the candidates; this module only gathers them, in priority order, each
with its source so every chosen value can be audited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from lxml import html as lxml_html

#: JSON-LD @type values (lower-cased) of an article, e.g. "NewsArticle", "BlogPosting";
#: the one list for every module that asks "is this JSON-LD object the article?"
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "reportagenews", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "blogposting",
    "socialmediaposting", "liveblogposting", "report", "scholarlyarticle", "techarticle",
})
#: generic types a page may give its article: used for metadata only when no specific type is there
GENERIC_TYPES = frozenset({"webpage", "creativework"})
#: meta names/properties for the publication instant, highest priority first
PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datepublished", "pubdate", "publishdate", "publish-date", "publish_date",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date",
    "dcterms.created", "dc.date.created", "date", "article.published", "cxenseparse:recs:publishtime",
)
#: meta names/properties for the last modification
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
                 "dc.date.modified", "last-modified", "lastmod")
AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
               "dcterms.creator", "byl", "cxenseparse:author")
SECTION_META = ("article:section", "parsely-section", "section", "category", "cxenseparse:recs:category")
TAG_META = ("article:tag", "news_keywords", "parsely-tags", "sailthru.tags", "keywords")
#: class or id fragments of visible byline elements, e.g. class="entry-byline"
BYLINE_CLASS_RE = re.compile(r"byline|author|autor|auteur|writer", re.IGNORECASE)
#: a path that dates the article, e.g. /2016/07/25/slug
URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:[/-]|$)")
MAX_BYLINE_CHARS = 300
AFTER_H1 = etree.XPath("boolean(ancestor::h1 | preceding::h1)")
#: a byline-class element that is not the byline itself, e.g. class="author-bio", "author__avatar"
BYLINE_NOISE_CLASS_RE = re.compile(
    r"bio\b|biography|avatar|photo|image|img|social|share|follow|description|about|"
    r"job|role|position|(?<!byline)title|more|latest|other|list", re.IGNORECASE)
#: an ancestor that holds other articles, comments or credits, e.g. class="related-posts", "comment-list"
FOREIGN_CONTEXT_RE = re.compile(
    r"comment|related|recommend|teaser|sidebar|widget|footer|newsletter|promo|"
    r"caption|credit|copyright|gallery|slider|carousel|trending|popular|read-?more|"
    r"more-(?:from|stories|articles)|latest|kommentar|discussion", re.IGNORECASE)
#: elements whose content is never the article's byline, e.g. <figure>, <aside>
FOREIGN_CONTEXT_TAGS = frozenset({"figure", "figcaption", "aside", "footer", "nav", "form", "blockquote"})
#: a visible text that is a photo credit, not a byline, e.g. "Foto: dpa", "Photo by Jane Doe", "© Getty"
CREDIT_TEXT_RE = re.compile(
    r"^\s*[(\[]?\s*(?:©|\(c\)|copyright|fotos?|photos?|photograph|bild|image|illustration|"
    r"fotocredits?|credits?|quelle|source|video|grafik|graphic)\b\s*(?:by|von|:)?", re.IGNORECASE)
WS_RE = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """Collapse whitespace; '' for None."""
    return WS_RE.sub(" ", text or "").strip()


def _walk_jsonld(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for child in node:
            yield from _walk_jsonld(child)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _walk_jsonld(node["@graph"])
        main = node.get("mainEntity")
        if isinstance(main, (dict, list)):
            yield from _walk_jsonld(main)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type", [])
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def _names(value: Any) -> list[str]:
    """Person or organisation names from a JSON-LD value (str, dict, list)."""
    if isinstance(value, str):
        return [clean(value)] if clean(value) else []
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str) and clean(name):
            return [clean(name)]
        return []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [clean(value)] if clean(value) else []
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return _names(value)
    return []


def read_jsonld(tree: lxml_html.HtmlElement) -> tuple[dict[str, Any], list[str], int]:
    """The article-like JSON-LD object (reduced), breadcrumb names, and invalid block count."""
    article: dict[str, Any] = {}
    breadcrumbs: list[str] = []
    invalid = 0
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        try:
            data = json.loads(script.text_content() or "null", strict=False)
        except (ValueError, RecursionError):
            invalid += 1
            continue
        for node in _walk_jsonld(data):
            kinds = _types(node)
            if "breadcrumblist" in kinds and not breadcrumbs:
                items = node.get("itemListElement") or []
                for entry in items if isinstance(items, list) else []:
                    if isinstance(entry, dict):
                        target = entry.get("item")
                        name = entry.get("name") or (target.get("name") if isinstance(target, dict) else None)
                        if isinstance(name, str) and clean(name):
                            breadcrumbs.append(clean(name))
            is_article = bool(kinds & (ARTICLE_TYPES | GENERIC_TYPES)) or any(
                k.endswith("article") for k in kinds)
            # A specific article type beats a generic WebPage seen earlier.
            if is_article and (not article or (article["_generic"] and not kinds <= GENERIC_TYPES)):
                publisher = node.get("publisher")
                article = {
                    "_generic": kinds <= GENERIC_TYPES,
                    "type": sorted(kinds),
                    "headline": next(iter(_strings(node.get("headline")) + _strings(node.get("name"))), ""),
                    "datePublished": node.get("datePublished") if isinstance(node.get("datePublished"), str) else None,
                    "dateModified": node.get("dateModified") if isinstance(node.get("dateModified"), str) else None,
                    "authors": _names(node.get("author")) + _names(node.get("creator")),
                    "publisher": (_names(publisher) or [None])[0],
                    "sections": _strings(node.get("articleSection")),
                    "keywords": _strings(node.get("keywords")),
                    "articleBody": node.get("articleBody") if isinstance(node.get("articleBody"), str) else None,
                    "url": node.get("url") if isinstance(node.get("url"), str) else None,
                    "inLanguage": node.get("inLanguage") if isinstance(node.get("inLanguage"), str) else None,
                }
    article.pop("_generic", None)
    return article, breadcrumbs, invalid


def read_meta(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-cased name/property/itemprop, in page order."""
    meta: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        content = clean(element.get("content"))
        if key and content:
            meta.setdefault(key.strip().lower(), []).append(content)
    return meta


def _first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    for key in keys:
        for value in meta.get(key, []):
            yield key, value


def _class_of(element: lxml_html.HtmlElement) -> str:
    return f"{element.get('class', '')} {element.get('id', '')} {element.get('itemprop', '')}"


def glued_text(element: lxml_html.HtmlElement) -> str:
    """Text of an element where two text nodes that touch with no space get a line break.

    ``<b>Ulrich Exner</b><span>Korrespondent</span>`` reads "Ulrich Exner\\nKorrespondent",
    not "Ulrich ExnerKorrespondent"; ``<span>Jane</span> <span>Doe</span>`` stays "Jane Doe".
    """
    pieces = [p for p in element.itertext() if p]
    out = ""
    for piece in pieces:
        if out and not out[-1].isspace() and not piece[0].isspace():
            out += "\n"
        out += piece
    return "\n".join(clean(line) for line in out.splitlines() if clean(line))


def _foreign_context(element: lxml_html.HtmlElement) -> bool:
    """Is the element inside a block that holds other articles, comments or photo credits?"""
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            return False
        if ancestor.tag in FOREIGN_CONTEXT_TAGS or FOREIGN_CONTEXT_RE.search(
                f"{ancestor.get('class', '')} {ancestor.get('id', '')}"):
            return True
    return False


def visible_bylines(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    """Byline-looking elements in page order, grouped by outermost byline element.

    Each candidate carries ``group`` (its outermost byline element, page order),
    ``leaf`` (no byline element inside it) and ``after_h1`` (it follows the first
    ``<h1>``, where an article's own byline sits), so the bylines stage can read one
    byline block instead of every author name the page mentions.
    """
    has_h1 = next(tree.iter("h1"), None) is not None
    chosen: list[lxml_html.HtmlElement] = []
    for element in tree.xpath("//body//*[@class or @id or @itemprop]"):
        if element.tag in ("script", "style", "meta", "link", "img", "body", "html", "article", "main",
                           "time", "figure", "figcaption"):
            continue
        if not BYLINE_CLASS_RE.search(_class_of(element)) or BYLINE_NOISE_CLASS_RE.search(_class_of(element)):
            continue
        if _foreign_context(element):
            continue
        chosen.append(element)
    members = set(chosen)
    found: list[dict[str, Any]] = []
    groups: dict[lxml_html.HtmlElement, int] = {}
    for element in chosen:
        outer = element
        for ancestor in element.iterancestors():
            if ancestor in members:
                outer = ancestor
        group = groups.setdefault(outer, len(groups))
        text = glued_text(element)
        if not 2 < len(text) <= MAX_BYLINE_CHARS or CREDIT_TEXT_RE.match(text):
            continue
        leaf = not any(d in members for d in element.iterdescendants())
        # After the page's first <h1> in document order: an <h1> precedes it or contains it
        # (asked of the few candidates, instead of numbering every element of the page).
        found.append({"text": text, "source": "byline", "group": group, "leaf": leaf,
                      "after_h1": not has_h1 or AFTER_H1(element)})
    return found


def byline_candidates(tree: lxml_html.HtmlElement, jsonld: dict[str, Any],
                      meta: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Author strings in priority order: JSON-LD, meta, rel=author, visible byline elements."""
    found: list[dict[str, Any]] = [{"text": n, "source": "jsonld"} for n in jsonld.get("authors", [])]
    found += [{"text": v, "source": "meta"} for _, v in _first(meta, AUTHOR_META)]
    for link in tree.xpath('//a[contains(concat(" ", @rel, " "), " author ")]'):
        if not _foreign_context(link):
            found.append({"text": clean(link.text_content()), "source": "rel-author"})
    found += visible_bylines(tree)
    seen: set[tuple[str, str]] = set()
    unique = []
    for cand in found:
        key = (cand["text"].lower(), cand["source"])
        if cand["text"] and key not in seen:
            seen.add(key)
            unique.append(cand)
    return unique[:40]


def date_candidates(tree: lxml_html.HtmlElement, jsonld: dict[str, Any],
                    meta: dict[str, list[str]], url: str) -> list[dict[str, str]]:
    """Date strings in priority order with their kind (published / modified) and source."""
    found: list[dict[str, str]] = []
    if jsonld.get("datePublished"):
        found.append({"raw": jsonld["datePublished"], "source": "jsonld", "kind": "published"})
    if jsonld.get("dateModified"):
        found.append({"raw": jsonld["dateModified"], "source": "jsonld", "kind": "modified"})
    found += [{"raw": v, "source": "meta", "kind": "published"} for _, v in _first(meta, PUBLISHED_META)]
    found += [{"raw": v, "source": "meta", "kind": "modified"} for _, v in _first(meta, MODIFIED_META)]
    for element in tree.xpath("//time[@datetime] | //*[@itemprop='datePublished' or @itemprop='dateModified']"):
        raw = clean(element.get("datetime") or element.get("content") or element.text_content())
        marks = _class_of(element).lower()
        kind = "modified" if ("modified" in marks or "updated" in marks) else "published"
        if raw:
            found.append({"raw": raw, "source": "time", "kind": kind})
    match = URL_DATE_RE.search(url)
    if match:
        year, month, day = (int(g) for g in match.groups())
        found.append({"raw": f"{year:04d}-{month:02d}-{day:02d}", "source": "url", "kind": "published"})
    return found[:30]


def taxonomy(tree: lxml_html.HtmlElement, jsonld: dict[str, Any], meta: dict[str, list[str]],
             breadcrumbs: list[str]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Category and tag candidates ({"text", "source"}), in page order within each source."""
    cats = [{"text": v, "source": "meta"} for _, v in _first(meta, SECTION_META)]
    cats += [{"text": s, "source": "jsonld"} for s in jsonld.get("sections", [])]
    tags = [{"text": v, "source": "meta"} for _, v in _first(meta, TAG_META[:4])]
    tags += [{"text": s, "source": "jsonld"} for s in jsonld.get("keywords", [])]
    for link in tree.xpath("//a[@rel]"):
        rel = f" {link.get('rel', '').lower()} "
        text = clean(link.text_content())
        if not text or len(text) > 80:
            continue
        if " category " in rel:
            cats.append({"text": text, "source": "rel-category"})
        elif " tag " in rel:
            tags.append({"text": text, "source": "rel-tag"})
    # Breadcrumbs without the leading "Home" and the trailing article itself.
    cats += [{"text": b, "source": "breadcrumb"} for b in breadcrumbs[1:-1]]
    tags += [{"text": v, "source": "meta-keywords"} for _, v in _first(meta, TAG_META[4:])]
    return cats, tags


def caption_candidates(tree: lxml_html.HtmlElement) -> list[dict[str, str]]:
    """Photo captions (figcaption, wp-caption-text, ...) and image alt/title texts."""
    found: list[dict[str, str]] = []
    for element in tree.xpath(
        "//figcaption | //*[contains(concat(' ', normalize-space(@class), ' '), ' wp-caption-text ')]"
        " | //*[contains(@class, 'caption') and not(self::figure) and not(self::div[.//img])]"
    ):
        text = clean(element.text_content())
        if text and len(text) < 1000:
            found.append({"text": text, "source": "caption"})
    for image in tree.iter("img"):
        for attr in ("alt", "title"):
            text = clean(image.get(attr))
            if len(text.split()) >= 4:
                found.append({"text": text, "source": f"img-{attr}"})
    return found[:200]


def collect_signals(tree: lxml_html.HtmlElement, url: str) -> dict[str, Any]:
    """Everything the normalising stages need from the page, as plain picklable data."""
    jsonld, breadcrumbs, invalid = read_jsonld(tree)
    meta = read_meta(tree)
    canonical = tree.xpath('//link[translate(@rel, "CANONICAL", "canonical")="canonical"]/@href')
    title_tag = tree.findtext(".//title")
    html_lang = tree.get("lang") or tree.get("xml:lang")
    categories, tags = taxonomy(tree, jsonld, meta, breadcrumbs)
    return {
        "jsonld": jsonld,
        "jsonld_invalid": invalid,
        "meta": meta,
        "canonical": clean(canonical[0]) if canonical else None,
        "og_url": (meta.get("og:url") or [None])[0],
        "title_tag": clean(title_tag),
        "h1": [clean(h.text_content()) for h in tree.iter("h1")][:5],
        "html_lang": clean(html_lang) or None,
        "byline_candidates": byline_candidates(tree, jsonld, meta),
        "date_candidates": date_candidates(tree, jsonld, meta, url),
        "category_candidates": categories,
        "tag_candidates": tags,
        "caption_candidates": caption_candidates(tree),
        "breadcrumbs": breadcrumbs,
    }
