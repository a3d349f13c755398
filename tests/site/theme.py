"""The replica's markup: tagDiv Newspaper pages with a Yoast SEO head, and the XML around them.

Every function is pure: the same site and base URL give the same text. base is the site's
address without a trailing slash ("https://nationworldnews.com", "http://127.0.0.1:8123");
every link is absolute, as WordPress writes them.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from urllib.parse import quote, quote_plus, urlsplit

from tests.site.content import (
    SITE_NAME,
    Article,
    Author,
    Category,
    Page,
    Site,
    Tag,
)
from tests.site.prose import MONTHS, WEEKDAYS

PER_PAGE = 10
TAGLINE = "Latest news from around the world"
ORGANIZATION_SAME_AS = (
    "https://www.facebook.com/nationworldnews",
    "https://twitter.com/nationworldnews",
)
SOCIAL = (
    ("facebook", "Facebook", "https://www.facebook.com/nationworldnews"),
    ("twitter", "Twitter", "https://twitter.com/nationworldnews"),
    ("youtube", "Youtube", "https://www.youtube.com/@nationworldnews"),
    ("instagram", "Instagram", "https://www.instagram.com/nationworldnews/"),
)
OTHER_HOST = "https://www.voanews.com/"
TRENDING = (("peru", "Peru"), ("elections", "Elections"), ("inflation", "Inflation"))
DEAD_LINK_PATH = "/old-deleted-story/"
CLOUD_TEMPLATE_ID = 2785
ROBOTS_INDEX = "index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1"
ROBOTS_NOINDEX = "noindex, follow"
WP_VERSION = "6.2.2"
THEME_VERSION = "12.3.1"


def _e(text: str) -> str:
    return escape(text, quote=True)


def _hash(*parts: object) -> int:
    """A stable number for a page element, so "random" choices repeat byte for byte."""
    return zlib.crc32("|".join(map(str, parts)).encode())


def _date(dt: datetime) -> str:
    return f"{MONTHS[dt.month - 1]} {dt.day}, {dt.year}"


def _long_date(dt: datetime) -> str:
    return f"{WEEKDAYS[dt.weekday()]}, {_date(dt)}"


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def _json(data: object) -> str:
    """JSON the way WordPress prints it inside HTML: compact, slashes escaped."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def _img(base: str, path: str, size: str = "") -> str:
    """An uploaded image, or one of the resized copies WordPress makes ("696x392")."""
    return base + (path.replace(".jpg", f"-{size}.jpg") if size else path)


def _avatar(author_name: str, size: int) -> str:
    digest = hashlib.md5(author_name.encode()).hexdigest()
    return f"https://secure.gravatar.com/avatar/{digest}?s={size}&#038;d=mm&#038;r=g"


def _person_id(base: str, author: Author) -> str:
    return f"{base}/#/schema/person/{hashlib.sha1(author.slug.encode()).hexdigest()[:32]}"


class _Ids:
    """tagDiv numbers every block on a page: tdi_1, tdi_2, ..."""

    def __init__(self, start: int = 1) -> None:
        self.n = start - 1

    def next(self) -> str:
        self.n += 1
        return f"tdi_{self.n}"


# --- head ------------------------------------------------------------------------------------


def _head(
    site: Site,
    base: str,
    *,
    title: str,
    description: str,
    canonical: str,
    og_type: str,
    graph: list[dict],
    robots: str = ROBOTS_INDEX,
    article: Article | None = None,
    page: Page | None = None,
    og_image: str = "",
    next_url: str = "",
    prev_url: str = "",
) -> str:
    """The <head>: Yoast's block, feeds, REST links, stylesheets and tagDiv's globals."""
    out = [
        "<head>",
        f"<title>{_e(title)}</title>",
        '<meta charset="UTF-8" />',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        f'<link rel="pingback" href="{base}/xmlrpc.php" />',
        f"<meta name='robots' content='{robots}' />",
        "<!-- This site is optimized with the Yoast SEO plugin v20.8 - "
        "https://yoast.com/wordpress/plugins/seo/ -->",
        f'<meta name="description" content="{_e(description)}" />',
        f'<link rel="canonical" href="{canonical}" />',
    ]
    if prev_url:
        out.append(f'<link rel="prev" href="{prev_url}" />')
    if next_url:
        out.append(f'<link rel="next" href="{next_url}" />')
    out += [
        '<meta property="og:locale" content="en_US" />',
        f'<meta property="og:type" content="{og_type}" />',
        f'<meta property="og:title" content="{_e(title)}" />',
        f'<meta property="og:description" content="{_e(description)}" />',
        f'<meta property="og:url" content="{canonical}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
    ]
    if article is not None or page is not None:
        out.append(f'<meta property="article:publisher" content="{ORGANIZATION_SAME_AS[0]}" />')
    if article is not None:
        out += [
            f'<meta property="article:published_time" content="{_iso(article.published)}" />',
            f'<meta property="article:modified_time" content="{_iso(article.modified)}" />',
            f'<meta property="article:section" content="{_e(article.category.name)}" />',
            *(f'<meta property="article:tag" content="{_e(t.name)}" />' for t in article.tags),
        ]
    if page is not None:
        out.append(f'<meta property="article:modified_time" content="{_iso(page.modified)}" />')
    if og_image:
        out += [
            f'<meta property="og:image" content="{og_image}" />',
            '<meta property="og:image:width" content="1024" />',
            '<meta property="og:image:height" content="576" />',
            '<meta property="og:image:type" content="image/jpeg" />',
        ]
    if article is not None:
        minutes = max(1, article.word_count // 200)
        out += [
            f'<meta name="author" content="{_e(article.author.name)}" />',
            '<meta name="twitter:card" content="summary_large_image" />',
            '<meta name="twitter:creator" content="@nationworldnews" />',
            '<meta name="twitter:site" content="@nationworldnews" />',
            '<meta name="twitter:label1" content="Written by" />',
            f'<meta name="twitter:data1" content="{_e(article.author.name)}" />',
            '<meta name="twitter:label2" content="Est. reading time" />',
            f'<meta name="twitter:data2" content="{minutes} minute{"s" if minutes > 1 else ""}" />',
        ]
    else:
        out += [
            '<meta name="twitter:card" content="summary_large_image" />',
            '<meta name="twitter:site" content="@nationworldnews" />',
        ]
    schema = _json({"@context": "https://schema.org", "@graph": graph})
    out += [
        f'<script type="application/ld+json" class="yoast-schema-graph">{schema}</script>',
        "<!-- / Yoast SEO plugin. -->",
        "",
        "<link rel='dns-prefetch' href='//fonts.googleapis.com' />",
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" '
        f'href="{base}/feed/" />',
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Comments '
        f'Feed" href="{base}/comments/feed/" />',
    ]
    if article is not None:
        out.append(
            f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; '
            f'{_e(article.title)} Comments Feed" href="{base}{article.path}feed/" />'
        )
    out += [
        f"<link rel='stylesheet' id='wp-block-library-css' href='{base}/wp-includes/css/dist/"
        f"block-library/style.min.css?ver={WP_VERSION}' type='text/css' media='all' />",
        f"<link rel='stylesheet' id='td-plugin-multi-purpose-css' href='{base}/wp-content/plugins/"
        "td-composer/td-multi-purpose/style.css?ver=492e3cf54bd42df3b24a3de8e2307cafx' "
        "type='text/css' media='all' />",
        "<link rel='stylesheet' id='google-fonts-style-css' href='https://fonts.googleapis.com/"
        "css?family=Open+Sans%3A400%2C600%2C700%7CRoboto%3A400%2C600%2C700&#038;display=auto"
        f"&#038;ver={THEME_VERSION}' type='text/css' media='all' />",
        f"<link rel='stylesheet' id='td-theme-css' href='{base}/wp-content/themes/Newspaper/"
        f"style.css?ver={THEME_VERSION}' type='text/css' media='all' />",
        "<style id='td-theme-inline-css' type='text/css'>",
        "@media (max-width: 767px) { .td-header-desktop-wrap { display: none; } }",
        "@media (min-width: 767px) { .td-header-mobile-wrap { display: none; } }",
        "</style>",
        f"<link rel='stylesheet' id='tdb_style_cloud_templates_front-css' href='{base}/wp-content/"
        "plugins/td-cloud-library/assets/css/tdb_main.css?ver=b379c96c54343541fd8742379a419361' "
        "type='text/css' media='all' />",
        f"<script type='text/javascript' src='{base}/wp-includes/js/jquery/jquery.min.js?"
        "ver=3.6.4' id='jquery-core-js'></script>",
        f"<script type='text/javascript' src='{base}/wp-includes/js/jquery/jquery-migrate.min.js?"
        "ver=3.4.0' id='jquery-migrate-js'></script>",
        f'<link rel="https://api.w.org/" href="{base}/wp-json/" />',
    ]
    if article is not None:
        out.append(
            f'<link rel="alternate" type="application/json" '
            f'href="{base}/wp-json/wp/v2/posts/{article.post_id}" />'
        )
    if page is not None:
        out.append(
            f'<link rel="alternate" type="application/json" '
            f'href="{base}/wp-json/wp/v2/pages/{page.page_id}" />'
        )
    out += [
        f'<link rel="EditURI" type="application/rsd+xml" title="RSD" '
        f'href="{base}/xmlrpc.php?rsd" />',
        f'<meta name="generator" content="WordPress {WP_VERSION}" />',
    ]
    item_id = article.post_id if article else page.page_id if page else None
    if item_id is not None:
        embed = quote(canonical, safe="")
        out += [
            f"<link rel='shortlink' href='{base}/?p={item_id}' />",
            f'<link rel="alternate" type="application/json+oembed" '
            f'href="{base}/wp-json/oembed/1.0/embed?url={embed}" />',
            f'<link rel="alternate" type="text/xml+oembed" '
            f'href="{base}/wp-json/oembed/1.0/embed?url={embed}&#038;format=xml" />',
        ]
    if article is not None:
        out.append(f'<link rel="amphtml" href="{base}{article.path}amp/">')
    globals_ = {
        "wpRestNonce": "4c8a3f91b2",
        "wpRestUrl": f"{base}/wp-json/",
        "permalinkStructure": "/%postname%/",
        "isAjax": False,
        "isAdminBarShowing": False,
        "autoloadScrollPercent": 50,
        "postAutoloadStatus": "off",
        "origPostEditUrl": None,
    }
    out += [
        "<!-- JS generated by theme -->",
        "<script>",
        "    var tdBlocksArray = []; //here we store all the items for the current page",
        "    function tdBlock() { this.id = ''; this.block_type = 1; this.atts = ''; "
        "this.td_column_number = ''; this.td_current_page = 1; this.post_count = 0; "
        "this.found_posts = 0; this.max_num_pages = 0; this.td_filter_value = ''; "
        "this.is_ajax_running = false; this.td_user_action = ''; this.header_color = ''; "
        "this.ajax_pagination_infinite_stop = ''; }",
        "</script>",
        f'<script type="text/javascript" id="tdb-globals">var tdb_globals = {_json(globals_)};'
        "</script>",
        "<script>",
        f'var tdLocalCache = {{}}; var td_ajax_url="{base}\\/wp-admin\\/admin-ajax.php?'
        'td_theme_name=Newspaper&v=12.3.1"; var td_get_template_directory_uri="'
        f'{base}\\/wp-content\\/plugins\\/td-composer\\/legacy\\/common";',
        'var tds_snap_menu=""; var tds_logo_on_sticky=""; var tds_header_style="";',
        'var td_please_wait="Please wait..."; var td_email_user_pass_incorrect="User or '
        'password incorrect!"; var td_magnific_popup_translation_tPrev="Previous (Left arrow '
        'key)"; var tdDateNamesI18n={"month_names":["January","February","March","April",'
        '"May","June","July","August","September","October","November","December"]};',
        "</script>",
        f'<link rel="icon" href="{base}/wp-content/uploads/2021/06/cropped-favicon-32x32.png" '
        'sizes="32x32" />',
        f'<link rel="icon" href="{base}/wp-content/uploads/2021/06/cropped-favicon-192x192.png" '
        'sizes="192x192" />',
        "<style>.td-post-content p, .td-post-content { font-size: 17px; line-height: 29px; } "
        ".tdb_single_content .tdb-block-inner > *:not(.wp-block-quote):not(.alignwide) "
        "{ margin-left: auto; margin-right: auto; }</style>",
        "</head>",
    ]
    return "\n".join(out)


def _website_nodes(base: str) -> list[dict]:
    """The WebSite (with its search action) and Organization nodes every page carries."""
    return [
        {
            "@type": "WebSite",
            "@id": f"{base}/#website",
            "url": f"{base}/",
            "name": SITE_NAME,
            "description": TAGLINE,
            "publisher": {"@id": f"{base}/#organization"},
            "potentialAction": [
                {
                    "@type": "SearchAction",
                    "target": {
                        "@type": "EntryPoint",
                        "urlTemplate": f"{base}/?s={{search_term_string}}",
                    },
                    "query-input": "required name=search_term_string",
                }
            ],
            "inLanguage": "en-US",
        },
        {
            "@type": "Organization",
            "@id": f"{base}/#organization",
            "name": SITE_NAME,
            "url": f"{base}/",
            "logo": {
                "@type": "ImageObject",
                "inLanguage": "en-US",
                "@id": f"{base}/#/schema/logo/image/",
                "url": f"{base}/wp-content/uploads/2021/06/nwn-logo.png",
                "contentUrl": f"{base}/wp-content/uploads/2021/06/nwn-logo.png",
                "width": 544,
                "height": 180,
                "caption": SITE_NAME,
            },
            "image": {"@id": f"{base}/#/schema/logo/image/"},
            "sameAs": list(ORGANIZATION_SAME_AS),
        },
    ]


def _breadcrumb_node(url: str, trail: list[tuple[str, str]]) -> dict:
    """Yoast's BreadcrumbList: (name, url) pairs, the last one without a link."""
    items = []
    for position, (name, link) in enumerate(trail, start=1):
        item: dict = {"@type": "ListItem", "position": position, "name": name}
        if link:
            item["item"] = link
        items.append(item)
    return {"@type": "BreadcrumbList", "@id": f"{url}#breadcrumb", "itemListElement": items}


def _person_node(base: str, author: Author) -> dict:
    node: dict = {
        "@type": "Person",
        "@id": _person_id(base, author),
        "name": author.name,
        "image": {
            "@type": "ImageObject",
            "inLanguage": "en-US",
            "@id": f"{base}/#/schema/person/image/",
            "url": _avatar(author.name, 96).replace("&#038;", "&"),
            "contentUrl": _avatar(author.name, 96).replace("&#038;", "&"),
            "caption": author.name,
        },
        "description": author.bio,
        "url": f"{base}/author/{author.slug}/",
    }
    if author.url:
        node["sameAs"] = [author.url]
    return node


def _article_graph(site: Site, base: str, article: Article) -> list[dict]:
    url = base + article.path
    image = _img(base, article.image)
    return [
        {
            "@type": "NewsArticle",
            "@id": f"{url}#article",
            "isPartOf": {"@id": url},
            "author": {"name": article.author.name, "@id": _person_id(base, article.author)},
            "headline": article.title,
            "datePublished": _iso(article.published),
            "dateModified": _iso(article.modified),
            "mainEntityOfPage": {"@id": url},
            "wordCount": article.word_count,
            "commentCount": len(article.comments),
            "publisher": {"@id": f"{base}/#organization"},
            "image": {"@id": f"{url}#primaryimage"},
            "thumbnailUrl": image,
            "keywords": [t.name for t in article.tags],
            "articleSection": [article.category.name],
            "inLanguage": "en-US",
            "potentialAction": [
                {"@type": "CommentAction", "name": "Comment", "target": [f"{url}#respond"]}
            ],
        },
        {
            "@type": "WebPage",
            "@id": url,
            "url": url,
            "name": f"{article.title} - {SITE_NAME}",
            "isPartOf": {"@id": f"{base}/#website"},
            "primaryImageOfPage": {"@id": f"{url}#primaryimage"},
            "image": {"@id": f"{url}#primaryimage"},
            "thumbnailUrl": image,
            "datePublished": _iso(article.published),
            "dateModified": _iso(article.modified),
            "description": article.excerpt,
            "breadcrumb": {"@id": f"{url}#breadcrumb"},
            "inLanguage": "en-US",
            "potentialAction": [{"@type": "ReadAction", "target": [url]}],
        },
        {
            "@type": "ImageObject",
            "inLanguage": "en-US",
            "@id": f"{url}#primaryimage",
            "url": image,
            "contentUrl": image,
            "width": 1024,
            "height": 576,
        },
        _breadcrumb_node(url, [("Home", f"{base}/"), (article.title, "")]),
        *_website_nodes(base),
        _person_node(base, article.author),
    ]


def _collection_graph(base: str, url: str, name: str, trail: list[tuple[str, str]]) -> list[dict]:
    return [
        {
            "@type": "CollectionPage",
            "@id": url,
            "url": url,
            "name": name,
            "isPartOf": {"@id": f"{base}/#website"},
            "breadcrumb": {"@id": f"{url}#breadcrumb"},
            "inLanguage": "en-US",
        },
        _breadcrumb_node(url, trail),
        *_website_nodes(base),
    ]


# --- header and footer -----------------------------------------------------------------------


def _social_icons(wrap_class: str) -> str:
    icons = "".join(
        f'<span class="td-social-icon-wrap"><a target="_blank" href="{href}" title="{label}">'
        f'<i class="td-icon-font td-icon-{key}"></i><span style="display: none">{label}</span>'
        "</a></span>"
        for key, label, href in SOCIAL
    )
    return f'<div class="{wrap_class}">{icons}</div>'


def _header(site: Site, base: str, current: str = "") -> str:
    """The tagDiv header: top bar with date and socials, logo, main menu, search form."""
    menu = [(f"{base}/", "Home", "menu-item-home")]
    menu += [(f"{base}/category/{c.slug}/", c.name, "") for c in site.categories]
    premium = site.members_pages[0] if site.members_pages else None
    if premium is not None:
        menu.append((base + premium.path, "Premium", ""))
    menu.append((f"{base}/about-us/", "About", ""))
    items = []
    for n, (href, label, extra) in enumerate(menu):
        classes = "menu-item td-menu-item td-normal-menu"
        if href == current:
            classes += " current-menu-item"
        if extra:
            classes += f" {extra}"
        items.append(
            f'<li id="menu-item-{100 + n}" class="{classes} menu-item-{100 + n}">'
            f'<a href="{href}">{label}</a></li>'
        )
    return f"""<div class="tdc-header-wrap ">
<div class="td-header-wrap td-header-style-1 ">
<div class="td-header-top-menu-full td-container-wrap ">
<div class="td-container td-header-row td-header-top-menu">
<div class="top-bar-style-1">
<div class="td-header-sp-top-menu">
<div class="td_data_time"><div>{_long_date(site.now)}</div></div>
<div class="menu-top-container"><ul id="menu-top-menu" class="top-header-menu">\
<li class="menu-item td-menu-item td-normal-menu"><a href="{base}/about-us/">About Us</a></li>\
<li class="menu-item td-menu-item td-normal-menu"><a href="{base}/contact-us/">Contact Us</a></li>\
</ul></div>
</div>
<div class="td-header-sp-top-widget">
{_social_icons("td-social-top")}
</div>
</div>
</div>
</div>
<div class="td-banner-wrap-full td-logo-wrap-full td-container-wrap ">
<div class="td-container td-header-row td-header-header">
<div class="td-header-sp-logo">
<div class="td-logo"><a class="td-main-logo" href="{base}/">\
<img class="td-retina-data" data-retina="{base}/wp-content/uploads/2021/06/nwn-logo-retina.png" \
src="{base}/wp-content/uploads/2021/06/nwn-logo.png" alt="{SITE_NAME}" title="{SITE_NAME}" \
width="272" height="90" /><span class="td-visual-hidden">{SITE_NAME}</span></a></div>
</div>
</div>
</div>
<div class="td-header-menu-wrap-full td-container-wrap ">
<div class="td-header-menu-wrap td-header-gradient ">
<div class="td-container td-header-row td-header-main-menu">
<div id="td-header-menu" role="navigation">
<div id="td-top-mobile-toggle"><a href="#" aria-label="mobile-toggle">\
<i class="td-icon-font td-icon-mobile"></i></a></div>
<div class="menu-main-menu-container"><ul id="menu-main-menu" class="sf-menu">
{chr(10).join(items)}
</ul></div>
</div>
<div class="header-search-wrap">
<div class="td-search-btns-wrap"><a id="td-header-search-button" href="#" role="button" \
aria-label="Search" class="dropdown-toggle " data-toggle="dropdown">\
<i class="td-icon-search"></i></a></div>
<div class="td-drop-down-search" aria-labelledby="td-header-search-button">
<form method="get" class="td-search-form" action="{base}/">
<div role="search" class="td-head-form-search-wrap">
<input id="td-header-search" type="text" value="" name="s" autocomplete="off" />\
<input class="wpb_button wpb_btn-inverse btn" type="submit" id="td-header-search-top" \
value="Search" />
</div>
</form>
<div id="td-aj-search"></div>
</div>
</div>
</div>
</div>
</div>
</div>
</div>"""


def _mirror_url(base: str) -> str:
    """This server under the host name localhost: another host, as far as a crawler knows."""
    parts = urlsplit(base)
    if parts.hostname != "127.0.0.1":
        return ""
    return f"http://localhost:{parts.port}/"


def _footer(site: Site, base: str) -> str:
    """The footer: about text, menu (with an off-site and an API link), socials, copyright."""
    links = [
        (f"{base}/about-us/", "About"),
        (f"{base}/contact-us/", "Contact"),
        (f"{base}/privacy-policy/", "Privacy Policy"),
        (f"{base}/wp-json/wp/v2/posts", "API"),
        (OTHER_HOST, "Voice of America"),
    ]
    mirror = _mirror_url(base)
    if mirror:
        links.append((mirror, "Mirror"))
    menu = "".join(
        f'<li class="menu-item td-menu-item td-normal-menu"><a href="{href}">{label}</a></li>'
        for href, label in links
    )
    return f"""<div class="td-footer-page td-footer-container td-container-wrap">
<div class="td-footer-wrapper td-container-wrap td-footer-template-14">
<div class="td-container">
<div class="td-pb-row">
<div class="td-pb-span12">
<div class="td-footer-info">
<div class="footer-logo-wrap"><a href="{base}/"><img class="td-retina-data" \
src="{base}/wp-content/uploads/2021/06/nwn-logo-footer.png" alt="{SITE_NAME}" \
title="{SITE_NAME}" width="272" height="90" /></a></div>
<div class="footer-text-wrap">{SITE_NAME} is an independent digital newsroom publishing \
around the clock: world affairs, politics, business, technology, science, health, sports and \
entertainment.<div class="footer-email-wrap">Contact us: \
<a href="mailto:contact@nationworldnews.com">contact@nationworldnews.com</a></div></div>
{_social_icons("footer-social-wrap td-social-style-2")}
</div>
</div>
</div>
</div>
</div>
<div class="td-sub-footer-container td-container-wrap ">
<div class="td-container">
<div class="td-pb-row">
<div class="td-pb-span td-sub-footer-menu"><div class="menu-footer-menu-container">\
<ul id="menu-footer-menu" class="td-subfooter-menu">{menu}</ul></div></div>
<div class="td-pb-span td-sub-footer-copy">&copy; Copyright {site.now.year} - {SITE_NAME}. \
All rights reserved.</div>
</div>
</div>
</div>
</div>"""


def _document(
    site: Site, base: str, *, head: str, body_class: str, content: str, current: str = ""
) -> str:
    """A whole HTML page: head, header, content, footer and the theme's scripts."""
    return f"""<!doctype html >
<!--[if IE 8]>    <html class="ie8" lang="en"> <![endif]-->
<!--[if IE 9]>    <html class="ie9" lang="en"> <![endif]-->
<!--[if gt IE 8]><!--> <html lang="en-US"> <!--<![endif]-->
{head}
<body class="{body_class} td-standard-pack global-block-template-1 td-animation-stack-type0 \
td-full-layout" itemscope="itemscope" itemtype="https://schema.org/WebPage">
<div class="td-scroll-up" data-style="style1"><i class="td-icon-menu-up"></i></div>
<div class="td-menu-background" style="visibility:hidden"></div>
<div id="td-outer-wrap" class="td-theme-wrap">
{_header(site, base, current)}
{content}
{_footer(site, base)}
</div><!--close td-outer-wrap-->
<script type='text/javascript' src='{base}/wp-content/themes/Newspaper/js/tagdiv_theme.min.js?\
ver={THEME_VERSION}' id='td-site-min-js'></script>
<script type='text/javascript' src='{base}/wp-includes/js/comment-reply.min.js?ver={WP_VERSION}' \
id='comment-reply-js'></script>
<script>var td_res_context_registered_atts=[];</script>
</body>
</html>
"""


# --- pieces of posts ---------------------------------------------------------------------------


def _time(dt: datetime) -> str:
    return (
        f'<time class="entry-date updated td-module-date" datetime="{_iso(dt)}" >{_date(dt)}</time>'
    )


def _author_link(base: str, author: Author) -> str:
    return f'<a href="{base}/author/{author.slug}/">{_e(author.name)}</a>'


def _crumbs(base: str, trail: list[tuple[str, str]]) -> str:
    """tagDiv breadcrumbs: links, then the current page's name without a link."""
    parts = []
    for name, href in trail:
        if href:
            parts.append(
                f'<span><a title="" class="entry-crumb" href="{href}">{_e(name)}</a></span>'
            )
        else:
            parts.append(f'<span class="td-bred-no-url-last">{_e(name)}</span>')
    sep = ' <i class="td-icon-right td-bread-sep"></i> '
    return f'<div class="entry-crumbs">{sep.join(parts)}</div>'


def _inline(site: Site, base: str, article: Article, index: int, text: str) -> str:
    """A paragraph's HTML: the text, now and then with a link or emphasis on a few words.

    The words stay exactly the model's text; only tags are added around them.
    """
    if article is site.seed:
        return _e(text)
    href, tag = "", ""
    last_p = max(i for i, (kind, _) in enumerate(article.blocks) if kind == "p")
    if article.slug == site.dead_link_slug and index == last_p:
        href = base + DEAD_LINK_PATH
    elif article.slug == site.bare_link_slug and index == last_p:
        target = next(a for a in site.listed() if a is not article)
        href = f"{base}/{target.slug}"  # no trailing slash: the server answers 301
    else:
        roll = _hash(article.post_id, index) % 100
        if roll < 5:
            tag = "strong"
        elif roll < 10:
            tag = "em"
        elif roll < 15:
            related = site.related(article, 1)
            href = base + (related[0].path if related else f"/category/{article.category.slug}/")
    if not (href or tag):
        return _e(text)
    words = text.split(" ")
    if len(words) < 6:
        return _e(text)
    start = _hash(article.slug, index) % (len(words) - 4)
    end = start + 2 + _hash(index, article.slug) % 3
    inner = _e(" ".join(words[start:end]))
    marked = f'<a href="{href}">{inner}</a>' if href else f"<{tag}>{inner}</{tag}>"
    before = _e(" ".join(words[:start]))
    after = _e(" ".join(words[end:]))
    return " ".join(part for part in (before, marked, after) if part)


def _ad(ids: _Ids, slot: str) -> str:
    uid = ids.next()
    return (
        f'<div class="td-a-rec td-a-rec-id-{slot}  {uid} td_block_template_1">'
        '<span class="td-adspot-title">- Advertisement -</span>'
        '<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?'
        'client=ca-pub-5729465215483219" crossorigin="anonymous"></script>'
        '<ins class="adsbygoogle" style="display:block; text-align:center;" '
        'data-ad-layout="in-article" data-ad-format="fluid" '
        'data-ad-client="ca-pub-5729465215483219" data-ad-slot="4417029153"></ins>'
        "<script>(adsbygoogle = window.adsbygoogle || []).push({});</script></div>"
    )


def body_html(site: Site, base: str, article: Article, ids: _Ids | None = None) -> str:
    """The post content as WordPress stores it (plus an ad slot when ids are given)."""
    ad_after = -1
    # an ad after the second block of about half the articles (never in the copied seed)
    if (
        ids is not None
        and article is not site.seed
        and len(article.blocks) >= 4
        and _hash(article.post_id, "ad") % 100 < 45
    ):
        ad_after = 1
    parts = [f"<p>{_e(line)}</p>" for line in article.promo_top]
    for index, (kind, text) in enumerate(article.blocks):
        if kind == "h3":
            parts.append(f"<h3>{_e(text)}</h3>")
        else:
            parts.append(f"<p>{_inline(site, base, article, index, text)}</p>")
        if index == ad_after and ids is not None:
            parts.append(_ad(ids, "content_inline"))
    parts += [f"<p>{_e(line)}</p>" for line in article.promo_lines]
    return "\n".join(parts)


def _share_links(base: str, article: Article) -> str:
    url = base + article.path
    enc_url, enc_title = quote_plus(url), quote_plus(article.title)
    image = _img(base, article.image)
    networks = [
        ("facebook", "Facebook", f"https://www.facebook.com/sharer.php?u={enc_url}"),
        (
            "twitter",
            "Twitter",
            f"https://twitter.com/intent/tweet?text={enc_title}&url={enc_url}&via=nationworldnews",
        ),
        (
            "pinterest",
            "Pinterest",
            f"https://pinterest.com/pin/create/button/?url={url}&media={image}"
            f"&description={enc_title}",
        ),
        ("whatsapp", "WhatsApp", f"whatsapp://send?text={enc_title}%20%0A%0A%20{enc_url}"),
        ("mail", "Email", f"mailto:?subject={enc_title}&body={enc_url}"),
        ("print", "Print", f"{url}?print=print"),
    ]
    return "".join(
        f'<a class="td-social-sharing-button td-social-sharing-button-js td-social-network '
        f'td-social-{key}" href="{_e(href)}" title="{label}" >'
        f'<div class="td-social-but-icon"><i class="td-icon-{key}"></i></div>'
        f'<div class="td-social-but-text">{label}</div></a>'
        for key, label, href in networks
    )


def _share(base: str, article: Article, where: str) -> str:
    return (
        f'<div id="td_social_sharing_article_{where}" class="td-post-sharing td-ps-bg '
        'td-ps-notext td-post-sharing-style1 "><div class="td-post-sharing-visible">'
        '<div class="td-social-sharing-button td-social-sharing-button-js td-social-handler '
        'td-social-share-text"><div class="td-social-but-icon"><i class="td-icon-share"></i></div>'
        '<div class="td-social-but-text">Share</div></div>'
        f"{_share_links(base, article)}</div></div>"
    )


def _tags_list(base: str, article: Article) -> str:
    tags = "".join(
        f'<li><a href="{base}/tag/{t.slug}/">{_e(t.name)}</a></li>' for t in article.tags
    )
    return f'<ul class="td-tags td-post-small-box clearfix"><li><span>TAGS</span></li>{tags}</ul>'


def _comment_list(base: str, article: Article) -> str:
    url = base + article.path
    items = []
    for n, comment in enumerate(article.comments):
        parity = "even" if n % 2 == 0 else "odd"
        when = f"{_date(comment.date)} At {comment.date.hour % 12 or 12}:{comment.date:%M} " + (
            "am" if comment.date.hour < 12 else "pm"
        )
        name = _e(comment.author)
        items.append(
            f'<li class="comment {parity} thread-{parity} depth-1" id="li-comment-{comment.id}">'
            "<article><footer>"
            f"<img alt='' src='{_avatar(comment.author, 50)}' class='avatar avatar-50 photo' "
            "height='50' width='50' loading='lazy' decoding='async'/>"
            f"<cite>{name}</cite>"
            f'<a class="comment-link" href="{url}#comment-{comment.id}">'
            f'<time pubdate="{_iso(comment.date)}">{when}</time></a>'
            "</footer>"
            f'<div class="comment-content"><p>{_e(comment.text)}</p></div>'
            f'<div class="comment-meta" id="comment-{comment.id}">'
            f"<a rel='nofollow' class='comment-reply-link' "
            f"href='{url}?replytocom={comment.id}#respond' data-commentid=\"{comment.id}\" "
            f'data-postid="{article.post_id}" data-belowelement="comment-{comment.id}" '
            f'data-respondelement="respond" data-replyto="Reply to {name}" '
            f"aria-label='Reply to {name}'>Reply</a></div>"
            "</article></li>"
        )
    count = len(article.comments)
    label = f"{count} COMMENT{'S' if count > 1 else ''}"
    return (
        '<div class="td-comments-title-wrap td_block_template_1">'
        f'<h4 class="td-comments-title block-title"><span>{label}</span></h4></div>'
        f'<ol class="comment-list">{"".join(items)}</ol>'
        '<div class="comment-pagination"><div class="clearfix"></div></div>'
    )


def _comments(base: str, article: Article) -> str:
    """The comments area: the list when there are comments, then tagDiv's reply form."""
    url = base + article.path
    listing = _comment_list(base, article) if article.comments else ""
    return f"""<div class="comments" id="comments">
{listing}
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title"><div class="td-comments-title-wrap \
td_block_template_1"><h4 class="block-title"><span>LEAVE A REPLY</span></h4></div> \
<small><a rel="nofollow" id="cancel-comment-reply-link" href="{url}#respond" \
style="display:none;">Cancel reply</a></small></h3>
<form action="{base}/wp-comments-post.php" method="post" id="commentform" class="comment-form" \
novalidate>
<div class="clearfix"></div>
<div class="comment-form-input-wrap td-form-comment">
<textarea placeholder="Comment:" id="comment" name="comment" cols="45" rows="8" \
aria-required="true"></textarea>
<div class="td-warning-comment">Please enter your comment!</div>
</div>
<div class="comment-form-input-wrap td-form-author">
<input class="" id="author" name="author" placeholder="Name:*" type="text" value="" size="30" \
aria-required='true' />
<div class="td-warning-author">Please enter your name here</div>
</div>
<div class="comment-form-input-wrap td-form-email">
<input class="" id="email" name="email" placeholder="Email:*" type="text" value="" size="30" \
aria-required='true' />
<div class="td-warning-email-error">You have entered an incorrect email address!</div>
<div class="td-warning-email">Please enter your email address here</div>
</div>
<div class="comment-form-input-wrap td-form-url">
<input class="" id="url" name="url" placeholder="Website:" type="text" value="" size="30" />
</div>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" \
name="wp-comment-cookies-consent" type="checkbox" value="yes" /><label \
for="wp-comment-cookies-consent">Save my name, email, and website in this browser for the next \
time I comment.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" \
value="Post Comment" /> <input type='hidden' name='comment_post_ID' value='{article.post_id}' \
id='comment_post_ID' />
<input type='hidden' name='comment_parent' id='comment_parent' value='0' />
</p>
</form>
</div><!-- #respond -->
</div> <!-- /.content -->"""


def _block_script(uid: str, block_type: str, found: int, count: int) -> str:
    atts = _json({"limit": str(count), "block_type": block_type, "separator": "", "tdc_css": ""})
    return (
        f'<script>var block_{uid} = new tdBlock();\nblock_{uid}.id = "{uid}";\n'
        f"block_{uid}.atts = '{atts}';\nblock_{uid}.td_column_number = \"2\";\n"
        f'block_{uid}.block_type = "{block_type}";\nblock_{uid}.post_count = "{count}";\n'
        f'block_{uid}.found_posts = "{found}";\nblock_{uid}.header_color = "";\n'
        f'block_{uid}.ajax_pagination_infinite_stop = "";\n'
        f'block_{uid}.max_num_pages = "{max(1, -(-found // max(count, 1)))}";\n'
        f"tdBlocksArray.push(block_{uid});\n</script>"
    )


def _thumb(base: str, article: Article, size: str, href: str = "") -> str:
    href = href or base + article.path
    width, height = size.split("x")
    return (
        f'<div class="td-module-thumb"><a href="{href}" rel="bookmark" class="td-image-wrap " '
        f'title="{_e(article.title)}"><img width="{width}" height="{height}" class="entry-thumb" '
        f'src="{_img(base, article.image, size)}" alt="" title="{_e(article.title)}" /></a></div>'
    )


def _title_link(base: str, article: Article, href: str = "", tag: str = "h3") -> str:
    href = href or base + article.path
    return (
        f'<{tag} class="entry-title td-module-title"><a href="{href}" rel="bookmark" '
        f'title="{_e(article.title)}">{_e(article.title)}</a></{tag}>'
    )


def _flex_module(base: str, article: Article, href: str) -> str:
    """A td_module_flex teaser, as the Cloud Library's flex blocks print them."""
    image = _img(base, article.image, "324x400")
    return (
        '<div class="td_module_flex td_module_flex_1 td_module_wrap td-animation-stack '
        'td-cpt-post">'
        '<div class="td-module-container td-category-pos-">'
        '<div class="td-image-container"><div class="td-module-thumb">'
        f'<a href="{base}{article.path}" rel="bookmark" class="td-image-wrap " '
        f'title="{_e(article.title)}"><span class="entry-thumb td-thumb-css" data-type="css_image" '
        f'data-img-url="{image}" style="background-image: url(\'{image}\')"></span></a></div>'
        "</div>"
        '<div class="td-module-meta-info">'
        f"{_title_link(base, article, href)}"
        '<div class="td-editor-date"><span class="td-author-date"><span class="td-post-date">'
        f"{_time(article.published)}</span></span></div>"
        f'<div class="td-excerpt">{_e(article.excerpt)}</div>'
        "</div></div></div>"
    )


def _latest_block(site: Site, base: str, article: Article, ids: _Ids) -> str:
    """The "Latest news" flex block; some teaser links carry a utm_ tracking query."""
    uid = ids.next()
    latest = site.latest(exclude=article, count=4)
    modules = []
    for n, other in enumerate(latest):
        href = base + other.path
        if n % 2 == 1:
            href += "?utm_source=latest&utm_medium=block"
        modules.append(_flex_module(base, other, href))
    return (
        f'<div class="td_block_wrap td_flex_block_1 {uid} td-pb-border-top td_block_template_1 '
        f'td_flex_block"  data-td-block-uid="{uid}" >'
        f"{_block_script(uid, 'td_flex_block_1', len(site.listed()), 4)}"
        '<div class="td-block-title-wrap"><h4 class="td-block-title"><span>Latest news</span></h4>'
        f'</div><div id={uid} class="td_block_inner td-mc1-wrap">{"".join(modules)}</div></div>'
    )


def _related_modules(base: str, related: list[Article]) -> str:
    return "".join(
        '<div class="td-related-span4"><div class="td_module_related_posts td-animation-stack '
        'td_mod_related_posts"><div class="td-module-image">'
        f"{_thumb(base, other, '218x150')}</div>"
        f'<div class="item-details">{_title_link(base, other)}</div></div></div>'
        for other in related
    )


# --- single posts ----------------------------------------------------------------------------


def render_article(site: Site, base: str, article: Article) -> str:
    """An article page in its layout: tagDiv's classic template or a Cloud Library template."""
    url = base + article.path
    head = _head(
        site,
        base,
        title=f"{article.title} - {SITE_NAME}",
        description=article.excerpt,
        canonical=url,
        og_type="article",
        graph=_article_graph(site, base, article),
        article=article,
        og_image=_img(base, article.image),
    )
    body_class = (
        f"post-template-default single single-post postid-{article.post_id} single-format-standard"
    )
    if article.layout == "cloud":
        body_class += f" tdb_template_{CLOUD_TEMPLATE_ID} tdb-template"
        content = _cloud_post(site, base, article)
    else:
        content = _classic_post(site, base, article)
    return _document(site, base, head=head, body_class=body_class, content=content)


def _post_classes(article: Article) -> str:
    tags = " ".join(f"tag-{t.slug}" for t in article.tags)
    return (
        f"post-{article.post_id} post type-post status-publish format-standard "
        f"has-post-thumbnail category-{article.category.slug} {tags}"
    )


def _classic_post(site: Site, base: str, article: Article) -> str:
    """tagDiv's default single template (td-post-template-default) with its sidebar."""
    ids = _Ids()
    url = base + article.path
    crumbs = _crumbs(
        base,
        [
            ("Home", f"{base}/"),
            (article.category.name, f"{base}/category/{article.category.slug}/"),
            (article.title, ""),
        ],
    )
    older, newer = site.neighbours(article)
    next_prev = '<div class="td-block-row td-post-next-prev">'
    if older is not None:
        next_prev += (
            '<div class="td-block-span6 td-post-prev-post"><div class="td-post-next-prev-content">'
            f'<span>Previous article</span><a href="{base}{older.path}">{_e(older.title)}</a>'
            "</div></div>"
        )
    next_prev += '<div class="td-next-prev-separator"></div>'
    if newer is not None:
        next_prev += (
            '<div class="td-block-span6 td-post-next-post"><div class="td-post-next-prev-content">'
            f'<span>Next article</span><a href="{base}{newer.path}">{_e(newer.title)}</a>'
            "</div></div>"
        )
    next_prev += "</div>"
    author = article.author
    author_url = (
        f'<div class="td-author-url"><a href="{author.url}">{author.url}</a></div>'
        if author.url
        else ""
    )
    related = site.related(article)
    rel_uid = ids.next()
    more_uid = ids.next()
    content = body_html(site, base, article, ids)
    return f"""<div class="td-main-content-wrap td-container-wrap">
<div class="td-container td-post-template-default ">
<div class="td-crumb-container">{crumbs}</div>
<div class="td-pb-row">
<div class="td-pb-span8 td-main-content" role="main">
<div class="td-ss-main-content">
<article id="post-{article.post_id}" class="{_post_classes(article)}" itemscope \
itemtype="https://schema.org/Article">
<div class="td-post-header">
<ul class="td-category"><li class="entry-category"><a \
href="{base}/category/{article.category.slug}/">{_e(article.category.name)}</a></li></ul>
<header class="td-post-title">
<h1 class="entry-title">{_e(article.title)}</h1>
<div class="td-module-meta-info">
<div class="td-post-author-name"><div class="td-author-by">By</div> \
{_author_link(base, author)}<div class="td-author-line"> - </div></div>
<span class="td-post-date">{_time(article.published)}</span>
<div class="td-post-comments"><a href="{url}#respond"><i class="td-icon-comments"></i>\
{len(article.comments)}</a></div>
<div class="td-post-views"><i class="td-icon-views"></i><span \
class="td-nr-views-{article.post_id}">{100 + _hash(article.post_id, "views") % 9000}</span></div>
</div>
</header>
</div>
<div class="td-post-sharing-top">{_share(base, article, "top")}</div>
<div class="td-post-content tagdiv-type">
<div class="td-post-featured-image"><a href="{_img(base, article.image)}" data-caption=""><img \
width="696" height="392" class="entry-thumb td-modal-image" \
src="{_img(base, article.image, "696x392")}" alt="" title="{_e(article.title)}" /></a></div>
{content}
</div>
<footer>
<div class="td-post-source-tags">{_tags_list(base, article)}</div>
<div class="td-post-sharing-bottom">{_share(base, article, "bottom")}</div>
{next_prev}
<div class="author-box-wrap"><a href="{base}/author/{author.slug}/" aria-label="author-photo">\
<img alt='{_e(author.name)}' src='{_avatar(author.name, 96)}' class='avatar avatar-96 photo' \
height='96' width='96' loading='lazy' decoding='async'/></a>
<div class="desc">
<div class="td-author-name vcard author"><span class="fn">{_author_link(base, author)}</span>\
</div>{author_url}
<div class="td-author-description">{_e(author.bio)}</div>
{_social_icons("td-author-social")}
<div class="clearfix"></div>
</div>
</div>
</footer>
</article>
<div class="td_block_wrap td_block_related_posts {rel_uid} td_with_ajax_pagination \
td-pb-border-top td_block_template_1"  data-td-block-uid="{rel_uid}" >\
{_block_script(rel_uid, "td_block_related_posts", len(related), 3)}
<div class="td-related-title-wrap"><h4 class="block-title td-related-title"><a \
id="{rel_uid}_title" class="td-related-left td-cur-simple-item" data-td_filter_value="" \
data-td_block_id="{rel_uid}" href="#">RELATED ARTICLES</a><a id="{more_uid}" \
class="td-related-right" data-td_filter_value="td_related_more_from_author" \
data-td_block_id="{rel_uid}" href="#">MORE FROM AUTHOR</a></h4></div>
<div id={rel_uid} class="td_block_inner"><div class="td-related-row">\
{_related_modules(base, related)}</div></div>
<div class="td-next-prev-wrap"><a href="#" class="td-ajax-prev-page ajax-page-disabled" \
aria-label="prev-page" id="prev-page-{rel_uid}" data-td_block_id="{rel_uid}"><i \
class="td-next-prev-icon td-icon-font td-icon-menu-left"></i></a><a href="#" \
class="td-ajax-next-page" aria-label="next-page" id="next-page-{rel_uid}" \
data-td_block_id="{rel_uid}"><i class="td-next-prev-icon td-icon-font td-icon-menu-right"></i>\
</a></div></div>
{_comments(base, article)}
</div>
</div>
<div class="td-pb-span4 td-main-sidebar" role="complementary">
<div class="td-ss-main-sidebar">
{_sidebar(site, base, ids, exclude=article)}
</div>
</div>
</div>
</div>
</div>"""


def _sidebar(site: Site, base: str, ids: _Ids, exclude: Article | None = None) -> str:
    """The classic sidebar: "Most popular" teasers, an ad and the social counter."""
    uid = ids.next()
    popular = [a for a in site.listed()[:40:7] if a is not exclude][:4]
    modules = "".join(
        '<div class="td-block-span12"><div class="td_module_6 td_module_wrap td-animation-stack">'
        f"{_thumb(base, other, '100x70')}"
        f'<div class="item-details">{_title_link(base, other)}'
        f'<div class="td-module-meta-info"><span class="td-post-date">{_time(other.published)}'
        "</span></div></div></div></div>"
        for other in popular
    )
    counter_uid = ids.next()
    counters = "".join(
        f'<div class="td_social_type td-pb-margin-side td_social_{key}">'
        f'<div class="td-social-box"><div class="td-sp td-sp-{key}"></div>'
        f'<span class="td_social_info">{1000 + _hash(key) % 90000}</span>'
        f'<span class="td_social_info td_social_info_name">Followers</span>'
        f'<span class="td_social_button"><a href="{href}" target="_blank">Follow</a></span>'
        "</div></div>"
        for key, _label, href in SOCIAL
    )
    return (
        f'<div class="td_block_wrap td_block_7 {uid} td-pb-border-top td_block_template_1 '
        f'td-column-1"  data-td-block-uid="{uid}" >'
        f"{_block_script(uid, 'td_block_7', len(site.listed()), 4)}"
        '<div class="td-block-title-wrap"><h4 class="block-title td-block-title">'
        '<span class="td-pulldown-size">Most popular</span></h4></div>'
        f'<div id={uid} class="td_block_inner">{modules}</div></div>'
        f"{_ad(ids, 'sidebar')}"
        f'<div class="td_block_wrap td_block_social_counter {counter_uid} td-pb-border-top '
        'td_block_template_1"><div class="td-block-title-wrap"><h4 class="block-title '
        'td-block-title"><span class="td-pulldown-size">Stay Connected</span></h4></div>'
        f'<div class="td-social-list">{counters}</div></div>'
    )


def _tdb(uid: str, kind: str, inner: str, extra: str = "") -> str:
    """A Cloud Library block wrapper with its inner div."""
    return (
        f'<div class="td_block_wrap {kind} {uid} td-pb-border-top td_block_template_1{extra}"  '
        f'data-td-block-uid="{uid}" >\n<div class="tdb-block-inner td-fix-index">{inner}</div>'
        "</div>"
    )


def _cloud_post(site: Site, base: str, article: Article) -> str:
    """The tagDiv Composer ("Cloud Library") single template, block after block."""
    ids = _Ids(start=40)
    author = article.author
    zone, row1, col1, row2, col2, col3 = (ids.next() for _ in range(6))
    crumbs = _tdb(
        ids.next(),
        "tdb_breadcrumbs",
        _crumbs(
            base,
            [
                ("Home", f"{base}/"),
                (article.category.name, f"{base}/category/{article.category.slug}/"),
                (article.title, ""),
            ],
        ),
    )
    title = _tdb(
        ids.next(),
        "tdb_title",
        f'<h1 class="tdb-title-text">{_e(article.title)}</h1><div></div>'
        '<div class="tdb-title-line"></div>',
    )
    byline = _tdb(
        ids.next(),
        "tdb_single_author",
        f'<a class="tdb-author-photo"  href="{base}/author/{author.slug}/" '
        f"title=\"{_e(author.name)}\"><img alt='{_e(author.name)}' "
        f"src='{_avatar(author.name, 96)}' class='avatar avatar-96 photo avatar-default' "
        "height='96' width='96' loading='lazy' decoding='async'/></a>"
        '<div class="tdb-author-name-wrap"><span class="tdb-author-by">By</span> '
        f'<a class="tdb-author-name" href="{base}/author/{author.slug}/">{_e(author.name)}</a>'
        "</div>",
        " tdb-post-meta",
    )
    date = _tdb(
        ids.next(),
        "tdb_single_date",
        '<i class="td-icon-clock"></i>'
        f'<time class="entry-date updated td-module-date" datetime="{_iso(article.published)}" >'
        f"{_long_date(article.published)}</time>",
        " tdb-post-meta",
    )
    featured = _tdb(
        ids.next(),
        "tdb_single_featured_image",
        f'<div class="tdb-featured-image-bg"></div><a href="{_img(base, article.image)}" '
        f'class="td-modal-image"><img fetchpriority="high" width="1024" height="576" '
        f'class="entry-thumb" src="{_img(base, article.image)}" alt="" '
        f'title="{_e(article.title)}" /></a>',
        " tdb-content-horiz-center",
    )
    content_uid = ids.next()
    content = _tdb(
        content_uid,
        "tdb_single_content",
        body_html(site, base, article, ids),
        " td-post-content tagdiv-type",
    )
    tags = _tdb(
        ids.next(),
        "tdb_single_tags",
        '<span class="tdb-tags-title">Tags</span><ul class="tdb-tags">'
        + "".join(f'<li><a href="{base}/tag/{t.slug}/">{_e(t.name)}</a></li>' for t in article.tags)
        + "</ul>",
    )
    share = _tdb(ids.next(), "tdb_single_post_share", _share(base, article, "cloud"))
    author_url = (
        f'<a class="tdb-author-url" href="{author.url}">{author.url}</a>' if author.url else ""
    )
    author_box = _tdb(
        ids.next(),
        "tdb_single_author_box",
        f'<div class="tdb-author-photo"><a href="{base}/author/{author.slug}/">'
        f"<img alt='{_e(author.name)}' src='{_avatar(author.name, 96)}' class='avatar "
        "avatar-96 photo' height='96' width='96' loading='lazy' decoding='async'/></a></div>"
        '<div class="tdb-author-info">'
        f'<a class="tdb-author-name" href="{base}/author/{author.slug}/">{_e(author.name)}</a>'
        f"{author_url}"
        f'<div class="tdb-author-descr">{_e(author.bio)}</div>'
        f"{_social_icons('tdb-author-social')}</div>",
        " tdb-author-box",
    )
    latest = _latest_block(site, base, article, ids)
    related_uid = ids.next()
    if article.related_empty:
        related_inner = (
            f'<div id={related_uid} class="td_block_inner tdb-block-inner td-fix-index"></div>'
        )
    else:
        related_inner = (
            f'<div id={related_uid} class="td_block_inner tdb-block-inner td-fix-index">'
            f"{''.join(_flex_module(base, a, base + a.path) for a in site.related(article))}</div>"
        )
    related = (
        f'<div class="td_block_wrap tdb_single_related {related_uid} td_with_ajax_pagination '
        f'td-pb-border-top td_block_template_1 tdb-single-related-posts"  '
        f'data-td-block-uid="{related_uid}" >'
        f"{_block_script(related_uid, 'tdb_single_related', 0 if article.related_empty else 3, 3)}"
        '<div class="td-block-title-wrap"><h4 class="td-block-title"><span>Related news</span>'
        f"</h4></div>{related_inner}</div>"
    )
    comments = _tdb(
        ids.next(), "tdb_single_comments", _comments(base, article), " tdb-comm-layout1"
    )
    script = (
        "<script>jQuery(window).on( 'load', function () { tdbAutoloadArticle && "
        "tdbAutoloadArticle.init(); });</script>"
    )
    return f"""<div id="tdb-autoload-article" data-autoload="off" \
data-autoload-org-post-id="{article.post_id}" data-autoload-tpl-id="{CLOUD_TEMPLATE_ID}" \
data-autoload-type="" data-autoload-count="5" data-autoload-scroll-percent="50">
<style>.tdb-autoload-wrap{{position:relative}}.tdb-autoload-wrap .tdb-loader{{left:0;\
top:auto}}</style>
<div class="td-main-content-wrap td-container-wrap">
<div class="tdc-content-wrap">
<article class="{_post_classes(article)}" itemscope itemtype="https://schema.org/Article" >
<div id="{zone}" class="tdc-zone"><div class="tdc_zone {zone}  wpb_row td-pb-row"  >
<div id="{row1}" class="tdc-row"><div class="vc_row {row1}  wpb_row td-pb-row" >
<div class="vc_column {col1}  wpb_column vc_column_container tdc-column td-pb-span12">\
<div class="wpb_wrapper" >
{crumbs}
{title}
</div></div>
</div></div>
<div id="{row2}" class="tdc-row"><div class="vc_row {row2}  wpb_row td-pb-row" >
<div class="vc_column {col2}  wpb_column vc_column_container tdc-column td-pb-span8">\
<div class="wpb_wrapper" >
{byline}
{date}
{featured}
{content}
{tags}
{share}
{author_box}
{script}
{latest}
{related}
{comments}
</div></div>
<div class="vc_column {col3}  wpb_column vc_column_container tdc-column td-pb-span4">\
<div class="wpb_wrapper" >
{_ad(ids, "sidebar")}
</div></div>
</div></div>
</div></div>
</article>
</div>
</div>
</div>"""


# --- listings --------------------------------------------------------------------------------


def _module_16(base: str, article: Article, href: str = "") -> str:
    """An archive teaser: thumb, title, author, date, comment count, excerpt, "Read more"."""
    href = href or base + article.path
    return (
        '<div class="td_module_16 td_module_wrap td-animation-stack">'
        f"{_thumb(base, article, '150x150', href)}"
        f'<div class="item-details">{_title_link(base, article, href)}'
        '<div class="td-module-meta-info">'
        f'<span class="td-post-author-name">{_author_link(base, article.author)} <span>-</span> '
        f'</span><span class="td-post-date">{_time(article.published)}</span>'
        f'<span class="td-module-comments"><a href="{base}{article.path}#respond">'
        f"{len(article.comments)}</a></span></div>"
        f'<div class="td-excerpt">{_e(article.excerpt)}</div>'
        f'<div class="td-read-more"><a href="{href}">Read more</a></div>'
        "</div></div>"
    )


def _page_nav(page_url: Callable[[int], str], current: int, total: int) -> str:
    """tagDiv's numbered pagination: arrows, a window of pages, the last page, "Page x of y"."""
    if total <= 1:
        return ""
    parts = []
    if current > 1:
        parts.append(
            f'<a href="{page_url(current - 1)}" aria-label="prev-page" >'
            '<i class="td-icon-menu-left"></i></a>'
        )
    shown = sorted({1, total, *range(max(1, current - 2), min(total, current + 2) + 1)})
    previous = 0
    for n in shown:
        if n - previous > 1:
            parts.append('<span class="extend">...</span>')
        if n == current:
            parts.append(f'<span class="current">{n}</span>')
        else:
            css = "last" if n == total and n - current > 3 else "page"
            parts.append(f'<a href="{page_url(n)}" class="{css}" title="{n}">{n}</a>')
        previous = n
    if current < total:
        parts.append(
            f'<a href="{page_url(current + 1)}" aria-label="next-page" >'
            '<i class="td-icon-menu-right"></i></a>'
        )
    parts.append(f'<span class="pages">Page {current} of {total}</span>')
    links = "".join(parts)
    return f'<div class="page-nav td-pb-padding-side">{links}<div class="clearfix"></div></div>'


def _listing(
    site: Site,
    base: str,
    *,
    title: str,
    heading: str,
    url: str,
    body_class: str,
    articles: list[Article],
    trail: list[tuple[str, str]],
    nav: str = "",
    intro: str = "",
    robots: str = ROBOTS_INDEX,
    current: str = "",
    extra_graph: list[dict] | None = None,
    prev_url: str = "",
    next_url: str = "",
) -> str:
    """An archive page: breadcrumbs, heading, td_module_16 teasers, pagination, sidebar."""
    ids = _Ids()
    head = _head(
        site,
        base,
        title=title,
        description=f"{heading} - {SITE_NAME}",
        canonical=url,
        og_type="website",
        graph=_collection_graph(base, url, title, trail) + (extra_graph or []),
        robots=robots,
        prev_url=prev_url,
        next_url=next_url,
    )
    crumbs = _crumbs(base, trail)
    modules = "\n".join(_module_16(base, a) for a in articles)
    if not articles:
        modules = '<div class="no-results td-pb-padding-side"><h2>No posts to display</h2></div>'
    content = f"""<div class="td-main-content-wrap td-container-wrap">
<div class="td-container ">
<div class="td-crumb-container">{crumbs}</div>
<div class="td-pb-row">
<div class="td-pb-span8 td-main-content">
<div class="td-ss-main-content">
<div class="td-page-header">
<h1 class="entry-title td-page-title"><span>{_e(heading)}</span></h1>
</div>
{intro}
{modules}
{nav}
</div>
</div>
<div class="td-pb-span4 td-main-sidebar">
<div class="td-ss-main-sidebar">
{_sidebar(site, base, ids)}
</div>
</div>
</div>
</div>
</div>"""
    return _document(site, base, head=head, body_class=body_class, content=content, current=current)


def category_page_count(site: Site, category: Category) -> int:
    """How many pages the category archive has (at least one, even when empty)."""
    return max(1, -(-len(site.in_category(category)) // PER_PAGE))


def render_category(site: Site, base: str, category: Category, page: int = 1) -> str | None:
    """A category archive page (normal and category-only articles), or None past the end."""
    total = category_page_count(site, category)
    if not 1 <= page <= total:
        return None
    root = f"{base}/category/{category.slug}/"

    def page_url(n: int) -> str:
        return root if n == 1 else f"{root}page/{n}/"

    listed = site.in_category(category)[(page - 1) * PER_PAGE : page * PER_PAGE]
    suffix = f" - Page {page} of {total}" if page > 1 else ""
    return _listing(
        site,
        base,
        title=f"{category.name} Archives{suffix} - {SITE_NAME}",
        heading=category.name,
        url=page_url(page),
        body_class=f"archive category category-{category.slug} category-{category.term_id}",
        articles=listed,
        trail=[("Home", f"{base}/"), (category.name, "")],
        nav=_page_nav(page_url, page, total),
        current=root,
        prev_url=page_url(page - 1) if page > 1 else "",
        next_url=page_url(page + 1) if page < total else "",
    )


def render_tag(site: Site, base: str, tag: Tag) -> str:
    """A tag archive's first page: its ten newest listed articles."""
    return _listing(
        site,
        base,
        title=f"{tag.name} Archives - {SITE_NAME}",
        heading=tag.name,
        url=f"{base}/tag/{tag.slug}/",
        body_class=f"archive tag tag-{tag.slug} tag-{tag.term_id}",
        articles=site.with_tag(tag)[:PER_PAGE],
        trail=[("Home", f"{base}/"), ("Tags", ""), (tag.name, "")],
    )


def render_author(site: Site, base: str, author: Author) -> str:
    """An author archive's first page, with tagDiv's author box on top."""
    url = f"{base}/author/{author.slug}/"
    box = (
        '<div class="author-box-wrap td-author-page">'
        f"<img alt='{_e(author.name)}' src='{_avatar(author.name, 96)}' class='avatar "
        "avatar-96 photo' height='96' width='96' loading='lazy' decoding='async'/>"
        f'<div class="desc"><div class="td-author-counters"><span class="td-author-post-count">'
        f'{len(site.by_author(author))} POSTS</span><span class="td-author-comments-count">'
        "0 COMMENTS</span></div>"
        + (
            f'<div class="td-author-url"><a href="{author.url}">{author.url}</a></div>'
            if author.url
            else ""
        )
        + f'<div class="td-author-description">{_e(author.bio)}</div>'
        '<div class="clearfix"></div></div></div>'
    )
    return _listing(
        site,
        base,
        title=f"{author.name}, Author at {SITE_NAME}",
        heading=author.name,
        url=url,
        body_class=f"archive author author-{author.slug} author-{author.user_id}",
        articles=site.by_author(author)[:PER_PAGE],
        trail=[("Home", f"{base}/"), ("Authors", ""), (author.name, "")],
        intro=box,
        extra_graph=[_person_node(base, author)],
    )


def render_date_archive(
    site: Site, base: str, year: int, month: int, day: int | None = None
) -> str | None:
    """A date archive (/YYYY/MM/ or /YYYY/MM/DD/), or None when no article was published then."""
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    matches = [
        a
        for a in site.listed()
        if (a.published.year, a.published.month) == (year, month)
        and (day is None or a.published.day == day)
    ]
    if not matches:
        return None
    name = f"{MONTHS[month - 1]} {year}" if day is None else f"{MONTHS[month - 1]} {day}, {year}"
    path = f"/{year}/{month:02d}/" + (f"{day:02d}/" if day is not None else "")
    return _listing(
        site,
        base,
        title=f"{name} - {SITE_NAME}",
        heading=name,
        url=base + path,
        body_class="archive date",
        articles=matches[:PER_PAGE],
        trail=[("Home", f"{base}/"), (name, "")],
        robots=ROBOTS_NOINDEX,
    )


def render_search(site: Site, base: str, term: str) -> str:
    """Search results for ?s=term: listed articles whose title or text mention it."""
    needle = term.lower().strip()
    matches = [
        a
        for a in site.listed()
        if needle and (needle in a.title.lower() or needle in a.expected_text.lower())
    ][:PER_PAGE]
    return _listing(
        site,
        base,
        title=f"You searched for {term} - {SITE_NAME}",
        heading=f"Search results for {term}",
        url=f"{base}/?s={quote_plus(term)}",
        body_class="search search-results" if matches else "search search-no-results",
        articles=matches,
        trail=[("Home", f"{base}/"), (f"Search results for {term}", "")],
        robots=ROBOTS_NOINDEX,
    )


# --- home ------------------------------------------------------------------------------------


def _grid_module(base: str, article: Article, n: int) -> str:
    return (
        f'<div class="td_module_mx5 td-animation-stack td-big-grid-post-{n} td-big-grid-post '
        f'td-{"big" if n == 0 else "small"}-thumb">'
        f"{_thumb(base, article, '534x462' if n == 0 else '265x198')}"
        '<div class="td-meta-info-container"><div class="td-meta-align">'
        '<div class="td-big-grid-meta">'
        f'<a href="{base}/category/{article.category.slug}/" class="td-post-category">'
        f"{_e(article.category.name)}</a>{_title_link(base, article)}</div>"
        '<div class="td-module-meta-info"><span class="td-post-author-name">'
        f"{_author_link(base, article.author)} <span>-</span> </span>"
        f'<span class="td-post-date">{_time(article.published)}</span></div>'
        "</div></div></div>"
    )


def _calendar(site: Site, base: str) -> str:
    """WordPress's calendar widget for the current month: days with posts link to /Y/M/D/."""
    now = site.now
    first = now.replace(day=1, hour=0, minute=0, second=0)
    days_with_posts = {
        a.published.day
        for a in site.listed()
        if (a.published.year, a.published.month) == (now.year, now.month)
    }
    next_month = (first + timedelta(days=32)).replace(day=1)
    length = (next_month - first).days
    # the first week starts with empty cells up to the 1st's weekday (weeks start on Monday)
    cells = [f'<td colspan="{first.weekday()}" class="pad">&nbsp;</td>'] if first.weekday() else []
    rows = []
    for day in range(1, length + 1):
        label = f"{MONTHS[now.month - 1]} {day}, {now.year}"
        if day in days_with_posts:
            text = (
                f'<a href="{base}/{now.year}/{now.month:02d}/{day:02d}/" '
                f'aria-label="Posts published on {label}">{day}</a>'
            )
        else:
            text = str(day)
        today = ' id="today"' if day == now.day else ""
        cells.append(f"<td{today}>{text}</td>")
        if (first.weekday() + day) % 7 == 0:
            rows.append(f"<tr>{''.join(cells)}</tr>")
            cells = []
    if cells:
        rows.append(f"<tr>{''.join(cells)}</tr>")
    previous = (first - timedelta(days=1)).replace(day=1)
    heads = "".join(f'<th scope="col" title="{d}">{d[0]}</th>' for d in WEEKDAYS)
    return (
        '<aside id="calendar-2" class="widget widget_calendar"><div class="block-title"><span>'
        'Archives</span></div><div id="calendar_wrap" class="calendar_wrap">'
        '<table id="wp-calendar" class="wp-calendar-table">'
        f"<caption>{MONTHS[now.month - 1]} {now.year}</caption><thead><tr>{heads}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<nav aria-label="Previous and next months" class="wp-calendar-nav">'
        '<span class="wp-calendar-nav-prev">'
        f'<a href="{base}/{previous.year}/{previous.month:02d}/">'
        f"&laquo; {MONTHS[previous.month - 1][:3]}</a></span>"
        '<span class="pad">&nbsp;</span><span class="wp-calendar-nav-next">&nbsp;</span>'
        "</nav></div></aside>"
    )


def _tag_cloud(site: Site, base: str) -> str:
    counts = {t: 0 for t in site.tags}
    for article in site.listed():
        for tag in article.tags:
            counts[tag] += 1
    top = sorted((t for t in counts if counts[t]), key=lambda t: (-counts[t], t.name))[:20]
    links = "".join(
        f'<a href="{base}/tag/{t.slug}/" class="tag-cloud-link tag-link-{t.term_id} '
        f'tag-link-position-{n}" style="font-size: {8 + min(counts[t], 14)}pt;" '
        f'aria-label="{_e(t.name)} ({counts[t]} items)">{_e(t.name)}</a>'
        for n, t in enumerate(sorted(top, key=lambda t: t.name), start=1)
    )
    return (
        '<aside class="widget widget_tag_cloud"><div class="block-title"><span>Tags</span></div>'
        f'<div class="tagcloud">{links}</div></aside>'
    )


def render_home(site: Site, base: str) -> str:
    """The front page: big grid, a block per category, trending searches, calendar, tags."""
    ids = _Ids()
    listed = site.listed()
    url = f"{base}/"
    head = _head(
        site,
        base,
        title=f"{SITE_NAME} - {TAGLINE}",
        description=f"{SITE_NAME}: {TAGLINE.lower()}.",
        canonical=url,
        og_type="website",
        graph=_collection_graph(base, url, f"{SITE_NAME} - {TAGLINE}", [("Home", "")]),
        og_image=f"{base}/wp-content/uploads/2021/06/nwn-logo.png",
    )
    grid_uid = ids.next()
    grid = (
        f'<div class="td_block_wrap td_block_big_grid_1 {grid_uid} td-grid-style-1 td-hover-1 '
        f'td-big-grids td-pb-border-top td_block_template_1"  data-td-block-uid="{grid_uid}" >'
        f'<div id={grid_uid} class="td_block_inner"><div class="td-big-grid-wrapper">'
        + "".join(_grid_module(base, a, n) for n, a in enumerate(listed[:5]))
        + '</div><div class="clearfix"></div></div></div>'
    )
    blocks = []
    for category in site.categories:
        uid = ids.next()
        newest = [a for a in listed if a.category == category][:4]
        if not newest:
            continue
        first, rest = newest[0], newest[1:]
        modules = (
            '<div class="td-block-span6">'
            '<div class="td_module_4 td_module_wrap td-animation-stack">'
            f"{_thumb(base, first, '324x235')}{_title_link(base, first)}"
            '<div class="td-module-meta-info">'
            f'<span class="td-post-author-name">{_author_link(base, first.author)} '
            f'<span>-</span> </span><span class="td-post-date">{_time(first.published)}</span>'
            f'</div><div class="td-excerpt">{_e(first.excerpt)}</div></div></div>'
            '<div class="td-block-span6">'
            + "".join(
                '<div class="td_module_6 td_module_wrap td-animation-stack">'
                f'{_thumb(base, a, "100x70")}<div class="item-details">{_title_link(base, a)}'
                f'<div class="td-module-meta-info"><span class="td-post-date">{_time(a.published)}'
                "</span></div></div></div>"
                for a in rest
            )
            + "</div>"
        )
        blocks.append(
            f'<div class="td_block_wrap td_block_1 {uid} td-pb-border-top td_block_template_1 '
            f'td-column-2"  data-td-block-uid="{uid}" >'
            f"{_block_script(uid, 'td_block_1', len(newest), 4)}"
            '<div class="td-block-title-wrap"><h4 class="block-title td-block-title">'
            f'<a href="{base}/category/{category.slug}/" class="td-pulldown-size">'
            f"{_e(category.name)}</a></h4></div>"
            f'<div id={uid} class="td_block_inner">{modules}</div>'
            '<div class="td-load-more-wrap"><a href="#" class="td_ajax_load_more '
            f'td_ajax_load_more_js" aria-label="Load more" id="next-page-{uid}" '
            f'data-td_block_id="{uid}">Load more<i class="td-load-more-icon td-icon-font '
            'td-icon-menu-right"></i></a></div></div>'
        )
    picks_uid = ids.next()
    picks = listed[5:9]
    pick_modules = "".join(
        # WordPress shortlinks (/?p=ID) answer with a 301 to the permalink
        f'<div class="td_module_6 td_module_wrap td-animation-stack">'
        f'{_thumb(base, a, "100x70")}<div class="item-details">'
        f"{_title_link(base, a, f'{base}/?p={a.post_id}' if n == 0 else '')}"
        f'<div class="td-module-meta-info"><span class="td-post-date">{_time(a.published)}</span>'
        "</div></div></div>"
        for n, a in enumerate(picks)
    )
    trending = "".join(
        f'<li><a href="{base}/?s={term}">{label}</a></li>' for term, label in TRENDING
    )
    sidebar = (
        f'<div class="td_block_wrap td_block_7 {picks_uid} td-pb-border-top td_block_template_1">'
        '<div class="td-block-title-wrap"><h4 class="block-title td-block-title">'
        '<span class="td-pulldown-size">Editor Picks</span></h4></div>'
        f'<div id={picks_uid} class="td_block_inner">{pick_modules}</div></div>'
        '<aside class="widget widget_block td-trending-searches"><div class="block-title">'
        f"<span>Trending</span></div><ul>{trending}</ul></aside>"
        f"{_ad(ids, 'sidebar')}{_calendar(site, base)}{_tag_cloud(site, base)}"
    )
    content = f"""<div class="td-main-content-wrap td-main-page-wrap td-container-wrap">
<div class="tdc-content-wrap">
<div class="td-container">
<div class="td-pb-row">
<div class="td-pb-span12">{grid}</div>
</div>
<div class="td-pb-row">
<div class="td-pb-span8 td-main-content">
{chr(10).join(blocks)}
</div>
<div class="td-pb-span4 td-main-sidebar">
{sidebar}
</div>
</div>
</div>
</div>
</div>"""
    return _document(
        site,
        base,
        head=head,
        body_class="home page-template-default page page-id-8 tdb-template",
        content=content,
        current=url,
    )


# --- pages -----------------------------------------------------------------------------------


def render_page(site: Site, base: str, page: Page) -> str:
    """A static or members page in tagDiv's page template."""
    url = base + page.path
    graph = [
        {
            "@type": "WebPage",
            "@id": url,
            "url": url,
            "name": f"{page.title} - {SITE_NAME}",
            "isPartOf": {"@id": f"{base}/#website"},
            "datePublished": _iso(page.published),
            "dateModified": _iso(page.modified),
            "breadcrumb": {"@id": f"{url}#breadcrumb"},
            "inLanguage": "en-US",
            "potentialAction": [{"@type": "ReadAction", "target": [url]}],
        },
        _breadcrumb_node(url, [("Home", f"{base}/"), (page.title, "")]),
        *_website_nodes(base),
    ]
    head = _head(
        site,
        base,
        title=f"{page.title} - {SITE_NAME}",
        description=page.paragraphs[0],
        canonical=url,
        og_type="article",
        graph=graph,
        robots=ROBOTS_NOINDEX if page.members else ROBOTS_INDEX,
        page=page,
    )
    ids = _Ids()
    paragraphs = "\n".join(f"<p>{_e(p)}</p>" for p in page.paragraphs)
    crumbs = _crumbs(base, [("Home", f"{base}/"), (page.title, "")])
    content = f"""<div class="td-main-content-wrap td-container-wrap">
<div class="td-container tdc-content-wrap">
<div class="td-crumb-container">{crumbs}</div>
<div class="td-pb-row">
<div class="td-pb-span8 td-main-content" role="main">
<div class="td-ss-main-content">
<div class="td-page-header">
<h1 class="entry-title td-page-title"><span>{_e(page.title)}</span></h1>
</div>
<div class="td-page-content tagdiv-type">
{paragraphs}
</div>
</div>
</div>
<div class="td-pb-span4 td-main-sidebar" role="complementary">
<div class="td-ss-main-sidebar">
{_sidebar(site, base, ids)}
</div>
</div>
</div>
</div>
</div>"""
    return _document(
        site,
        base,
        head=head,
        body_class=f"page-template-default page page-id-{page.page_id}",
        content=content,
        current=url,
    )


def render_not_found(site: Site, base: str) -> str:
    """tagDiv's 404 page, with the latest posts underneath."""
    head = _head(
        site,
        base,
        title=f"Page not found - {SITE_NAME}",
        description=f"Page not found - {SITE_NAME}",
        canonical=f"{base}/",
        og_type="website",
        graph=_website_nodes(base),
        robots=ROBOTS_NOINDEX,
    )
    modules = "".join(_module_16(base, a) for a in site.latest(count=6))
    content = f"""<div class="td-main-content-wrap td-container-wrap">
<div class="td-container">
<div class="td-pb-row">
<div class="td-pb-span12">
<div class="td-404-title">Ooops... Error 404</div>
<div class="td-404-sub-title">Sorry, but the page you are looking for doesn't exist.</div>
<div class="td-404-sub-sub-title">You can go to the <a href="{base}/">HOMEPAGE</a></div>
<h4 class="td-related-title"><span>OUR LATEST POSTS</span></h4>
<div class="td-block-row">{modules}</div>
</div>
</div>
</div>
</div>"""
    return _document(site, base, head=head, body_class="error404", content=content)


def render_gone(site: Site, base: str) -> str:
    """The short page a "410 Gone" plugin shows for a deleted post, in the theme's frame."""
    head = _head(
        site,
        base,
        title=f"Content removed - {SITE_NAME}",
        description=f"Content removed - {SITE_NAME}",
        canonical=f"{base}/",
        og_type="website",
        graph=_website_nodes(base),
        robots=ROBOTS_NOINDEX,
    )
    content = f"""<div class="td-main-content-wrap td-container-wrap">
<div class="td-container">
<div class="td-pb-row">
<div class="td-pb-span12">
<div class="td-404-title">Error 410</div>
<div class="td-404-sub-title">This story has been removed and is no longer available.</div>
<div class="td-404-sub-sub-title">You can go to the <a href="{base}/">HOMEPAGE</a></div>
</div>
</div>
</div>
</div>"""
    return _document(site, base, head=head, body_class="error410", content=content)


def render_amp(site: Site, base: str, article: Article) -> str:
    """The AMP copy of a post (/<slug>/amp/), pointing back to its canonical page."""
    url = base + article.path
    schema = _json(
        {
            "@context": "http://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": url,
            "headline": article.title,
            "datePublished": _iso(article.published),
            "dateModified": _iso(article.modified),
            "author": {"@type": "Person", "name": article.author.name},
            "publisher": {"@type": "Organization", "name": SITE_NAME},
            "image": {"@type": "ImageObject", "url": _img(base, article.image)},
        }
    )
    paragraphs = "\n".join(
        f"<h3>{_e(t)}</h3>" if kind == "h3" else f"<p>{_e(t)}</p>" for kind, t in article.blocks
    )
    return f"""<!doctype html>
<html amp lang="en-US">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<title>{_e(article.title)} - {SITE_NAME}</title>
<link rel="canonical" href="{url}">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<style amp-boilerplate>body{{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;\
animation:-amp-start 8s steps(1,end) 0s 1 normal both}}</style><noscript><style \
amp-boilerplate>body{{-webkit-animation:none;animation:none}}</style></noscript>
<style amp-custom>.amp-wp-article{{max-width:840px;margin:1.5em auto}}</style>
<script type="application/ld+json">{schema}</script>
</head>
<body class="">
<header id="top" class="amp-wp-header"><div><a href="{base}/">{SITE_NAME}</a></div></header>
<article class="amp-wp-article">
<header class="amp-wp-article-header">
<h1 class="amp-wp-title">{_e(article.title)}</h1>
<div class="amp-wp-meta amp-wp-byline"><span class="amp-wp-author author vcard">\
{_e(article.author.name)}</span></div>
<div class="amp-wp-meta amp-wp-posted-on"><time datetime="{_iso(article.published)}">\
{_date(article.published)}</time></div>
</header>
<figure class="amp-wp-article-featured-image wp-caption"><amp-img width="1024" height="576" \
src="{_img(base, article.image)}" \
class="attachment-large size-large wp-post-image amp-wp-enforced-sizes" \
alt="" layout="intrinsic"></amp-img></figure>
<div class="amp-wp-article-content">
{paragraphs}
</div>
<footer class="amp-wp-article-footer">
<div class="amp-wp-meta amp-wp-tax-category">Categories: <a \
href="{base}/category/{article.category.slug}/" rel="category tag">\
{_e(article.category.name)}</a></div>
</footer>
</article>
<footer class="amp-wp-footer"><div><h2>{SITE_NAME}</h2><a href="#top" class="back-to-top">\
Back to top</a></div></footer>
</body>
</html>
"""


# --- robots, sitemaps, feeds -----------------------------------------------------------------


def render_robots(base: str, crawl_delay: float | None = None) -> str:
    """robots.txt: admin and members areas closed, GPTBot shut out, both sitemaps announced."""
    lines = [
        "User-agent: *",
        "Disallow: /wp-admin/",
        "Allow: /wp-admin/admin-ajax.php",
        "Disallow: /members/",
    ]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    lines += [
        "",
        "User-agent: GPTBot",
        "Disallow: /",
        "",
        f"Sitemap: {base}/sitemap_index.xml",
        f"Sitemap: {base}/news-sitemap.xml",
        "",
    ]
    return "\n".join(lines)


def _xml_head(base: str) -> str:
    host = base.split("://", 1)[1]
    return (
        '<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet type="text/xsl" '
        f'href="//{host}/main-sitemap.xsl"?>\n'
    )


def _x(text: str) -> str:
    return escape(text, quote=False)


def _post_chunks(site: Site) -> list[list[Article]]:
    """The post sitemaps' contents: sitemap-listed articles oldest first, in fixed-size files."""
    posts = site.in_sitemaps()[::-1]
    size = site.posts_per_sitemap
    return [posts[i : i + size] for i in range(0, len(posts), size)] or [[]]


def post_sitemap_names(site: Site) -> list[str]:
    """post-sitemap.xml, post-sitemap2.xml, ... as Yoast names them."""
    return [
        "post-sitemap.xml" if n == 1 else f"post-sitemap{n}.xml"
        for n in range(1, len(_post_chunks(site)) + 1)
    ]


def render_sitemap_index(site: Site, base: str) -> str:
    """Yoast's sitemap index: post sitemaps, the page sitemap and the category sitemap."""
    entries = [
        (name, max((a.modified for a in chunk), default=site.now))
        for name, chunk in zip(post_sitemap_names(site), _post_chunks(site), strict=True)
    ]
    entries.append(("page-sitemap.xml", max(p.modified for p in site.pages)))
    entries.append(("category-sitemap.xml", max(a.modified for a in site.articles)))
    body = "".join(
        f"\t<sitemap>\n\t\t<loc>{base}/{name}</loc>\n\t\t<lastmod>{_iso(when)}</lastmod>\n"
        "\t</sitemap>\n"
        for name, when in entries
    )
    return (
        _xml_head(base)
        + '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + body
        + "</sitemapindex>\n<!-- XML Sitemap generated by Yoast SEO -->"
    )


_URLSET = (
    '<urlset xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" '
    'xsi:schemaLocation="http://www.sitemaps.org/schemas/sitemap/0.9 '
    "http://www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd "
    "http://www.google.com/schemas/sitemap-image/1.1 "
    'http://www.google.com/schemas/sitemap-image/1.1/sitemap-image.xsd" '
    'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)


def render_post_sitemap(site: Site, base: str, number: int) -> str | None:
    """Post sitemap number (1-based), or None if there is no such file."""
    chunks = _post_chunks(site)
    if not 1 <= number <= len(chunks):
        return None
    body = "".join(
        f"\t<url>\n\t\t<loc>{base}{a.path}</loc>\n\t\t<lastmod>{_iso(a.modified)}</lastmod>\n"
        f"\t\t<image:image>\n\t\t\t<image:loc>{_img(base, a.image)}</image:loc>\n"
        "\t\t</image:image>\n\t</url>\n"
        for a in chunks[number - 1]
    )
    return (
        _xml_head(base) + _URLSET + body + "</urlset>\n<!-- XML Sitemap generated by Yoast SEO -->"
    )


def render_page_sitemap(site: Site, base: str) -> str:
    """The page sitemap: the home page and the static pages (members pages left out)."""
    entries = [(f"{base}/", max(a.modified for a in site.articles))]
    entries += [(base + p.path, p.modified) for p in site.pages]
    body = "".join(
        f"\t<url>\n\t\t<loc>{loc}</loc>\n\t\t<lastmod>{_iso(when)}</lastmod>\n\t</url>\n"
        for loc, when in entries
    )
    return (
        _xml_head(base) + _URLSET + body + "</urlset>\n<!-- XML Sitemap generated by Yoast SEO -->"
    )


def render_category_sitemap(site: Site, base: str) -> str:
    """The category sitemap, each category with its newest article's date."""
    body = ""
    for category in site.categories:
        members = site.in_category(category)
        if not members:
            continue
        when = max(a.modified for a in members)
        body += (
            f"\t<url>\n\t\t<loc>{base}/category/{category.slug}/</loc>\n"
            f"\t\t<lastmod>{_iso(when)}</lastmod>\n\t</url>\n"
        )
    return (
        _xml_head(base) + _URLSET + body + "</urlset>\n<!-- XML Sitemap generated by Yoast SEO -->"
    )


def news_sitemap_articles(site: Site) -> list[Article]:
    """What the Google News sitemap lists: sitemap-listed articles of the last two days."""
    since = site.now - timedelta(days=2)
    return [a for a in site.in_sitemaps() if a.published >= since]


def render_news_sitemap(site: Site, base: str) -> str:
    """Yoast News SEO's Google News sitemap."""
    body = "".join(
        f"<url>\n\t<loc>{base}{a.path}</loc>\n\t<news:news>\n\t\t<news:publication>\n"
        f"\t\t\t<news:name>{SITE_NAME}</news:name>\n\t\t\t<news:language>en</news:language>\n"
        "\t\t</news:publication>\n"
        f"\t\t<news:publication_date>{_iso(a.published)}</news:publication_date>\n"
        f"\t\t<news:title>{_x(a.title)}</news:title>\n\t</news:news>\n"
        f"\t<image:image>\n\t\t<image:loc>{_img(base, a.image)}</image:loc>\n\t</image:image>\n"
        "</url>\n"
        for a in news_sitemap_articles(site)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n'
        + body
        + "</urlset>\n<!-- XML Sitemap generated by Yoast SEO -->"
    )


def sitemap_stylesheet() -> str:
    """A small stand-in for Yoast's main-sitemap.xsl, so the stylesheet link resolves."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
        'xmlns:sitemap="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        '<xsl:output method="html" encoding="UTF-8" indent="yes"/>\n'
        '<xsl:template match="/"><html><body><h1>XML Sitemap</h1><ul>'
        '<xsl:for-each select="//sitemap:loc"><li><xsl:value-of select="."/></li></xsl:for-each>'
        "</ul></body></html></xsl:template>\n</xsl:stylesheet>\n"
    )


_RSS_OPEN = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:atom="http://www.w3.org/2005/Atom"
\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"
\t>

<channel>
"""


def _rss_date(dt: datetime) -> str:
    return format_datetime(dt)


def _channel(title: str, self_url: str, link: str, description: str, built: datetime) -> str:
    return (
        f"\t<title>{_x(title)}</title>\n"
        f'\t<atom:link href="{self_url}" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{link}</link>\n\t<description>{_x(description)}</description>\n"
        f"\t<lastBuildDate>{_rss_date(built)}</lastBuildDate>\n\t<language>en-US</language>\n"
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
        f"\t<generator>https://wordpress.org/?v={WP_VERSION}</generator>\n"
    )


def feed_items(site: Site, base: str) -> list[str]:
    """The RSS items of /feed/, one string each (the server sends them as separate chunks)."""
    items = []
    for a in site.listed()[:PER_PAGE]:
        url = base + a.path
        categories = "".join(
            f"\t\t<category><![CDATA[{name}]]></category>\n"
            for name in [a.category.name, *(t.name for t in a.tags)]
        )
        items.append(
            "\t<item>\n"
            f"\t\t<title>{_x(a.title)}</title>\n"
            f"\t\t<link>{url}</link>\n"
            f"\t\t<comments>{url}#respond</comments>\n"
            f"\t\t<dc:creator><![CDATA[{a.author.name}]]></dc:creator>\n"
            f"\t\t<pubDate>{_rss_date(a.published)}</pubDate>\n"
            f"{categories}"
            f'\t\t<guid isPermaLink="false">{base}/?p={a.post_id}</guid>\n'
            f"\t\t<description><![CDATA[{a.excerpt} [&#8230;]]]></description>\n"
            f"\t\t<content:encoded><![CDATA[{body_html(site, base, a)}]]></content:encoded>\n"
            f"\t\t<wfw:commentRss>{url}feed/</wfw:commentRss>\n"
            f"\t\t<slash:comments>{len(a.comments)}</slash:comments>\n"
            "\t</item>\n"
        )
    return items


def feed_parts(site: Site, base: str) -> list[str]:
    """/feed/ in pieces: the channel head, each item, the closing tags."""
    listed = site.listed()
    built = max((a.modified for a in listed[:PER_PAGE]), default=site.now)
    head = _RSS_OPEN + _channel(SITE_NAME, f"{base}/feed/", base, TAGLINE, built)
    return [head, *feed_items(site, base), "</channel>\n</rss>\n"]


def render_feed(site: Site, base: str) -> str:
    """The RSS 2.0 feed of the ten newest listed articles."""
    return "".join(feed_parts(site, base))


def render_comments_feed(site: Site, base: str, article: Article | None = None) -> str:
    """The comments feed: site-wide (listed articles only) or one post's (/<slug>/feed/)."""
    if article is None:
        pairs = [(a, c) for a in site.listed() for c in a.comments]
        pairs.sort(key=lambda pair: pair[1].date, reverse=True)
        pairs = pairs[:PER_PAGE]
        title, self_url, link = f"Comments for {SITE_NAME}", f"{base}/comments/feed/", base
    else:
        pairs = [(article, c) for c in article.comments]
        title = f"Comments on: {article.title}"
        self_url, link = f"{base}{article.path}feed/", base + article.path
    built = max((c.date for _, c in pairs), default=site.now)
    items = "".join(
        "\t<item>\n"
        f"\t\t<title>By: {_x(c.author)}</title>\n"
        f"\t\t<link>{base}{a.path}#comment-{c.id}</link>\n"
        f"\t\t<dc:creator><![CDATA[{c.author}]]></dc:creator>\n"
        f"\t\t<pubDate>{_rss_date(c.date)}</pubDate>\n"
        f'\t\t<guid isPermaLink="false">{base}/?p={a.post_id}#comment-{c.id}</guid>\n'
        f"\t\t<description><![CDATA[{c.text}]]></description>\n"
        f"\t\t<content:encoded><![CDATA[<p>{_x(c.text)}</p>\n]]></content:encoded>\n"
        "\t</item>\n"
        for a, c in pairs
    )
    return (
        _RSS_OPEN + _channel(title, self_url, link, TAGLINE, built) + items + "</channel>\n</rss>\n"
    )


# --- REST API ---------------------------------------------------------------------------------


def _post_json(site: Site, base: str, a: Article, full: bool) -> dict:
    data: dict = {
        "id": a.post_id,
        "date": a.published.strftime("%Y-%m-%dT%H:%M:%S"),
        "date_gmt": a.published.strftime("%Y-%m-%dT%H:%M:%S"),
        "guid": {"rendered": f"{base}/?p={a.post_id}"},
        "modified": a.modified.strftime("%Y-%m-%dT%H:%M:%S"),
        "modified_gmt": a.modified.strftime("%Y-%m-%dT%H:%M:%S"),
        "slug": a.slug,
        "status": "publish",
        "type": "post",
        "link": base + a.path,
        "title": {"rendered": a.title},
        "excerpt": {"rendered": f"<p>{_e(a.excerpt)} [&hellip;]</p>\n", "protected": False},
        "author": a.author.user_id,
        "categories": [a.category.term_id],
        "tags": [t.term_id for t in a.tags],
    }
    if full:
        data["content"] = {"rendered": body_html(site, base, a), "protected": False}
    return data


def render_wp_json(site: Site, base: str, route: str, query: dict[str, str]) -> str | None:
    """A few read-only REST API routes (/wp-json/...), or None for an unknown route."""
    route = route.rstrip("/")
    if route == "":
        data: object = {
            "name": SITE_NAME,
            "description": TAGLINE,
            "url": base,
            "home": base,
            "gmt_offset": "0",
            "timezone_string": "",
            "namespaces": ["oembed/1.0", "wp/v2", "yoast/v1"],
            "routes": {"/wp/v2/posts": {"namespace": "wp/v2", "methods": ["GET"]}},
        }
    elif route == "/wp/v2/posts":
        data = [_post_json(site, base, a, full=False) for a in site.listed()[:PER_PAGE]]
    elif route.startswith("/wp/v2/posts/") and route.rsplit("/", 1)[1].isdigit():
        article = site.article_by_id(int(route.rsplit("/", 1)[1]))
        if article is None:
            return None
        data = _post_json(site, base, article, full=True)
    elif route.startswith("/wp/v2/pages/") and route.rsplit("/", 1)[1].isdigit():
        page_id = int(route.rsplit("/", 1)[1])
        page = next((p for p in site.pages + site.members_pages if p.page_id == page_id), None)
        if page is None or page.members:
            return None
        data = {
            "id": page.page_id,
            "slug": page.slug,
            "link": base + page.path,
            "title": {"rendered": page.title},
        }
    elif route == "/oembed/1.0/embed":
        target = query.get("url", "")
        path = "/" + target.split("://", 1)[-1].split("/", 1)[-1] if "://" in target else ""
        article = site.article_by_slug(path.strip("/")) if path else None
        if article is None or not target.startswith(base):
            return None
        data = {
            "version": "1.0",
            "provider_name": SITE_NAME,
            "provider_url": base,
            "author_name": article.author.name,
            "author_url": f"{base}/author/{article.author.slug}/",
            "title": article.title,
            "type": "rich",
            "width": 600,
            "height": 338,
            "html": f'<blockquote class="wp-embedded-content"><a href="{base}{article.path}">'
            f"{_e(article.title)}</a></blockquote>",
        }
    else:
        return None
    return _json(data)


def wp_json_not_found() -> str:
    """The REST API's answer for an unknown route."""
    return _json(
        {
            "code": "rest_no_route",
            "message": "No route was found matching the URL and request method.",
            "data": {"status": 404},
        }
    )
