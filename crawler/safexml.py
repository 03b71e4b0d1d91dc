"""Parse untrusted XML (sitemaps, feeds) without letting the document attack the parser.

A hostile sitemap or feed can declare entities that expand exponentially
("billion laughs"), reference external files or URLs (XXE), or nest so deep
that the parser exhausts memory. :func:`parse_xml` is the one place the live
spiders turn a downloaded XML body into a tree: entities are never expanded,
nothing is fetched, DTDs are not loaded, and libxml2's "huge tree" limits stay
on. Reads no settings.
"""

from __future__ import annotations

from lxml import etree

#: refuse to even start on bodies bigger than this; DOWNLOAD_MAXSIZE normally stops them earlier
MAX_XML_BYTES = 50 * 1024 * 1024


class UnsafeXML(ValueError):
    """The body is not XML this project will parse; the message is a plain reason."""


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers keep state (error log, entity tables) and are
    # not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,  # &lol9; stays an unexpanded entity reference
        no_network=True,  # never fetch a DTD or an external entity from the network
        load_dtd=False,  # nor from disk
        dtd_validation=False,
        huge_tree=False,  # keep libxml2's depth and text-node size limits
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


def parse_xml(body: bytes) -> etree._Element:
    """Parse ``body`` into an element tree safely.

    Entity references are left unexpanded (their text is not substituted), so an
    entity-expansion bomb parses in microseconds into a tiny tree and an external
    entity never reads a file.

    Raises:
        UnsafeXML: the body is empty, too big, or not well-formed XML.
    """
    if not body or not body.strip():
        raise UnsafeXML("the XML document is empty")
    if len(body) > MAX_XML_BYTES:
        raise UnsafeXML(f"the XML document is too big ({len(body)} bytes > {MAX_XML_BYTES})")
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXML(f"the XML document is malformed or hostile ({exc})") from exc
    if root is None:
        raise UnsafeXML("the XML document has no root element")
    return root
