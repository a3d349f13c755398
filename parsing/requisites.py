"""What a page needs to render as it looked: its stylesheets, scripts, images and fonts.

`page_requisites` lists them from an HTML page: stylesheets (`<link rel=stylesheet>`, and
the `@import`s and `url()`s of its `<style>` blocks and `style` attributes), scripts,
images (`src`, and one candidate of a `srcset`: the widest, which a replay at any screen
can show), video posters, icons and preloaded resources, and the lead image the page
names for sharing (`og:image`). `css_requisites` lists what a stylesheet pulls in:
`@import`s, fonts and background images. Links to other pages are never requisites.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from w3lib.html import strip_html5_whitespace

# url(...) with or without quotes, and @import "..." without url()
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+?)\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(['"])([^'"]+)\1""", re.IGNORECASE)
_PRELOADED = frozenset({"style", "script", "font", "image", "fetch"})
_ICONS = frozenset({"icon", "shortcut icon", "apple-touch-icon", "mask-icon"})


def _absolute(base: str, value: str | None) -> str | None:
    """An http(s) URL from an attribute value, or None (data:, javascript:, empty)."""
    if not value:
        return None
    value = strip_html5_whitespace(value)
    if not value or value.startswith(("data:", "#", "javascript:", "about:", "blob:")):
        return None
    url = urljoin(base, value)
    return url.split("#", 1)[0] if urlsplit(url).scheme in ("http", "https") else None


def widest(srcset: str) -> str | None:
    """The widest candidate of a `srcset` (by its `w` or `x` descriptor), or its first."""
    best, best_size = None, -1.0
    for candidate in srcset.split(","):
        parts = candidate.split()
        if not parts:
            continue
        size = 1.0
        if len(parts) > 1 and parts[1][:-1].replace(".", "", 1).isdigit():
            size = float(parts[1][:-1])
        if size > best_size:
            best, best_size = parts[0], size
    return best


def css_requisites(css: str, url: str) -> list[str]:
    """The URLs a stylesheet pulls in (imports, fonts, images), in order, once each."""
    found = [m.group(2) for m in _CSS_IMPORT.finditer(css)]
    found += [m.group(2) for m in _CSS_URL.finditer(css)]
    return list(dict.fromkeys(u for value in found if (u := _absolute(url, value))))


def page_requisites(tree: HtmlElement, url: str) -> list[str]:
    """The URLs an HTML page needs to render, in page order, once each."""
    base = tree.xpath("//base/@href")
    base_url = urljoin(url, strip_html5_whitespace(base[0])) if base else url
    found: list[str | None] = []
    for link in tree.xpath("//link[@href]"):
        rel = " ".join((link.get("rel") or "").lower().split())
        if (
            "stylesheet" in rel.split()
            or rel in _ICONS
            or (
                {"preload", "modulepreload"} & set(rel.split())
                and ((link.get("as") or "script").lower() in _PRELOADED)
            )
        ):
            found.append(_absolute(base_url, link.get("href")))
    # no <source> of a video or audio: media files are not what a page needs to render
    for element in tree.xpath("//script[@src] | //img | //picture/source | //video | //input"):
        if element.tag == "input" and (element.get("type") or "").lower() != "image":
            continue
        found.append(_absolute(base_url, element.get("src") or element.get("poster")))
        if srcset := element.get("srcset"):
            found.append(_absolute(base_url, widest(srcset)))
    for css in tree.xpath("//style/text() | //*/@style"):
        found.extend(css_requisites(str(css), base_url))
    for image in tree.xpath("//meta[@property='og:image' or @name='twitter:image']/@content"):
        found.append(_absolute(base_url, image))
    return list(dict.fromkeys(u for u in found if u))
