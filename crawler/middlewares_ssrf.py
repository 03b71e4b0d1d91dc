"""PrivateAddressMiddleware: live crawls never reach private, loopback or link-local hosts.

A page, feed, sitemap or redirect can point the crawler anywhere, including at
the machine it runs on (``http://127.0.0.1:8080/admin``), the local network
(``http://10.0.0.1/``) or a cloud metadata service
(``http://169.254.169.254/latest/meta-data/``). This downloader middleware
refuses such requests before any connection is made. Redirect targets pass
through it too: Scrapy's RedirectMiddleware schedules them as new requests,
which go through every downloader middleware again.

Refused (:class:`~scrapy.exceptions.IgnoreRequest`, stat
``news/ssrf/refused/<why>``):

- any scheme other than ``http`` and ``https`` (``file:``, ``ftp:``, ``data:``,
  ``s3:`` ...): replay reads files itself, never through requests;
- a host that is, or resolves to, an address that is not globally routable
  (private, loopback, link-local, shared, reserved, multicast, unspecified;
  IPv4-mapped IPv6 forms are unwrapped first).

Host names are resolved (in a thread, once per host per run) only for this
check; the downloader resolves them again to connect.

Reads setting ``NEWS_ALLOW_PRIVATE_ADDRESSES`` (default False): True turns the
address check off (tests against a 127.0.0.1 server; an intranet crawl). The
scheme check stays on either way.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

#: the only schemes a live crawl may request
ALLOWED_SCHEMES = frozenset({"http", "https"})
#: remember at most this many host -> addresses answers per run
MAX_CACHED_HOSTS = 10_000

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Iterable[str]]


def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]).split("%", 1)[0] for info in infos})


def ip_literal(host: str) -> IPAddress | None:
    """The address when ``host`` is written as one ("10.0.0.1", "::1"), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def is_public(address: IPAddress) -> bool:
    """True only for globally routable unicast addresses."""
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and 64:ff9b::7f00:1 (NAT64) reach the IPv4 address inside them.
        inner = address.ipv4_mapped or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
            if address in ipaddress.IPv6Network("64:ff9b::/96")
            else None
        )
        if inner is not None:
            return is_public(inner)
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def scheme_refusal(url: str) -> str | None:
    """Why a live crawl may not request ``url`` because of its scheme or form, or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "malformed URL"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not http or https"
    try:
        host = parts.hostname
    except ValueError:
        return "malformed host"
    if not host:
        return "no host"
    return None


def address_refusal(host: str, addresses: Iterable[str]) -> str | None:
    """Why ``host`` (resolved to ``addresses``) must not be contacted, or None."""
    for text in addresses:
        address = ip_literal(text)
        if address is None:
            continue
        if not is_public(address):
            shown = host if host == str(address) else f"{host} ({address})"
            return f"{shown} is a private, loopback, link-local or reserved address"
    return None


class PrivateAddressMiddleware:
    """Downloader middleware refusing non-http(s) URLs and non-public hosts (see module doc)."""

    def __init__(
        self, crawler: Crawler | None = None, *, allow_private: bool = False, resolve: Resolver = resolve_host
    ) -> None:
        self.crawler = crawler
        self.allow_private = allow_private
        self.resolve = resolve
        self._cache: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        return cls(crawler, allow_private=crawler.settings.getbool("NEWS_ALLOW_PRIVATE_ADDRESSES"))

    def _refuse(self, request: Request, why: str, reason: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"news/ssrf/refused/{why}")
        raise IgnoreRequest(f"refused {request.url}: {reason}")

    def check_now(self, request: Request) -> tuple[str, str | None]:
        """The decision that needs no resolver: ``(host, None)`` when a lookup must decide.

        Raises:
            IgnoreRequest: the URL is refused by its scheme or its literal address.
        """
        reason = scheme_refusal(request.url)
        if reason:
            self._refuse(request, "scheme", reason)
        host = (urlsplit(request.url).hostname or "").rstrip(".")
        if self.allow_private:
            return host, "allowed"
        literal = ip_literal(host)
        if literal is not None:
            reason = address_refusal(host, [str(literal)])
            if reason:
                self._refuse(request, "address", reason)
            return host, "public"
        if host in self._cache:
            reason = address_refusal(host, self._cache[host])
            if reason:
                self._refuse(request, "address", reason)
            return host, "public"
        return host, None

    async def process_request(self, request: Request) -> None:
        """Let the request through, or raise IgnoreRequest before any connection is made."""
        host, decided = self.check_now(request)
        if decided:
            return
        # Resolve in a thread: a slow DNS answer must not stall the whole crawl.
        addresses = list(await maybe_deferred_to_future(deferToThread(self.resolve, host)))
        if len(self._cache) < MAX_CACHED_HOSTS:
            self._cache[host] = addresses
        reason = address_refusal(host, addresses)
        if reason:
            self._refuse(request, "address", reason)
