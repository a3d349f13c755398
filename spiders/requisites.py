"""Which of an article page's requisites a crawl fetches (`parsing.requisites` lists them).

Each requisite URL is fetched once per crawl, from the site or from the hosts that serve it
(CDNs), with the robots.txt of each host obeyed (Scrapy's robots middleware asks for it;
`allows` lets that request out) and no link followed there. A requisite is never fetched
from a loopback, private, link-local or otherwise internal address unless a crawled site
itself lives at that address: a page must not be able to point the crawler at a service
inside its network. Host names are resolved before the request is made (once per host);
a host that does not resolve is not asked. Hosts other than the sites' own must match one
of `hosts` (shell patterns: REQUISITE_HOSTS; "*" is any), which is checked first, so a
host left out is never even looked up.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _internal(address: Address) -> bool:
    """Whether an address is one a page on the internet must not make us reach."""
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def resolve(host: str) -> set[Address]:
    """The addresses of a host (an IP literal is its own); empty when it does not resolve."""
    try:
        return {ipaddress.ip_address(host.strip("[]"))}
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return set()
    return {ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos}


class Requisites:
    """The crawl's requisites: which URLs were asked for, and which hosts may be asked."""

    def __init__(
        self, site_hosts: Iterable[str], enabled: bool = True, hosts: Iterable[str] = ("*",)
    ):
        self.enabled = enabled
        site_hosts = list(site_hosts)
        self._site_hosts = {h.lower() for h in site_hosts}
        self._patterns = [h.lower() for h in hosts]
        self.asked: set[str] = set()
        self._resolved: dict[str, set[Address]] = {}
        # where the crawled sites themselves live: internal addresses allowed there only
        self._sites: set[Address] = set().union(*(self._addresses(h) for h in site_hosts))
        # host:port of the hosts requisites were asked from (their robots.txt may go out)
        self.netlocs: set[str] = set()

    def _addresses(self, host: str) -> set[Address]:
        if host not in self._resolved:
            self._resolved[host] = resolve(host)
        return self._resolved[host]

    def refusal(self, url: str) -> str | None:
        """Why a requisite URL must not be fetched, or None when it may be."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "not http(s)"
        host = parts.hostname.lower()
        if host not in self._site_hosts and not any(
            fnmatch.fnmatchcase(host, p) for p in self._patterns
        ):
            return "host not in REQUISITE_HOSTS"
        addresses = self._addresses(host)
        if not addresses:
            return "host does not resolve"
        inside = {a for a in addresses if _internal(a)}
        if inside - self._sites:
            return f"internal address {min(inside - self._sites)}"
        return None

    def ask(self, url: str) -> str | None:
        """Note a requisite about to be asked for; the reason not to, if any (or None)."""
        self.asked.add(url)
        refusal = self.refusal(url)
        if refusal is None:
            self.netlocs.add(urlsplit(url).netloc)
        return refusal

    def allows(self, url: str, is_requisite: bool) -> bool:
        """Whether a request off the crawled sites may go out: a requisite whose host is
        allowed (redirects included), or the robots.txt of a host requisites come from."""
        parts = urlsplit(url)
        if is_requisite:
            if self.refusal(url) is not None:
                return False
            self.netlocs.add(parts.netloc)  # a redirect's target: its robots.txt too
            return True
        return parts.path == "/robots.txt" and parts.netloc in self.netlocs
