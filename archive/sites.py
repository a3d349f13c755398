"""Which site a URL belongs to: the key the archive groups articles by."""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def site_host(url: str) -> str:
    """The host a site lives on, without a leading `www.` (both forms are the same site)."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def site_address(url: str) -> str:
    """Host and port of a URL's site (`www.` and default ports dropped): `example.com`."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return ""
    host = site_host(url)
    return host if port in (None, _DEFAULT_PORTS.get(parts.scheme)) else f"{host}:{port}"
