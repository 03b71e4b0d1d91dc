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

from pipelines.date_signals import clean, date_candidates, inside, marks_of

#: JSON-LD @type values (lower-cased) of an article, e.g. "NewsArticle", "BlogPosting";
#: the one list for every module that asks "is this JSON-LD object the article?"
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "reportagenews", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "blogposting",
    "socialmediaposting", "liveblogposting", "report", "scholarlyarticle", "techarticle",
})
#: generic types a page may give its article: used for metadata only when no specific type is there
GENERIC_TYPES = frozenset({"webpage", "creativework"})
AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
               "dcterms.creator", "byl", "cxenseparse:author")
SECTION_META = ("article:section", "parsely-section", "section", "category", "cxenseparse:recs:category")
TAG_META = ("article:tag", "news_keywords", "parsely-tags", "sailthru.tags", "keywords")
#: class or id fragments of visible byline elements, e.g. class="entry-byline"
BYLINE_CLASS_WORDS = ("byline", "author", "autor", "auteur", "writer")
BYLINE_CLASS_RE = re.compile("|".join(BYLINE_CLASS_WORDS), re.IGNORECASE)
MAX_BYLINE_CHARS = 300
AFTER_H1 = etree.XPath("boolean(ancestor::h1 | preceding::h1)")
#: elements of the page body that carry a class, id or itemprop: where byline classes are
MARKED_ELEMENTS = etree.XPath("//body//*[@class or @id or @itemprop]")
#: tags whose class never makes them a byline element (the page's frame, media, metadata)
NOT_BYLINE_TAGS = frozenset({"script", "style", "meta", "link", "img", "body", "html", "article", "main",
                             "time", "figure", "figcaption"})
# The XPath expressions below test an attribute node before its element where they can:
# libxml2 evaluates a predicate on every node a step yields, and a page has many more
# elements than class, rel or type attributes that could match (a third of the cost or less).
JSONLD_SCRIPTS = etree.XPath(
    '//script/@type[contains(translate(., "LDJSON", "ldjson"), "ld+json")]/parent::*')
CANONICAL_HREFS = etree.XPath('//link/@rel[translate(., "CANONICAL", "canonical")="canonical"]/../@href')
#: <a rel="author">, e.g. rel="author external"
REL_AUTHOR_LINKS = etree.XPath('//a/@rel[contains(concat(" ", ., " "), " author ")]/parent::*')
REL_LINKS = etree.XPath("//a[@rel]")
#: <figcaption>, class="wp-caption-text", and other caption classes except on a figure or
#: an image's container; every one has "caption" in its class, the cheap test made first
CAPTION_ELEMENTS = etree.XPath(
    "//figcaption | //@class[contains(., 'caption')]/parent::*"
    "[contains(concat(' ', normalize-space(@class), ' '), ' wp-caption-text ')"
    " or not(self::figure or self::div[.//img])]"
)
#: a byline-class element that is not the byline itself, e.g. class="author-bio", "author__avatar"
BYLINE_NOISE_CLASS_RE = re.compile(
    r"bio\b|biography|avatar|photo|image|img|social|share|follow|description|about|"
    r"job|role|position|(?<!byline)title|more|latest|other|list", re.IGNORECASE)
#: an ancestor that holds other articles, comments or credits, e.g. class="related-posts", "comment-list"
FOREIGN_CONTEXT_RE = re.compile(
    r"comment|related|recommend|teaser|sidebar|widget|footer|newsletter|promo(?!ted)|"
    r"caption|credit|copyright|gallery|slider|carousel|trending|popular|read-?more|"
    r"more-(?:from|stories|articles)|latest|kommentar|discussion", re.IGNORECASE)
#: elements whose content is never the article's byline, e.g. <figure>, <aside>
FOREIGN_CONTEXT_TAGS = frozenset({"figure", "figcaption", "aside", "footer", "nav", "form", "blockquote"})
#: a visible text that is a photo credit, not a byline, e.g. "Foto: dpa", "Photo by Jane Doe", "© Getty"
CREDIT_TEXT_RE = re.compile(
    r"^\s*[(\[]?\s*(?:©|\(c\)|copyright|fotos?|photos?|photograph|bild|image|illustration|"
    r"fotocredits?|credits?|quelle|source|video|grafik|graphic)\b\s*(?:by|von|:)?", re.IGNORECASE)
#: a label that introduces the author, alone or before a colon: "Autorin/Autor", "Von:", "By"
AUTHOR_LABEL_RE = re.compile(
    r"^(?:autor(?:in|en|innen)?(?:\s*/\s*autor(?:in)?)?|authors?|written\s+by|by|von|par|por|"
    r"door|av|af|text|texte|texto|geschrieben\s+von|автор)\s*:?$", re.IGNORECASE)
#: elements whose text a label may introduce, e.g. <li><strong>Autor</strong> Jane Doe</li>
LABELLED_TAGS = ("p", "li", "div", "span", "dd", "td", "section", "header")
MAX_LABELLED_CHARS = 160
MAX_LABEL_CHARS = 30
#: a breadcrumb trail, e.g. class="c-breadcrumb__title", "kick__article__header__crumb"
NAVIGATION_CLASS_RE = re.compile(r"crumb", re.IGNORECASE)
#: words that join names in a bold lead line, e.g. "Jane Doe/John Roe", "Jane Doe and John Roe"
NAME_JOINERS = frozenset({"and", "und", "&", "/", ",", "y", "et", "og", "och", "e"})
#: a bold byline paragraph sits among the first few paragraphs of the article text
LEAD_PARAGRAPHS = 3


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


def _profile_urls(value: Any) -> dict[str, str]:
    """Author name -> profile URL (``url`` or ``@id``) from a JSON-LD ``author`` value."""
    found: dict[str, str] = {}
    for node in value if isinstance(value, list) else [value]:
        if isinstance(node, dict) and isinstance(node.get("name"), str):
            url = node.get("url") or node.get("@id")
            if isinstance(url, str) and clean(url):
                found.setdefault(clean(node["name"]), clean(url))
    return found


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
    for script in JSONLD_SCRIPTS(tree):
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
                    "datePublished": (
                        node.get("datePublished") if isinstance(node.get("datePublished"), str) else None
                    ),
                    "dateModified": (
                        node.get("dateModified") if isinstance(node.get("dateModified"), str) else None
                    ),
                    "authors": _names(node.get("author")) + _names(node.get("creator")),
                    "author_urls": _profile_urls(node.get("author")),
                    "publisher": (_names(publisher) or [None])[0],
                    "sections": _strings(node.get("articleSection")),
                    "keywords": _strings(node.get("keywords")),
                    "articleBody": (
                        node.get("articleBody") if isinstance(node.get("articleBody"), str) else None
                    ),
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
    return inside(element, FOREIGN_CONTEXT_TAGS, FOREIGN_CONTEXT_RE)


def _byline_marked(marks: str) -> bool:
    """``BYLINE_CLASS_RE.search(marks)``, asked of every marked element of the page.

    For ASCII marks (nearly all) substring tests of the lower-cased marks give the same
    answer at a fifth of the regex's cost; other marks keep the regex, whose case folding
    also matches a few non-ASCII letters (the Kelvin sign for "k", dotted and dotless i).
    """
    if marks.isascii():
        low = marks.lower()
        # BYLINE_CLASS_WORDS spelled out: half the cost of any() over the tuple
        return "byline" in low or "author" in low or "autor" in low or "auteur" in low or "writer" in low
    return BYLINE_CLASS_RE.search(marks) is not None


def visible_bylines(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    """Byline-looking elements in page order, grouped by outermost byline element.

    Each candidate carries ``group`` (its outermost byline element, page order),
    ``leaf`` (no byline element inside it) and ``after_h1`` (it follows the first
    ``<h1>``, where an article's own byline sits), so the bylines stage can read one
    byline block instead of every author name the page mentions.
    """
    has_h1 = next(tree.iter("h1"), None) is not None
    chosen: list[lxml_html.HtmlElement] = []
    for element in MARKED_ELEMENTS(tree):
        marks = marks_of(element)
        if not _byline_marked(marks) or element.tag in NOT_BYLINE_TAGS or BYLINE_NOISE_CLASS_RE.search(marks):
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


def in_navigation(element: lxml_html.HtmlElement) -> bool:
    """Is the element part of navigation: inside ``<nav>`` or a breadcrumb trail?

    News themes put an SEO copy of the headline in an ``<h1>`` at the end of the
    breadcrumb trail and show the reader another one.
    """
    return any(a.tag == "nav" or NAVIGATION_CLASS_RE.search(f"{a.get('class', '')} {a.get('id', '')}")
               for a in (element, *element.iterancestors()))


def _label_of(element: lxml_html.HtmlElement) -> bool:
    """Does the element open with an author label, as its own text or its first child's?

    Runs on every paragraph-like element of the page, so it reads own text only
    (``text``, never ``text_content()`` of a subtree) and bails out on long text early.
    """
    lead = (element.text or "").strip()
    if lead:
        return len(lead) <= MAX_LABEL_CHARS and bool(AUTHOR_LABEL_RE.match(lead))
    if not len(element):
        return False
    first = element[0]
    label = (first.text or "").strip() if isinstance(first.tag, str) and not len(first) else ""
    return 0 < len(label) <= MAX_LABEL_CHARS and bool(AUTHOR_LABEL_RE.match(label))


def labelled_bylines(tree: lxml_html.HtmlElement, first_group: int) -> list[dict[str, Any]]:
    """Short elements that an author label opens, whatever their class, in page order.

    Themes without a byline class still write "<li><strong>Autor</strong> Jane Doe</li>"
    or "<p>von <a href=...>Jane Doe</a></p>". Each is its own group, numbered from
    ``first_group`` so they rank after the class-named byline blocks.
    """
    h1 = next(tree.iter("h1"), None)
    found: list[dict[str, Any]] = []
    seen_h1 = h1 is None
    for element in tree.iter(*LABELLED_TAGS, "h1"):
        if element is h1:
            seen_h1 = True
            continue
        if element.tag == "h1" or not _label_of(element) or _foreign_context(element):
            continue
        text = glued_text(element)
        # the label and at least one word after it, and no more than a byline line holds
        if len(text.split()) < 2 or len(text) > MAX_LABELLED_CHARS:
            continue
        found.append({"text": text, "source": "byline", "group": first_group + len(found),
                      "leaf": True, "after_h1": seen_h1})
    return found


def _name_shaped(text: str) -> bool:
    """ "Jane Doe", "JANE DOE/John Roe": 2-8 capitalised words and joiners, no digits."""
    words = re.sub(r"([/,&])", r" \1 ", text).split()
    names = [w for w in words if w.casefold() not in NAME_JOINERS]
    return (2 <= len(names) <= 8 and not any(c.isdigit() for c in text)
            and all(w[0].isupper() and w[0].isalpha() for w in names))


def bold_lead_bylines(tree: lxml_html.HtmlElement, first_group: int) -> list[dict[str, Any]]:
    """A paragraph that is only a bold name, among the first paragraphs of a text block.

    Small newspapers' themes print the byline as ``<p><strong>Jane Doe</strong></p>``
    above the article text, with no class to find it by. Only name-shaped lines count
    (subheads such as "Best value heated airer, 8/10" are not), each its own group.
    """
    found: list[dict[str, Any]] = []
    parents = {p.getparent(): None for p in tree.iter("p")}
    for parent in parents:
        if parent is None:
            continue
        children = [p for p in parent if p.tag == "p"]
        if len(children) < LEAD_PARAGRAPHS:  # cheap test first: most parents hold one <p>
            continue
        paragraphs = [p for p in children if clean(p.text_content())]
        if len(paragraphs) < LEAD_PARAGRAPHS or _foreign_context(paragraphs[0]):
            continue
        for paragraph in paragraphs[:LEAD_PARAGRAPHS]:
            text = clean(paragraph.text_content())
            bold = [c for c in paragraph if c.tag in ("strong", "b")]
            if len(bold) == 1 and clean(bold[0].text_content()) == text and _name_shaped(text):
                found.append({"text": text, "source": "byline", "group": first_group + len(found),
                              "leaf": True, "after_h1": True})
                break
    return found


def byline_candidates(tree: lxml_html.HtmlElement, jsonld: dict[str, Any],
                      meta: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Author strings in priority order: JSON-LD, meta, rel=author, visible byline elements."""
    urls = jsonld.get("author_urls", {})
    found: list[dict[str, Any]] = [{"text": n, "source": "jsonld", **({"url": urls[n]} if n in urls else {})}
                                   for n in jsonld.get("authors", [])]
    found += [{"text": v, "source": "meta"} for _, v in _first(meta, AUTHOR_META)]
    for link in REL_AUTHOR_LINKS(tree):
        if not _foreign_context(link):
            found.append({"text": clean(link.text_content()), "source": "rel-author",
                          "url": clean(link.get("href"))})
    visible = visible_bylines(tree)
    found += visible
    labelled = labelled_bylines(tree, first_group=1 + max((int(c["group"]) for c in visible), default=-1))
    found += labelled
    found += bold_lead_bylines(tree, first_group=1 + max((int(c["group"]) for c in visible + labelled),
                                                          default=-1))
    seen: set[tuple[str, str]] = set()
    unique = []
    for cand in found:
        key = (cand["text"].lower(), cand["source"])
        if cand["text"] and key not in seen:
            seen.add(key)
            unique.append(cand)
    return unique[:40]


def taxonomy(tree: lxml_html.HtmlElement, jsonld: dict[str, Any], meta: dict[str, list[str]],
             breadcrumbs: list[str]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Category and tag candidates ({"text", "source"}), in page order within each source."""
    cats = [{"text": v, "source": "meta"} for _, v in _first(meta, SECTION_META)]
    cats += [{"text": s, "source": "jsonld"} for s in jsonld.get("sections", [])]
    tags = [{"text": v, "source": "meta"} for _, v in _first(meta, TAG_META[:4])]
    tags += [{"text": s, "source": "jsonld"} for s in jsonld.get("keywords", [])]
    for link in REL_LINKS(tree):
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
    for element in CAPTION_ELEMENTS(tree):
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
    canonical = CANONICAL_HREFS(tree)
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
        "h1_navigation": [clean(h.text_content()) for h in tree.iter("h1") if in_navigation(h)][:5],
        "html_lang": clean(html_lang) or None,
        "byline_candidates": byline_candidates(tree, jsonld, meta),
        "date_candidates": date_candidates(tree, jsonld, meta, url),
        "category_candidates": categories,
        "tag_candidates": tags,
        "caption_candidates": caption_candidates(tree),
        "breadcrumbs": breadcrumbs,
    }
