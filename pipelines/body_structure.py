"""Structural signals a page gives about its own article body, read from the raw HTML tree.

JSON-LD `articleBody`, image captions and link texts: used by `pipelines/body.py` to
check and repair trafilatura's output. Pure functions over an lxml tree; reads no settings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from lxml.etree import ParserError

from pipelines.body_rules import WORD

# JSON-LD @type values whose articleBody is an article text, e.g. {"@type": "NewsArticle",
# "articleBody": "…"}, {"@type": ["Article", "ReportageNewsArticle"]}: one list for all modules
from pipelines.signals import ARTICLE_TYPES

# The lead/standfirst element themes print between headline and body, which trafilatura
# often cuts, e.g. <p class="lead">, <div class="article-standfirst">, <p itemprop="description">.
# Tested in Python on each <p>, <div> and <h2>: as one XPath predicate, libxml2 copied the
# class attribute for each of its nine tests of every element (twice the cost).
LEAD_TAGS = ("p", "div", "h2")
#: the class word "lead" on its own: class="lead", "intro lead", not "leading-6"
LEAD_CLASS_WORD = "lead"
#: class fragments of a lead anywhere in its class, e.g. "article__lead", "c-standfirst", "dek"
LEAD_CLASS_PARTS = ("standfirst", "__lead", "-lead", "article-intro", "teaser-text", "dek", "subheadline")
#: itemprop values of a lead, e.g. <p itemprop="description">
LEAD_ITEMPROPS = ("description", "abstract")
#: a marked lead inside these is navigation, a footer, a sidebar or a teaser link
LEAD_NOT_UNDER = frozenset({"nav", "footer", "aside", "a"})
#: the whitespace that separates class words (XPath's and HTML's: not the no-break space)
CLASS_SPACE_RE = re.compile(r"[ \t\r\n]+")
#: descendants that mark a layout block rather than a lead paragraph
LEAD_NOT_INSIDE = (
    ".//script | .//style | .//img | .//figure | .//ul | .//ol | .//form | .//iframe | .//button"
)
LEAD_IS_LAYOUT = etree.XPath(f"boolean({LEAD_NOT_INSIDE})")
#: the page's own summary, often printed as the standfirst
DESCRIPTION_XPATH = (
    "//head/meta[@property='og:description' or @name='description' or @name='twitter:description']"
    "/@content"
)
DESCRIPTIONS = etree.XPath(DESCRIPTION_XPATH)
#: text nodes of the page body holding $probe
PROBE_TEXTS = etree.XPath("//body//text()[contains(., $probe)]")
#: text nodes checked for the description (a word of it that the page repeats everywhere
#: is not worth more)
MAX_PROBE_HITS = 30
#: a lead has at least this many words (shorter ones are kickers) and at most LEAD_MAX_WORDS
LEAD_MIN_WORDS = 8
LEAD_MAX_WORDS = 90

#: link texts shorter than this many characters ("Home", "Sport") say nothing about teasers
MIN_LINK_TEXT = 15
#: a list item whose text is at least this share link text is a link, e.g.
#: <li><strong>Kicker:</strong> <a href="/other-article">Headline</a></li>
LINK_ITEM_SHARE = 0.5
#: embedded social-media posts; their text is a quote widget, not the article's prose,
#: e.g. <blockquote class="twitter-tweet">, <blockquote class="instagram-media">
EMBED_XPATH = (
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')"
    " or contains(@class, 'tiktok-embed') or contains(@class, 'bluesky-embed')"
    " or contains(@class, 'threads-post') or contains(@class, 'fb-xfbml-parse-ignore')]"
)
EMBED_ELEMENTS = etree.XPath(EMBED_XPATH)


@dataclass(frozen=True)
class PageSignals:
    """What the raw page says about its body, independent of trafilatura."""

    #: longest JSON-LD articleBody of an article-typed object, whitespace-normalised ("" if none)
    jsonld_body: str
    #: normalised texts of <figcaption> elements and credit/caption classes
    captions: frozenset[str]
    #: normalised texts of links of at least MIN_LINK_TEXT characters (teaser headlines)
    link_texts: frozenset[str]
    #: normalised texts of all links, short ones included (breadcrumbs, "related" lists)
    all_link_texts: frozenset[str] = frozenset()
    #: the article's lead/standfirst paragraph as the page marks it up ("" if none)
    lead: str = ""
    #: normalised texts of list items that are mostly one link (related-article lists)
    link_items: frozenset[str] = frozenset()
    #: normalised long link texts joined by newlines, to find paragraphs that sit inside a
    #: link (teaser cards: <a><h3>Other story</h3><p>Its first lines …</p></a>)
    link_blob: str = ""
    #: normalised texts of embedded social-media posts joined by newlines
    embed_blob: str = ""
    # Per-page memos for pipelines/body.py, which tests each paragraph in several steps and
    # once more in the second opinion's text, which repeats most of the default one.
    #: text -> norm(text)
    norm_memo: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)
    #: paragraph -> is_boilerplate(paragraph)
    boilerplate_memo: dict[str, bool] = field(default_factory=dict, init=False, compare=False, repr=False)


#: the parser options of the crawl and of the stand-alone body extractor (both parse with
#: parse_markup): like trafilatura's
#: own parser, drop comments and processing instructions, whose tails it would otherwise lose
#: (React pages put "<!-- -->" inside sentences, and trafilatura then cuts every paragraph at
#: its first link)
PARSER_OPTIONS = {"remove_comments": True, "remove_pis": True, "collect_ids": False}


def norm(text: str) -> str:
    """Comparison key of a text: its casefolded words, so "- Kicker: Headline" equals the
    link "Kicker Headline" whatever the punctuation and markup between them."""
    return " ".join(WORD.findall(text.casefold()))


class HtmlParser(etree.HTMLParser):
    """``lxml.html.HTMLParser`` without its per-element Python callback.

    lxml.html picks each element's class in Python (``HtmlElementClassLookup.lookup``), once
    for every element object lxml hands out: some 9,000 calls a page through trafilatura and
    the signals, about 1.5 ms of a worker's ~42 ms (measured over the dev corpus). A default
    lookup gives every element the same :class:`lxml.html.HtmlElement` in C; what it drops,
    the form-control classes (``InputElement.value`` and the like), neither trafilatura nor
    this project uses. Trees built with it are copied with it, so trafilatura's copies keep it.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment,
            pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity))


def parse_markup(html: str, build: Any = lxml_html.fromstring) -> lxml_html.HtmlElement:
    """``html`` parsed by ``build`` (``fromstring``, or ``document_fromstring`` for a whole
    page) with :class:`HtmlParser` and :data:`PARSER_OPTIONS`. lxml refuses a str with an
    XML encoding declaration: such markup is handed over as UTF-8 bytes with that encoding named.

    Raises:
        lxml.etree.ParserError, ValueError: the markup does not parse.
    """
    try:
        return build(html, parser=HtmlParser(**PARSER_OPTIONS))
    except ValueError:
        return build(html.encode("utf-8"), parser=HtmlParser(encoding="utf-8", **PARSER_OPTIONS))


def parse(html: str) -> lxml_html.HtmlElement | None:
    """A fresh lxml tree of the page, or None for an empty/unparsable document."""
    if not html or not html.strip():
        return None
    try:
        return parse_markup(html)
    except (ParserError, ValueError):
        return None


def _walk(node: Any) -> Any:
    """Yield every dict inside a JSON-LD value (graphs, lists, nested objects)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _is_article(obj: dict[str, Any]) -> bool:
    types = obj.get("@type", [])
    if isinstance(types, str):
        types = [types]
    return any(isinstance(t, str) and t.casefold() in ARTICLE_TYPES for t in types)


def jsonld_article_body(tree: lxml_html.HtmlElement) -> str:
    """Longest `articleBody` string of an article-typed JSON-LD object on the page."""
    best = ""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except json.JSONDecodeError:
            # broken JSON-LD is common (trailing commas, raw newlines); it is only a hint
            continue
        for obj in _walk(data):
            body = obj.get("articleBody")
            if isinstance(body, str) and _is_article(obj) and len(body) > len(best):
                best = body
    if "<" in best:
        # some CMSs put HTML into articleBody; keep its text only
        frag = parse(best)
        best = frag.text_content() if frag is not None else best
    return " ".join(best.split())


def page_signals(tree: lxml_html.HtmlElement | None) -> PageSignals:
    """Collect JSON-LD body, captions and teaser-link texts in one pass over the tree."""
    if tree is None:
        return PageSignals("", frozenset(), frozenset(), frozenset())
    captions = {norm(el.text_content()) for el in tree.iter("figcaption")}
    # each link's text once: link_items weighs the links of every list item by them too
    link_text = {a: a.text_content() for a in tree.iter("a")}
    # pages repeat link texts ("Read more", menus shown twice): normalise each text once
    links = {norm(text) for text in set(link_text.values())}
    links.discard("")
    captions.discard("")
    long_links = frozenset(t for t in links if len(t) >= MIN_LINK_TEXT)
    embeds = [norm(el.text_content()) for el in EMBED_ELEMENTS(tree)]
    return PageSignals(
        jsonld_article_body(tree),
        frozenset(captions),
        long_links,
        frozenset(links),
        lead_text(tree),
        link_items=link_items(tree, link_text),
        link_blob="\n".join(long_links),
        embed_blob="\n".join(e for e in embeds if e),
    )


def link_items(tree: lxml_html.HtmlElement,
               link_text: dict[lxml_html.HtmlElement, str] | None = None) -> frozenset[str]:
    """Normalised texts of the <li> elements whose text is mostly link text.

    ``link_text`` holds the text of every ``<a>`` of the page when the caller has read them.
    """
    found: set[str] = set()
    for item in tree.iter("li"):
        links = list(item.iter("a"))
        if not links:
            continue
        # raw lengths are enough for a share (normalising every item is the costly part)
        text = item.text_content()
        if link_text is None:
            linked = sum(len(a.text_content().strip()) for a in links)
        else:
            linked = sum(len(link_text[a].strip()) for a in links)
        if linked >= LINK_ITEM_SHARE * len(text.strip()) > 0:
            found.add(text)
    return frozenset(norm(text) for text in found)


def lead_text(tree: lxml_html.HtmlElement) -> str:
    """The first marked-up lead paragraph of a plausible length, whitespace-normalised."""
    for element in tree.iter(*LEAD_TAGS):
        if not _marked_as_lead(element) or any(a.tag in LEAD_NOT_UNDER for a in element.iterancestors()):
            continue
        # A container of scripts, images, lists or several paragraphs is a layout block, not a lead.
        if LEAD_IS_LAYOUT(element) or len(element.findall(".//p")) > 1:
            continue
        text = " ".join(element.text_content().split())
        if LEAD_MIN_WORDS <= len(text.split()) <= LEAD_MAX_WORDS:
            return text
    return ""


def _marked_as_lead(element: lxml_html.HtmlElement) -> bool:
    """Does the element's class or itemprop call it the lead (:data:`LEAD_CLASS_PARTS` ...)?"""
    if element.get("itemprop") in LEAD_ITEMPROPS:
        return True
    marks = element.get("class")
    return bool(marks) and (any(part in marks for part in LEAD_CLASS_PARTS)
                            or LEAD_CLASS_WORD in CLASS_SPACE_RE.split(marks))


def shown_description(tree: lxml_html.HtmlElement, known: str = "") -> str:
    """The meta description when an element of the page body holds exactly that text.

    Themes print the standfirst from the same field as <meta name="description">, in
    markup with no "lead" class; a description that is not shown (SEO text) is ignored,
    and so is one shown only as a link, caption or in navigation (a teaser of the story).
    A description whose normalised text is inside `known` (the body so far) is skipped
    before the costly search of the page.
    """
    tried: set[str] = set()
    for content in DESCRIPTIONS(tree):
        text = " ".join(str(content).split())
        key = norm(text)
        # description, og:description and twitter:description usually hold one text: search once
        if not LEAD_MIN_WORDS <= len(key.split()) <= LEAD_MAX_WORDS or key in known or key in tried:
            continue
        tried.add(key)
        # The description's longest early word finds candidate text nodes cheaply; the
        # smallest element around one that is as long as the description must equal it.
        probe = max(text.split()[:5], key=len)
        seen: set[Any] = set()
        for node in PROBE_TEXTS(tree, probe=probe)[:MAX_PROBE_HITS]:
            # a tail text belongs to the element around the one it follows
            element = node.getparent().getparent() if node.is_tail else node.getparent()
            raw = element.text_content() if element is not None else ""
            while element is not None and len(raw) < len(key):
                element = element.getparent()
                raw = element.text_content() if element is not None else ""
            if element is None or element in seen or len(raw) > 2 * len(text) + 200:
                continue
            seen.add(element)
            if norm(raw) == key and not element.xpath(
                "ancestor-or-self::*[self::a or self::figcaption or self::nav or self::footer"
                " or self::aside or self::script or self::noscript]"
            ):
                return text
    return ""
