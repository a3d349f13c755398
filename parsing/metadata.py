"""Article metadata from a page: JSON-LD and meta tags first, then trafilatura and htmldate.

Dates keep the time zone the page gave; they are only rewritten into one ISO 8601 form
(`2019-11-05T10:00:00+00:00`, or `2019-11-05` when the page gives no time).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime
from typing import Any

from extruct.jsonld import JsonLdExtractor
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata as trafilatura_metadata

from archive.models import Article

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNews",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "TechArticle",
        "Report",
    }
)
# Every field of an Article but its URL and clean text.
FIELDS = tuple(f.name for f in dataclasses.fields(Article) if f.name not in ("url", "text"))
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_jsonld = JsonLdExtractor()


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return {kind}
    return {k for k in kind if isinstance(k, str)} if isinstance(kind, list) else set()


def _text(value: Any) -> str | None:
    """A JSON-LD value as one string: the first string of a list, None for anything else."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def jsonld_nodes(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD node of a page, with Yoast-style `@graph` lists flattened."""
    try:
        items = _jsonld.extract_items(tree)
    except ValueError as exc:  # broken JSON-LD is common; the page may still be fine
        logger.debug("unreadable JSON-LD: %s", exc)
        return []
    nodes: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        graph = item.get("@graph")
        if isinstance(graph, list):
            nodes.extend(node for node in graph if isinstance(node, dict))
        else:
            nodes.append(item)
    return nodes


def article_node(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The JSON-LD node describing the page as an article, if there is one."""
    return next((node for node in nodes if _types(node) & ARTICLE_TYPES), None)


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) == {"@id"}:
        return by_id.get(value["@id"], value)
    return value


def _names(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        item = _resolve(item, by_id)
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str) and item.strip():
            names.append(item.strip())
    return names


def _text_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


def iso_date(value: Any) -> str | None:
    """An ISO 8601 date or datetime in one canonical form, its time zone kept; else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if _DATE_ONLY.fullmatch(value):
        return parsed.date().isoformat()
    return parsed.isoformat()


def _image(value: Any, by_id: dict[str, dict[str, Any]]) -> str | None:
    """A JSON-LD image: a URL, an ImageObject (maybe by @id), or a list of either."""
    if isinstance(value, list):
        return next((url for v in value if (url := _image(v, by_id))), None)
    value = _resolve(value, by_id)
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return _text(value)


def _from_jsonld(tree: HtmlElement) -> dict[str, Any]:
    nodes = jsonld_nodes(tree)
    node = article_node(nodes)
    if node is None:
        return {}
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    sections = _text_list(node.get("articleSection"))
    authors = _names(node.get("author"), by_id)
    return {
        "title": _text(node.get("headline")) or _text(node.get("name")),
        "author": ", ".join(dict.fromkeys(authors)) or None,
        "authors": list(dict.fromkeys(authors)),
        "published": iso_date(node.get("datePublished")),
        "modified": iso_date(node.get("dateModified")),
        "language": _text(node.get("inLanguage")),
        "section": sections[0] if sections else None,
        "tags": _text_list(node.get("keywords")),
        "description": _text(node.get("description")),
        "image": _image(node.get("image"), by_id) or _text(node.get("thumbnailUrl")),
    }


def _meta(tree: HtmlElement) -> dict[str, list[str]]:
    """Meta tag contents by every name they carry (one tag may have name and itemprop)."""
    found: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        content = (element.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            if key := (element.get(attribute) or "").strip().lower():
                found.setdefault(key, []).append(content)
    return found


def _from_meta(tree: HtmlElement) -> dict[str, Any]:
    meta = _meta(tree)

    def first(*keys: str) -> str | None:
        return next((meta[k][0] for k in keys if k in meta), None)

    root = tree.getroottree().getroot()
    locale = first("og:locale")
    # Yoast puts the author in twitter:data1 only under the label "Written by"; the same
    # pair holds the reading time on other pages.
    byline = first("twitter:data1") if first("twitter:label1") == "Written by" else None
    # `author` often holds a profile URL (as article:author does), which is not a name
    names = [meta[k][0] for k in ("author", "parsely-author", "dc.creator") if k in meta]
    authors = [a for a in (*names, byline) if a and not a.startswith(("http://", "https://"))]
    return {
        "title": first("og:title", "twitter:title"),
        "author": authors[0] if authors else None,
        "authors": authors[:1],
        "published": iso_date(
            first("article:published_time", "og:article:published_time", "datepublished")
        ),
        "modified": iso_date(
            first("article:modified_time", "og:updated_time", "datemodified", "last-modified")
        ),
        "language": root.get("lang")
        or first("content-language", "dc.language")
        or (locale.replace("_", "-") if locale else None),
        "section": first("article:section"),
        "tags": meta.get("article:tag", []) or _text_list(first("keywords", "news_keywords")),
        "description": first("description", "og:description", "twitter:description"),
        "image": first("og:image", "twitter:image"),
    }


def _from_trafilatura(tree: HtmlElement, url: str) -> dict[str, Any]:
    try:
        document = trafilatura_metadata(tree, default_url=url)
    except Exception as exc:  # noqa: BLE001 - a metadata fallback must never stop a crawl
        logger.debug("trafilatura metadata failed on %s: %s", url, exc)
        return {}
    return {
        "title": document.title,
        "author": document.author,
        # trafilatura joins the names it finds with "; "
        "authors": document.author.split("; ") if document.author else [],
        "section": (document.categories or [None])[0],
        "tags": list(document.tags or []),
        "description": document.description,
        "image": document.image,
    }


def _from_htmldate(tree: HtmlElement, url: str, published: str | None) -> dict[str, Any]:
    """Dates found by htmldate: in markup, then (for the publication date) the text and URL."""
    try:
        found = {
            "published": None
            if published
            else find_date(tree, url=url, original_date=True, extensive_search=True),
            # only markup hints, so a date in the text is never taken for an update
            "modified": find_date(tree, url=url, original_date=False, extensive_search=False),
        }
    except Exception as exc:  # noqa: BLE001 - a date fallback must never stop a crawl
        logger.debug("htmldate failed on %s: %s", url, exc)
        return {}
    start = published or found["published"]
    if start and found["modified"] and found["modified"] <= start[:10]:
        found["modified"] = None  # the same day as publication says nothing about updates
    return found


def read_metadata(tree: HtmlElement, url: str) -> dict[str, Any]:
    """Title, author(s), dates, language, section, tags, description and image of a page."""
    sources = [_from_jsonld(tree), _from_meta(tree)]
    merged: dict[str, Any] = {}
    for key in FIELDS:
        merged[key] = next((s[key] for s in sources if s.get(key)), None)
    if not all(merged[key] for key in ("title", "author", "description", "image")):
        for key, value in _from_trafilatura(tree, url).items():
            if not merged.get(key) and value:
                merged[key] = value
    if not (merged["published"] and merged["modified"]):
        for key, value in _from_htmldate(tree, url, merged["published"]).items():
            if not merged.get(key) and value:
                merged[key] = iso_date(value)
    merged["tags"] = list(dict.fromkeys(merged["tags"] or []))
    merged["authors"] = list(dict.fromkeys(merged["authors"] or [])) or (
        [merged["author"]] if merged["author"] else []
    )
    # one form of the byline whichever source gave it; the names themselves stay in `authors`
    merged["author"] = ", ".join(merged["authors"]) or merged["author"]
    return merged
