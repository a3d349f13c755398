"""The Courier's markup: a GeneratePress child theme with Jetpack, Polylang and a sort filter.

Pure functions of (site, base, ...) returning HTML. `base` is the site's address without a
trailing slash; every link is absolute, as WordPress writes them.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from html import escape
from urllib.parse import quote, urlencode

from tests.site.courier.model import (
    COMMENTS_PER_PAGE,
    PER_PAGE,
    SITE_NAME,
    TAGLINE,
    Article,
    Author,
    Block,
    Category,
    Comment,
    CourierSite,
    Event,
    Page,
    Tag,
)

WP_VERSION = "6.4.3"
GP_VERSION = "3.4.0"
JETPACK_VERSION = "13.2"
ROBOTS = "max-image-preview:large"
SORTS = ("newest", "oldest", "popular")
VIEWS = ("list", "grid")
SHARE_SERVICES = {
    "facebook": ("Facebook", "https://www.facebook.com/sharer.php?u={url}&t={title}"),
    "x": ("X", "https://x.com/intent/tweet?url={url}&text={title}"),
    "linkedin": ("LinkedIn", "https://www.linkedin.com/shareArticle?mini=true&url={url}"),
    "reddit": ("Reddit", "https://reddit.com/submit?url={url}&title={title}"),
}
NEWSLETTER_SOURCE = "newsletter-box"


def text(value: str) -> str:
    """Escape for element content."""
    return escape(value, quote=False)


def attr(value: str) -> str:
    """Escape for an attribute value."""
    return escape(value, quote=True)


def with_query(url: str, pairs: Iterable[tuple[str, str | int | None]]) -> str:
    """url with the pairs (None values skipped) added to its query string, in order."""
    kept = [(k, str(v)) for k, v in pairs if v is not None]
    if not kept:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(kept)


def long_date(moment: datetime | date) -> str:
    """ "March 5, 2024", the site's date format."""
    return f"{moment:%B} {moment.day}, {moment.year}"


def clock(moment: datetime) -> str:
    """ "6:30 pm", the site's time format."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def iso(moment: datetime) -> str:
    """ISO 8601 with the local offset, as WordPress prints it in datetime attributes."""
    return moment.isoformat()


# --- the page frame ----------------------------------------------------------------------


def layout(
    site: CourierSite,
    base: str,
    *,
    title: str,
    canonical: str,
    body_class: str,
    main: str,
    og_type: str = "website",
    og_title: str | None = None,
    og_image: str | None = None,
    head_extra: str = "",
    robots: str = ROBOTS,
    month: tuple[int, int] | None = None,
    canonical_tag: bool = True,
) -> str:
    """A whole page: head, header, primary menu, main column, sidebar and footer.

    The language switcher and hreflang links are built from the canonical URL, so every
    duplicate of a page (?lang=es, ?relatedposts_hit=1, ...) renders to the same bytes.
    """
    spanish = with_query(canonical, [("lang", "es")])
    og = [
        f'<meta property="og:type" content="{og_type}" />',
        f'<meta property="og:title" content="{attr(og_title or title)}" />',
        f'<meta property="og:url" content="{attr(canonical)}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
        '<meta property="og:locale" content="en_US" />',
        '<meta property="og:locale:alternate" content="es_ES" />',
    ]
    if og_image:
        og.append(f'<meta property="og:image" content="{attr(og_image)}" />')
    full_title = f"{text(title)} &#8211; {SITE_NAME}" if title != SITE_NAME else SITE_NAME
    head = f"""<!DOCTYPE html>
<html lang="en-US">
<head>
	<meta charset="UTF-8">
	<meta name='robots' content='{robots}' />
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="alternate" href="{attr(canonical)}" hreflang="en" />
<link rel="alternate" href="{attr(spanish)}" hreflang="es" />
	<title>{full_title}</title>
<link rel='dns-prefetch' href='//stats.wp.com' />
<link rel='dns-prefetch' href='//c0.wp.com' />
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" \
href="{base}/feed/" />
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Comments Feed" \
href="{base}/comments/feed/" />
{head_extra}<link rel='stylesheet' id='wp-block-library-css' \
href='{base}/wp-includes/css/dist/block-library/style.min.css?ver={WP_VERSION}' media='all' />
<link rel='stylesheet' id='generate-style-css' \
href='{base}/wp-content/themes/generatepress/assets/css/main.min.css?ver={GP_VERSION}' media='all' \
/>
<link rel='stylesheet' id='courier-child-css' \
href='{base}/wp-content/themes/courier-child/style.css?ver=1.8.2' media='all' />
<link rel='stylesheet' id='jetpack_css-css' \
href='{base}/wp-content/plugins/jetpack/css/jetpack.css?ver={JETPACK_VERSION}' media='all' />
<script src="{base}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
<link rel="https://api.w.org/" href="{base}/wp-json/" />
<link rel="EditURI" type="application/rsd+xml" title="RSD" href="{base}/xmlrpc.php?rsd" />
<meta name="generator" content="WordPress {WP_VERSION}" />
{f'<link rel="canonical" href="{attr(canonical)}" />' if canonical_tag else ""}
{chr(10).join(og)}
<meta name="twitter:card" content="summary_large_image" />
<meta name="twitter:site" content="@rivercourier" />
<link rel="icon" href="{base}/wp-content/uploads/2021/02/cropped-courier-icon-32x32.png" \
sizes="32x32" />
</head>
"""
    body = f"""<body class="{body_class} wp-embed-responsive right-sidebar nav-below-header \
separate-containers header-aligned-left dropdown-hover">
<a class="screen-reader-text skip-link" href="#content" title="Skip to content">Skip to content</a>
<div class="top-bar top-bar-align-right">
<div class="inside-top-bar grid-container">
<aside id="polylang-2" class="widget inner-padding widget_polylang"><ul>
	<li class="lang-item lang-item-4 lang-item-en current-lang lang-item-first"><a lang="en-US" \
hreflang="en-US" href="{attr(canonical)}" aria-current="true">English</a></li>
	<li class="lang-item lang-item-7 lang-item-es no-translation"><a lang="es-ES" hreflang="es-ES" \
href="{attr(spanish)}">Español</a></li>
</ul></aside>
</div>
</div>
{_masthead(site, base)}
<div class="site grid-container container hfeed" id="page">
<div class="site-content" id="content">
<div class="content-area" id="primary">
<main class="site-main" id="main">
{main}
</main>
</div>
<div class="widget-area sidebar is-right-sidebar" id="right-sidebar">
<div class="inside-right-sidebar">
{sidebar(site, base, month)}
</div>
</div>
</div>
</div>
{_footer(site, base)}
</body>
</html>
"""
    return head + body


def _masthead(site: CourierSite, base: str) -> str:
    key = ("masthead", base)
    if key not in site.cache:
        items = [
            f'<li id="menu-item-{c.term_id + 40}" class="menu-item menu-item-type-taxonomy '
            f'menu-item-object-category menu-item-{c.term_id + 40}"><a href="{base}{c.path}">'
            f"{text(c.name)}</a></li>"
            for c in site.categories
        ]
        items.append(
            f'<li id="menu-item-61" class="menu-item menu-item-type-custom menu-item-object-custom '
            f'menu-item-61"><a href="{base}/events/">Events</a></li>'
        )
        site.cache[key] = f"""<header class="site-header" id="masthead" aria-label="Site">
<div class="inside-header grid-container">
<div class="site-branding">
<p class="main-title"><a href="{base}/" rel="home">{SITE_NAME}</a></p>
<p class="site-description">{TAGLINE}</p>
</div>
</div>
</header>
<nav class="main-navigation sub-menu-right" id="site-navigation" aria-label="Primary">
<div class="inside-navigation grid-container">
<form method="get" class="search-form navigation-search" action="{base}/"><input type="search" \
class="search-field" value="" name="s" title="Search" /></form>
<button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false"><span \
class="mobile-menu">Menu</span></button>
<div id="primary-menu" class="main-nav"><ul id="menu-primary" class="menu sf-menu">
<li id="menu-item-40" class="menu-item menu-item-type-custom menu-item-object-custom \
menu-item-home menu-item-40"><a href="{base}/">Home</a></li>
{chr(10).join(items)}
</ul></div>
</div>
</nav>"""
    return site.cache[key]


def _footer(site: CourierSite, base: str) -> str:
    key = ("footer", base)
    if key not in site.cache:
        pages = " ".join(
            f'<li class="menu-item"><a href="{base}{p.path}">{text(p.title)}</a></li>'
            for p in site.pages
        )
        site.cache[key] = f"""<div class="site-footer">
<div id="footer-widgets" class="site footer-widgets"><div class="footer-widgets-container \
grid-container"><div class="inside-footer-widgets">
<div class="footer-widget-1"><aside id="nav_menu-3" class="widget inner-padding widget_nav_menu">\
<h2 class="widget-title">The Courier</h2><div class="menu-footer-container"><ul id="menu-footer" \
class="menu">{pages}</ul></div></aside></div>
<div class="footer-widget-2"><aside id="block-9" class="widget inner-padding widget_block"><ul \
class="wp-block-social-links">
<li class="wp-social-link wp-social-link-facebook wp-block-social-link"><a \
href="https://www.facebook.com/riversidecourier" class="wp-block-social-link-anchor"><span \
class="wp-block-social-link-label screen-reader-text">Facebook</span></a></li>
<li class="wp-social-link wp-social-link-x wp-block-social-link"><a \
href="https://x.com/rivercourier" class="wp-block-social-link-anchor"><span \
class="wp-block-social-link-label screen-reader-text">X</span></a></li>
<li class="wp-social-link wp-social-link-instagram wp-block-social-link"><a \
href="https://www.instagram.com/riversidecourier/" class="wp-block-social-link-anchor"><span \
class="wp-block-social-link-label screen-reader-text">Instagram</span></a></li>
<li class="wp-social-link wp-social-link-feed wp-block-social-link"><a href="{base}/feed/" \
class="wp-block-social-link-anchor"><span class="wp-block-social-link-label screen-reader-text">\
RSS Feed</span></a></li>
</ul></aside></div>
</div></div></div>
<footer class="site-info" aria-label="Site">
<div class="inside-site-info grid-container"><div class="copyright-bar">&copy; 2024 {SITE_NAME} \
&bull; Built with <a href="https://generatepress.com" itemprop="url">GeneratePress</a></div></div>
</footer>
</div>
<script id="generate-a11y">!function(){{"use strict";if("querySelector"in \
document&&"addEventListener"in window){{var \
e=document.body;e.addEventListener("mousedown",function(){{e.classList.add("using-mouse")}})}}}}();\
</script>
<script src="{base}/wp-content/themes/generatepress/assets/js/menu.min.js?ver={GP_VERSION}" \
id="generate-menu-js"></script>
<script src="{base}/wp-content/plugins/the-events-calendar/common/src/resources/js/tribe-common.min\
.js?ver=5.2.3" id="tribe-common-js"></script>
<script defer src="https://stats.wp.com/e-202411.js" id="jetpack-stats-js"></script>"""
    return site.cache[key]


# --- sidebar -----------------------------------------------------------------------------


def sidebar(site: CourierSite, base: str, month: tuple[int, int] | None = None) -> str:
    """The right sidebar; the calendar widget shows month (default: the newest month)."""
    key = ("sidebar", base, month)
    if key not in site.cache:
        listed = site.listed()
        if month is None and listed:
            month = (listed[0].published.year, listed[0].published.month)
        site.cache[key] = "\n".join(
            [
                f"""<aside id="search-2" class="widget inner-padding widget_search"><form \
method="get" class="search-form" action="{base}/">
<label><span class="screen-reader-text">Search for:</span><input type="search" \
class="search-field" placeholder="Search &hellip;" value="" name="s" title="Search for:"></label>
<button class="search-submit" aria-label="Search">Search</button></form></aside>""",
                _most_read(site, base),
                _upcoming_events(site, base),
                _trending(site, base),
                _recent_posts(site, base),
                _calendar_widget(site, base, month) if month else "",
                _archives_widget(site, base),
            ]
        )
    return site.cache[key]


def most_read(site: CourierSite) -> list[Article]:
    """The "Most read" box: the five listed stories of the last two weeks with most views."""
    recent = [a for a in site.listed() if (site.now - a.published).days < 14] or site.listed()
    return sorted(recent, key=lambda a: (-a.views, a.post_id))[:5]


def _most_read(site: CourierSite, base: str) -> str:
    items = "\n".join(
        f'<li><a href="{attr(with_query(base + a.path, [("src", NEWSLETTER_SOURCE)]))}">'
        f"{text(a.title)}</a></li>"
        for a in most_read(site)
    )
    return f"""<aside id="custom_html-3" class="widget_text widget inner-padding \
widget_custom_html"><h2 class="widget-title">Most read this week</h2><div class="textwidget \
custom-html-widget"><div class="courier-newsletter-box">
<ol class="most-read">
{items}
</ol>
<p class="newsletter-pitch">Get these in your inbox every morning.</p>
<form action="https://riversidecourier.us21.list-manage.com/subscribe/post?u=7f3c2a&amp;id=91be04" \
method="post" class="mc4wp-form" target="_blank"><input type="email" name="EMAIL" \
placeholder="Your email address" required /><input type="submit" value="Sign up" /></form>
</div></div></aside>"""


def upcoming_events(site: CourierSite, count: int = 3) -> list[Event]:
    """The next events after "now", for the sidebar widget."""
    return [e for e in site.events if e.start >= site.now][:count]


def _upcoming_events(site: CourierSite, base: str) -> str:
    items = "\n".join(
        f"""<div class="tribe-common-g-row tribe-events-widget-events-list__event-row">
<div class="tribe-events-widget-events-list__event-date-tag tribe-common-g-col"><time \
class="tribe-events-widget-events-list__event-date-tag-datetime" datetime="{e.start:%Y-%m-%d}">\
<span class="tribe-events-widget-events-list__event-date-tag-month">{e.start:%b}</span> <span \
class="tribe-events-widget-events-list__event-date-tag-daynum tribe-common-h2 \
tribe-common-h4--min-medium">{e.start.day}</span></time></div>
<div class="tribe-events-widget-events-list__event-wrapper tribe-common-g-col"><article \
class="tribe-events-widget-events-list__event post-{e.post_id} tribe_events type-tribe_events \
status-publish hentry"><header class="tribe-events-widget-events-list__event-header"><div \
class="tribe-events-widget-events-list__event-datetime-wrapper tribe-common-b2 \
tribe-common-b3--min-medium"><time class="tribe-events-widget-events-list__event-datetime" \
datetime="{e.start:%Y-%m-%d}"><span class="tribe-event-date-start">{clock(e.start)}</span> - <span \
class="tribe-event-time">{clock(e.end)}</span></time></div>
<h3 class="tribe-events-widget-events-list__event-title tribe-common-h7"><a href="{base}{e.path}" \
title="{attr(e.title)}" rel="bookmark" class="tribe-events-widget-events-list__event-title-link \
tribe-common-anchor-thin">{text(e.title)}</a></h3></header></article></div>
</div>"""
        for e in upcoming_events(site)
    )
    if not items:
        items = (
            '<p class="tribe-events-widget-events-list__event-row--empty">There are no '
            "upcoming events.</p>"
        )
    return f"""<aside id="tribe-widget-events-list-2" class="widget inner-padding \
tribe-events-list-widget"><div class="tribe-common tribe-events tribe-events-widget \
tribe-events-widget-events-list">
<header class="tribe-events-widget-events-list__header"><h2 \
class="tribe-events-widget-events-list__header-title tribe-common-h6 tribe-common-h--alt">Upcoming \
Events</h2></header>
<div class="tribe-events-widget-events-list__events">
{items}
</div>
<div class="tribe-events-widget-events-list__view-more tribe-common-b1 \
tribe-common-b2--min-medium"><a href="{base}/events/" \
class="tribe-events-widget-events-list__view-more-link tribe-common-anchor-thin" title="View more \
events.">View Calendar</a></div>
</div></aside>"""


def _trending(site: CourierSite, base: str) -> str:
    links = "\n".join(
        f'<li><a href="{base}/?s={quote(term)}" rel="nofollow">{text(term)}</a></li>'
        for term in site.trending
    )
    return f"""<aside id="block-12" class="widget inner-padding widget_block"><div \
class="wp-block-group courier-trending"><h2 class="wp-block-heading">Trending</h2>
<ul class="trending-searches">
{links}
</ul></div></aside>"""


def _recent_posts(site: CourierSite, base: str) -> str:
    items = "\n".join(
        f'<li>\n<a href="{base}{a.path}">{text(a.title)}</a>\n</li>' for a in site.listed()[:5]
    )
    return f"""<aside id="recent-posts-2" class="widget inner-padding widget_recent_entries">
<h2 class="widget-title">Recent Posts</h2>
<ul>
{items}
</ul>
</aside>"""


def months_with_posts(site: CourierSite) -> list[tuple[int, int]]:
    """Months that have listed posts, newest first."""
    months: list[tuple[int, int]] = []
    for article in site.listed():
        key = (article.published.year, article.published.month)
        if not months or months[-1] != key:
            months.append(key)
    return months


def days_with_posts(site: CourierSite) -> set[date]:
    """Days that have listed posts (what the calendar widget links)."""
    key = "days"
    if key not in site.cache:
        site.cache[key] = {a.published.date() for a in site.listed()}
    return site.cache[key]


def _archives_widget(site: CourierSite, base: str) -> str:
    items = "\n".join(
        f"\t<li><a href='{base}/{y:04d}/{m:02d}/'>{calendar.month_name[m]} {y}</a></li>"
        for y, m in months_with_posts(site)
    )
    return f"""<aside id="archives-2" class="widget inner-padding widget_archive">
<h2 class="widget-title">Archives</h2>
<ul>
{items}
</ul>
</aside>"""


def _calendar_widget(site: CourierSite, base: str, month: tuple[int, int]) -> str:
    """WordPress's get_calendar(): the month's days with links to days that have posts."""
    year, number = month
    days = days_with_posts(site)
    rows = []
    week: list[str] = []
    first_weekday, length = calendar.monthrange(year, number)  # Monday is 0: start_of_week 1
    if first_weekday:
        week.append(f'<td colspan="{first_weekday}" class="pad">&nbsp;</td>')
    for day in range(1, length + 1):
        when = date(year, number, day)
        if when in days:
            label = f"Posts published on {long_date(when)}"
            cell = (
                f'<a href="{base}/{year:04d}/{number:02d}/{day:02d}/" aria-label="{label}">'
                f"{day}</a>"
            )
        else:
            cell = str(day)
        week.append(f"<td>{cell}</td>")
        if when.weekday() == 6:
            rows.append("<tr>" + "".join(week) + "</tr>")
            week = []
    if week:
        pad = 7 - date(year, number, length).weekday() - 1
        week.append(f'<td class="pad" colspan="{pad}">&nbsp;</td>')
        rows.append("<tr>" + "".join(week) + "</tr>")
    months = months_with_posts(site)
    earlier = [m for m in months if m < month]
    later = [m for m in months if m > month]
    prev = (
        '<span class="wp-calendar-nav-prev"><a '
        f'href="{base}/{earlier[0][0]:04d}/{earlier[0][1]:02d}/">'
        f"&laquo; {calendar.month_abbr[earlier[0][1]]}</a></span>"
        if earlier
        else '<span class="wp-calendar-nav-prev">&nbsp;</span>'
    )
    nxt = (
        '<span class="wp-calendar-nav-next"><a '
        f'href="{base}/{later[-1][0]:04d}/{later[-1][1]:02d}/">'
        f"{calendar.month_abbr[later[-1][1]]} &raquo;</a></span>"
        if later
        else '<span class="wp-calendar-nav-next">&nbsp;</span>'
    )
    head = "".join(
        f'<th scope="col" title="{name}" aria-label="{name}">{name[0]}</th>'
        for name in calendar.day_name
    )
    return f"""<aside id="calendar-2" class="widget inner-padding widget_calendar"><div \
id="calendar_wrap" class="calendar_wrap"><table id="wp-calendar" class="wp-calendar-table">
	<caption>{calendar.month_name[number]} {year}</caption>
	<thead>
	<tr>{head}</tr>
	</thead>
	<tbody>
	{"".join(rows)}
	</tbody>
	</table><nav aria-label="Previous and next months" class="wp-calendar-nav">
		{prev}
		<span class="pad">&nbsp;</span>
		{nxt}
	</nav></div></aside>"""


# --- single posts ------------------------------------------------------------------------


def image_url(base: str, article: Article, suffix: str = "") -> str:
    """The featured image's upload URL."""
    return f"{base}/wp-content/uploads/{article.published:%Y/%m}/{article.slug[:40]}{suffix}.jpg"


def byline(base: str, article: Article) -> str:
    """GeneratePress's entry meta: the date and the author link."""
    author = article.author
    return (
        '<span class="posted-on"><time class="entry-date published" '
        f'datetime="{iso(article.published)}">'
        f"{long_date(article.published)}</time></span> "
        f'<span class="byline">by <span class="author vcard"><a class="url fn n" '
        f'href="{base}{author.path}" title="View all posts by {attr(author.name)}" rel="author">'
        f'<span class="author-name">{text(author.name)}</span></a></span></span>'
    )


def render_blocks(site: CourierSite, base: str, article: Article) -> str:
    """The post content as the block editor saved it."""
    out = []
    figure = 0
    for block in article.blocks:
        out.append(_block(site, base, article, block, figure))
        figure += block.kind == "figure"
    return "\n\n".join(out)


def _block(site: CourierSite, base: str, article: Article, block: Block, figure: int) -> str:
    kind = block.kind
    if kind == "p":
        return f"<p>{text(block.text)}</p>"
    if kind in ("h2", "h3"):
        return f'<{kind} class="wp-block-heading">{text(block.text)}</{kind}>'
    if kind == "blockquote":
        return f'<blockquote class="wp-block-quote">\n<p>{text(block.text)}</p>\n</blockquote>'
    if kind == "ul":
        return "<ul>\n" + "\n".join(f"<li>{text(item)}</li>" for item in block.items) + "\n</ul>"
    if kind == "figure":
        attachment = article.post_id + 1 + figure
        src = image_url(base, article, f"-{figure + 2}-1024x683")
        return (
            f'<figure class="wp-block-image size-large"><img decoding="async" width="1024" '
            f'height="683" src="{src}" alt="" class="wp-image-{attachment}" />'
            f'<figcaption class="wp-element-caption">{text(block.text)}</figcaption></figure>'
        )
    if kind == "readmore":
        target = site.article_by_id(block.target)
        assert target is not None  # build_courier only links posts it made
        return (
            f'<p><strong>Read more:</strong> <a href="{base}{target.path}">'
            f"{text(target.title)}</a></p>"
        )
    raise ValueError(f"unknown block kind {kind!r}")


def _share_bar(base: str, article: Article) -> str:
    """Jetpack Sharing: on-site ?share=<service>&nb=1 links that redirect to the network."""
    url = base + article.path
    items = [
        f'<li class="share-{name}"><a rel="nofollow noopener noreferrer" '
        f'data-shared="sharing-{name}-{article.post_id}" class="share-{name} sd-button share-icon" '
        f'href="{attr(with_query(url, [("share", name), ("nb", 1)]))}" target="_blank" '
        f'title="Click to share on {label}"><span>{label}</span></a></li>'
        for name, (label, _) in SHARE_SERVICES.items()
    ]
    mail = f"mailto:?subject={quote(article.title)}&body={quote(url)}"
    items.append(
        f'<li class="share-email"><a rel="nofollow noopener noreferrer" class="share-email '
        f'sd-button share-icon" href="{attr(mail)}" target="_blank" title="Click to email a link '
        f'to a friend"><span>Email</span></a></li>'
    )
    items.append(
        f'<li class="share-print"><a rel="nofollow noopener noreferrer" class="share-print '
        f'sd-button share-icon" href="{url}#print" target="_blank" title="Click to print">'
        f"<span>Print</span></a></li>"
    )
    return (
        '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block '
        'sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3>'
        '<div class="sd-content"><ul>' + "".join(items) + "</ul></div></div></div>"
    )


def related_url(base: str, target: Article, origin: Article, position: int) -> str:
    """A Jetpack Related Posts link: the target's permalink with the click-tracking query."""
    return with_query(
        base + target.path,
        [
            ("relatedposts_hit", 1),
            ("relatedposts_origin", origin.post_id),
            ("relatedposts_position", position),
        ],
    )


def _related_block(site: CourierSite, base: str, article: Article) -> str:
    items = []
    for position, post_id in enumerate(article.related):
        target = site.article_by_id(post_id)
        if target is None:
            continue
        uid = f"{article.post_id}-{target.post_id}"
        items.append(
            f"""<li class="jp-related-posts-i2__post" id="related-posts-item-{uid}"><a \
id="related-posts-item-{uid}-label" href="{attr(related_url(base, target, article, position))}" \
class="jp-related-posts-i2__post-link" data-origin="{article.post_id}" data-position="{position}">\
{text(target.title)}</a><dl class="jp-related-posts-i2__post-defs"><dt>Date</dt><dd \
class="jp-related-posts-i2__post-date">{long_date(target.published)}</dd><dt>In</dt><dd \
class="jp-related-posts-i2__post-context">In &quot;{text(target.category.name)}&quot;</dd></dl>\
</li>"""
        )
    return (
        '<nav class="jp-relatedposts-i2 wp-block-jetpack-related-posts" data-layout="grid" '
        'aria-label="Related Posts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3>'
        f'<ul class="jp-related-posts-i2__list" role="list" data-post-count="{len(items)}">'
        + "".join(items)
        + "</ul></nav>"
    )


def _author_box(base: str, author: Author) -> str:
    avatar = hashlib.md5(author.slug.encode()).hexdigest()  # Gravatar's own scheme
    return f"""<div class="saboxplugin-wrap"><div class="saboxplugin-tab"><div \
class="saboxplugin-gravatar"><img \
src="https://secure.gravatar.com/avatar/{avatar}?s=100&#038;d=mm&#038;r=g" width="100" \
height="100" alt="{attr(author.name)}" class="avatar avatar-100 photo" /></div><div \
class="saboxplugin-authorname"><a href="{base}{author.path}" class="vcard author" rel="author">\
<span class="fn">{text(author.name)}</span></a></div><div class="saboxplugin-desc"><div><p>\
{text(author.bio)}</p></div></div><div class="clearfix"></div></div></div>"""


def adjacent(site: CourierSite, article: Article) -> tuple[Article | None, Article | None]:
    """The previous (older) and next (newer) listed posts, for post navigation."""
    listed = site.listed()
    key = "adjacent"
    if key not in site.cache:
        site.cache[key] = {a.post_id: i for i, a in enumerate(listed)}
    order: dict[int, int] = site.cache[key]
    if article.post_id in order:
        at = order[article.post_id]
        older = listed[at + 1] if at + 1 < len(listed) else None
        newer = listed[at - 1] if at > 0 else None
        return older, newer
    older = next((a for a in listed if a.published < article.published), None)
    newer = next((a for a in reversed(listed) if a.published > article.published), None)
    return older, newer


def _post_navigation(base: str, older: Article | None, newer: Article | None) -> str:
    prev = (
        f'<div class="nav-previous"><span class="prev"><a href="{base}{older.path}" rel="prev">'
        f"{text(older.title)}</a></span></div>"
        if older
        else ""
    )
    nxt = (
        f'<div class="nav-next"><span class="next"><a href="{base}{newer.path}" rel="next">'
        f"{text(newer.title)}</a></span></div>"
        if newer
        else ""
    )
    return f'<nav id="nav-below" class="post-navigation" aria-label="Posts">{prev}{nxt}</nav>'


def comment_link(base: str, article: Article, comment: Comment) -> str:
    """A comment's own URL: on its comment page, with the #comment-N fragment."""
    page = comment_page_of(article, comment)
    prefix = base + article.path + (f"comment-page-{page}/" if page > 1 else "")
    return f"{prefix}#comment-{comment.comment_id}"


def comment_page_of(article: Article, comment: Comment) -> int:
    """The comment page a comment is shown on (replies go with their parent)."""
    top = comment.parent or comment.comment_id
    ids = [c.comment_id for c in article.top_level_comments]
    return ids.index(top) // COMMENTS_PER_PAGE + 1


def _comments(base: str, article: Article, page: int) -> str:
    url = base + article.path
    tops = article.top_level_comments[(page - 1) * COMMENTS_PER_PAGE : page * COMMENTS_PER_PAGE]
    replies: dict[int, list[Comment]] = {}
    for comment in article.comments:
        if comment.parent:
            replies.setdefault(comment.parent, []).append(comment)
    items = []
    for number, comment in enumerate(tops):
        parity = "even" if number % 2 == 0 else "odd"
        children = replies.get(comment.comment_id, [])
        inner = "".join(
            f'<li id="comment-{r.comment_id}" class="comment {parity} depth-2">'
            f"{_comment_body(base, article, r)}</li>"
            for r in children
        )
        extra = " parent" if children else ""
        nested = f'<ol class="children">{inner}</ol>' if children else ""
        items.append(
            f'<li id="comment-{comment.comment_id}" class="comment {parity} thread-{parity} '
            f'depth-1{extra}">{_comment_body(base, article, comment)}{nested}</li>'
        )
    count = len(article.comments)
    listing = ""
    if count:
        label = "One thought" if count == 1 else f"{count} thoughts"
        nav = _comment_navigation(url, page, article.comment_pages)
        listing = (
            f'<h3 class="comments-title">{label} on &ldquo;{text(article.title)}&rdquo;</h3>\n'
            f"{nav}"
            f'<ol class="comment-list">\n' + "\n".join(items) + f"\n</ol>\n{nav}"
        )
    return f"""<div class="comments-area">
<div id="comments">
{listing}
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">Leave a Comment <small><a rel="nofollow" \
id="cancel-comment-reply-link" href="{url}#respond" style="display:none;">Cancel reply</a></small>\
</h3><form action="{base}/wp-comments-post.php" method="post" id="commentform" \
class="comment-form" novalidate><p class="comment-form-comment"><label for="comment" \
class="screen-reader-text">Comment</label><textarea id="comment" name="comment" cols="45" rows="8" \
required></textarea></p><label for="author" class="screen-reader-text">Name</label><input \
placeholder="Name *" id="author" name="author" type="text" value="" size="30" required />
<label for="email" class="screen-reader-text">Email</label><input placeholder="Email *" id="email" \
name="email" type="email" value="" size="30" required />
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" \
name="wp-comment-cookies-consent" type="checkbox" value="yes" /> <label \
for="wp-comment-cookies-consent">Save my name and email in this browser for the next time I \
comment.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post \
Comment" /> <input type='hidden' name='comment_post_ID' value='{article.post_id}' \
id='comment_post_ID' />
<input type='hidden' name='comment_parent' id='comment_parent' value='0' />
</p></form></div>
</div>
</div>"""


def _comment_body(base: str, article: Article, comment: Comment) -> str:
    avatar = hashlib.md5(comment.author.encode()).hexdigest()  # Gravatar's scheme
    reply = with_query(base + article.path, [("replytocom", comment.comment_id)]) + "#respond"
    when = f"{long_date(comment.when)} at {clock(comment.when)}"
    return (
        f'<article class="comment-body" id="div-comment-{comment.comment_id}">'
        f'<footer class="comment-meta" aria-label="Comment meta">'
        f"<img alt='' src='https://secure.gravatar.com/avatar/{avatar}?s=50&#038;d=mm&#038;r=g' "
        f"class='avatar avatar-50 photo' height='50' width='50' loading='lazy' decoding='async'/>"
        f'<div class="comment-author-info"><div class="comment-author vcard">'
        f'<cite class="fn">{text(comment.author)}</cite></div>'
        '<div class="entry-meta comment-metadata"><a '
        f'href="{comment_link(base, article, comment)}">'
        f'<time datetime="{iso(comment.when)}">{when}</time></a></div></div>'
        f"<span class=\"reply\"><a rel='nofollow' class='comment-reply-link' href='{attr(reply)}' "
        f'data-commentid="{comment.comment_id}" data-postid="{article.post_id}" '
        f'data-belowelement="div-comment-{comment.comment_id}" data-respondelement="respond" '
        f"aria-label='Reply to {attr(comment.author)}'>Reply</a></span></footer>"
        f'<div class="comment-content"><p>{text(comment.text)}</p></div></article>'
    )


def _comment_navigation(url: str, page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    older = (
        f'<div class="nav-previous"><a href="{url}comment-page-{page - 1}/#comments">'
        f"&larr; Older Comments</a></div>"
        if page > 1
        else ""
    )
    newer = (
        f'<div class="nav-next"><a href="{url}comment-page-{page + 1}/#comments">'
        f"Newer Comments &rarr;</a></div>"
        if page < pages
        else ""
    )
    return (
        f'<nav class="comment-navigation" aria-label="Comments">'
        f'<h2 class="screen-reader-text">Comment navigation</h2>{older}{newer}</nav>\n'
    )


def render_article(site: CourierSite, base: str, article: Article, comment_page: int = 1) -> str:
    """A single post; comment_page picks which page of its comments it shows."""
    url = base + article.path
    classes = " ".join(
        [
            f"post-{article.post_id} post type-post status-publish format-standard",
            "has-post-thumbnail hentry",
            f"category-{article.category.slug}",
            *(f"tag-{t.slug}" for t in article.tags),
        ]
    )
    tags = ", ".join(f'<a href="{base}{t.path}" rel="tag">{text(t.name)}</a>' for t in article.tags)
    older, newer = adjacent(site, article)
    main = f"""<article id="post-{article.post_id}" class="{classes}">
<div class="inside-article">
<div class="featured-image page-header-image-single grid-container grid-parent">
<img width="1200" height="800" src="{image_url(base, article)}" class="attachment-full size-full \
wp-post-image" alt="" decoding="async" fetchpriority="high" />
</div>
<header class="entry-header" aria-label="Content">
<h1 class="entry-title">{text(article.title)}</h1>
<div class="entry-meta">
{byline(base, article)}
</div>
</header>
<div class="entry-content">
{render_blocks(site, base, article)}
{_share_bar(base, article)}
</div>
<footer class="entry-meta" aria-label="Entry meta">
<span class="cat-links"><span class="screen-reader-text">Categories </span><a \
href="{base}{article.category.path}" rel="category tag">{text(article.category.name)}</a></span> \
<span class="tags-links"><span class="screen-reader-text">Tags </span>{tags}</span>
</footer>
</div>
</article>
{_author_box(base, article.author)}
{_post_navigation(base, older, newer)}
{_related_block(site, base, article)}
{_comments(base, article, comment_page)}"""
    head_extra = (
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; '
        f'{attr(article.title)} Comments Feed" href="{url}feed/" />\n'
        f'<link rel="alternate" type="application/json" title="JSON" '
        f'href="{base}/wp-json/wp/v2/posts/{article.post_id}" />\n'
        f"<link rel='shortlink' href='{base}/?p={article.post_id}' />\n"
        f'<link rel="alternate" type="application/json+oembed" '
        f'href="{base}/wp-json/oembed/1.0/embed?url={quote(url, safe="")}" />\n'
        f'<link rel="alternate" type="text/xml+oembed" '
        f'href="{base}/wp-json/oembed/1.0/embed?url={quote(url, safe="")}&#038;format=xml" />\n'
    )
    body_class = (
        f"post-template-default single single-post postid-{article.post_id} single-format-standard"
    )
    return layout(
        site,
        base,
        title=article.title,
        canonical=url,
        body_class=body_class,
        main=main,
        og_type="article",
        og_image=image_url(base, article),
        head_extra=head_extra,
        month=(article.published.year, article.published.month),
    )


# --- listings ----------------------------------------------------------------------------


def sort_posts(posts: Sequence[Article], sort: str | None) -> list[Article]:
    """The sort filter: newest (the default order), oldest, or popular (most views)."""
    if sort == "oldest":
        return list(reversed(posts))
    if sort == "popular":
        return sorted(posts, key=lambda a: (-a.views, -a.post_id))
    return list(posts)


def page_count(posts: Sequence[object]) -> int:
    """How many listing pages posts fill (at least one)."""
    return max(1, -(-len(posts) // PER_PAGE))


def _card(base: str, article: Article) -> str:
    url = base + article.path
    comments = len(article.comments)
    if comments:
        label = "1 Comment" if comments == 1 else f"{comments} Comments"
        talk = f'<a href="{url}#comments">{label}</a>'
    else:
        talk = f'<a href="{url}#respond">Leave a comment</a>'
    return f"""<article id="post-{article.post_id}" class="post-{article.post_id} post type-post \
status-publish format-standard has-post-thumbnail hentry category-{article.category.slug}">
<div class="inside-article">
<div class="post-image"><a href="{url}"><img width="300" height="200" \
src="{image_url(base, article, "-300x200")}" class="attachment-medium size-medium wp-post-image" \
alt="" decoding="async" loading="lazy" /></a></div>
<header class="entry-header" aria-label="Content">
<h2 class="entry-title"><a href="{url}" rel="bookmark">{text(article.title)}</a></h2>
<div class="entry-meta">
{byline(base, article)}
</div>
</header>
<div class="entry-summary">
<p>{text(article.excerpt)} &hellip; <a title="{attr(article.title)}" class="read-more" \
href="{url}" aria-label="Read more about {attr(article.title)}">Read more</a></p>
</div>
<footer class="entry-meta" aria-label="Entry meta">
<span class="cat-links"><span class="screen-reader-text">Categories </span><a \
href="{base}{article.category.path}" rel="category tag">{text(article.category.name)}</a></span> \
<span class="comments-link">{talk}</span>
</footer>
</div>
</article>"""


def _pagination(url: Callable[[int], str], page: int, pages: int) -> str:
    """ "Older posts"/"Newer posts" and paginate_links() (end_size 1, mid_size 2)."""
    if pages <= 1:
        return ""
    older = (
        '<div class="nav-previous"><span class="prev" title="Previous"><a '
        f'href="{attr(url(page + 1))}">'
        f"Older posts</a></span></div>"
        if page < pages
        else ""
    )
    newer = (
        f'<div class="nav-next"><span class="next" title="Next"><a href="{attr(url(page - 1))}">'
        f"Newer posts</a></span></div>"
        if page > 1
        else ""
    )
    numbers = []
    if page > 1:
        numbers.append(
            f'<a class="prev page-numbers" href="{attr(url(page - 1))}">'
            f'<span aria-hidden="true">&larr;</span> Previous</a>'
        )
    dots = False
    for n in range(1, pages + 1):
        if n == page:
            numbers.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
            dots = True
        elif n <= 1 or n > pages - 1 or abs(n - page) <= 2:
            numbers.append(f'<a class="page-numbers" href="{attr(url(n))}">{n}</a>')
            dots = True
        elif dots:
            numbers.append('<span class="page-numbers dots">&hellip;</span>')
            dots = False
    if page < pages:
        numbers.append(
            f'<a class="next page-numbers" href="{attr(url(page + 1))}">'
            f'Next <span aria-hidden="true">&rarr;</span></a>'
        )
    return (
        f'<nav id="nav-below" class="paging-navigation" aria-label="Archive Page">'
        f'{older}{newer}<div class="nav-links">{"".join(numbers)}</div></nav>'
    )


def _filter_bar(path_url: str, page: int, sort: str | None, view: str | None) -> str:
    """The sort/view filter on category and tag archives (a theme add-on)."""
    sorts = []
    for name, label in zip(SORTS, ("Newest", "Oldest", "Most popular"), strict=True):
        current = ' class="current" aria-current="true"' if (sort or "newest") == name else ""
        href = with_query(path_url, [("sort", name), ("view", view)])
        sorts.append(f'<a href="{attr(href)}"{current}>{label}</a>')
    views = []
    for name, label in zip(VIEWS, ("List", "Grid"), strict=True):
        current = ' class="current" aria-current="true"' if (view or "list") == name else ""
        paged = page if page > 1 else None
        href = with_query(path_url, [("paged", paged), ("sort", sort), ("view", name)])
        views.append(f'<a href="{attr(href)}"{current}>{label}</a>')
    return (
        '<div class="archive-filter" role="navigation" aria-label="Sort and view">'
        '<span class="archive-filter__label">Sort by:</span> '
        + " ".join(sorts)
        + ' <span class="archive-filter__label">View:</span> '
        + " ".join(views)
        + "</div>"
    )


def render_listing(
    site: CourierSite,
    base: str,
    *,
    path: str,
    posts: Sequence[Article],
    page: int,
    title: str,
    header: str,
    body_class: str,
    lead: Sequence[tuple[str, str | int | None]] = (),
    sort: str | None = None,
    view: str | None = None,
    filters: bool = False,
    month: tuple[int, int] | None = None,
    robots: str = ROBOTS,
    empty: str = "It seems we can’t find what you’re looking for.",
) -> str | None:
    """One page of a post listing, or None past its last page (WordPress answers 404).

    lead: query pairs every URL of the listing starts with (the search's ?s=term).
    sort and view (category and tag archives only) are kept in the pagination links.
    """
    pages = page_count(posts)
    if page > pages:
        return None
    path_url = base + path

    def link(n: int) -> str:
        """The URL of page n of this listing, keeping sort and view."""
        return with_query(
            path_url, [*lead, ("paged", n if n > 1 else None), ("sort", sort), ("view", view)]
        )

    shown = sort_posts(posts, sort)[(page - 1) * PER_PAGE : page * PER_PAGE]
    cards = "\n".join(_card(base, a) for a in shown)
    if not cards:
        cards = (
            '<div class="no-results not-found"><div class="inside-article"><header '
            'class="entry-header">'
            '<h1 class="entry-title">Nothing Found</h1></header><div class="entry-content"><p>'
            f"{empty}</p>"
            "</div></div></div>"
        )
    columns = "generate-columns-container masonry-container" if view == "grid" else "post-list"
    tools = _filter_bar(with_query(path_url, list(lead)), page, sort, view) if filters else ""
    canonical = with_query(path_url, [*lead, ("paged", page if page > 1 else None)])
    if page > 1:
        body_class += f" paged paged-{page}"
        kind = body_class.split()[1] if body_class.startswith("archive ") else ""
        if kind:
            body_class += f" {kind}-paged-{page}"
    main = f"""{header}
{tools}
<div class="{columns}">
{cards}
</div>
{_pagination(link, page, pages)}"""
    return layout(
        site,
        base,
        title=title if page == 1 else f"{title} – Page {page} of {pages}",
        canonical=canonical,
        body_class=body_class,
        main=main,
        month=month,
        robots=robots,
    )


def _archive_header(title: str, description: str = "") -> str:
    desc = (
        f'<div class="taxonomy-description"><p>{text(description)}</p></div>' if description else ""
    )
    return (
        f'<header class="page-header" aria-label="Page"><h1 class="page-title">{title}</h1>'
        f"{desc}</header>"
    )


def render_home(site: CourierSite, base: str, page: int = 1) -> str | None:
    """The front page: every listed post, newest first, ?paged=N."""
    return render_listing(
        site,
        base,
        path="/",
        posts=site.listed(),
        page=page,
        title=SITE_NAME,
        header='<h1 class="screen-reader-text">The Riverside Courier: latest news</h1>',
        body_class="home blog",
    )


def render_category(
    site: CourierSite,
    base: str,
    category: Category,
    page: int = 1,
    sort: str | None = None,
    view: str | None = None,
) -> str | None:
    """A category archive under /topics/, with the sort/view filter."""
    return render_listing(
        site,
        base,
        path=category.path,
        posts=site.in_category(category),
        page=page,
        title=category.name,
        header=_archive_header(text(category.name), category.description),
        body_class=f"archive category category-{category.slug} category-{category.term_id}",
        sort=sort,
        view=view,
        filters=True,
    )


def tag_posts(site: CourierSite, tag: Tag) -> list[Article]:
    """The listed posts with this tag."""
    return [a for a in site.listed() if tag in a.tags]


def render_tag(
    site: CourierSite,
    base: str,
    tag: Tag,
    page: int = 1,
    sort: str | None = None,
    view: str | None = None,
) -> str | None:
    """A tag archive, with the sort/view filter."""
    return render_listing(
        site,
        base,
        path=tag.path,
        posts=tag_posts(site, tag),
        page=page,
        title=tag.name,
        header=_archive_header(f"Tag: <span>{text(tag.name)}</span>"),
        body_class=f"archive tag tag-{tag.slug} tag-{tag.term_id}",
        sort=sort,
        view=view,
        filters=True,
    )


def render_author(site: CourierSite, base: str, author: Author, page: int = 1) -> str | None:
    """An author archive with the author's bio."""
    posts = [a for a in site.listed() if a.author is author]
    header = (
        f'<header class="page-header" aria-label="Page"><h1 class="page-title">'
        f'<span class="vcard">{text(author.name)}</span></h1>'
        f'<div class="author-info">{text(author.bio)}</div></header>'
    )
    return render_listing(
        site,
        base,
        path=author.path,
        posts=posts,
        page=page,
        title=author.name,
        header=header,
        body_class=f"archive author author-{author.slug} author-{author.user_id}",
    )


def render_date_archive(
    site: CourierSite, base: str, year: int, month: int | None, day: int | None, page: int = 1
) -> str | None:
    """A year, month or day archive; None when it has no posts or no such page."""
    posts = [
        a
        for a in site.listed()
        if a.published.year == year
        and (month is None or a.published.month == month)
        and (day is None or a.published.day == day)
    ]
    if not posts:
        return None
    if day is not None and month is not None:
        label = f"Day: <span>{long_date(date(year, month, day))}</span>"
        path = f"/{year:04d}/{month:02d}/{day:02d}/"
    elif month is not None:
        label = f"Month: <span>{calendar.month_name[month]} {year}</span>"
        path = f"/{year:04d}/{month:02d}/"
    else:
        label = f"Year: <span>{year}</span>"
        path = f"/{year:04d}/"
    return render_listing(
        site,
        base,
        path=path,
        posts=posts,
        page=page,
        title=label.replace("<span>", "").replace("</span>", ""),
        header=_archive_header(label),
        body_class="archive date",
        month=(year, month) if month else None,
    )


def search_posts(site: CourierSite, term: str) -> list[Article]:
    """Listed posts whose title or story mentions term (case-insensitive)."""
    needle = term.lower().strip()
    if not needle:
        return []
    return [a for a in site.listed() if needle in a.title.lower() or needle in a.excerpt.lower()]


def render_search(site: CourierSite, base: str, term: str, page: int = 1) -> str | None:
    """Search results, ?s=term&paged=N (noindex, as WordPress core marks them)."""
    posts = search_posts(site, term)
    found = "search-results" if posts else "search-no-results"
    return render_listing(
        site,
        base,
        path="/",
        lead=[("s", term)],
        posts=posts,
        page=page,
        title=f"You searched for {term}",
        header=_archive_header(f"Search Results for: <span>{text(term)}</span>"),
        body_class=f"search {found}",
        robots="noindex, follow, max-image-preview:large",
        empty="Sorry, but nothing matched your search terms. Please try again with some different "
        "keywords.",
    )


# --- pages -------------------------------------------------------------------------------


def render_page(site: CourierSite, base: str, page: Page) -> str:
    """A static page."""
    paragraphs = "\n\n".join(f"<p>{text(p)}</p>" for p in page.paragraphs)
    main = f"""<article id="post-{page.page_id}" class="post-{page.page_id} page type-page \
status-publish">
<div class="inside-article">
<header class="entry-header" aria-label="Content"><h1 class="entry-title">{text(page.title)}</h1>\
</header>
<div class="entry-content">
{paragraphs}
</div>
</div>
</article>"""
    return layout(
        site,
        base,
        title=page.title,
        canonical=base + page.path,
        body_class=f"page-template-default page page-id-{page.page_id}",
        main=main,
    )


def render_not_found(site: CourierSite, base: str) -> str:
    """The theme's 404 page: no canonical link; the language switcher points at the home page."""
    main = f"""<div class="inside-article">
<header class="entry-header" aria-label="Content"><h1 class="entry-title">Oops! That page can’t be \
found.</h1></header>
<div class="entry-content">
<p>It looks like nothing was found at this location. Maybe try searching?</p>
<form method="get" class="search-form" action="{base}/"><label><span class="screen-reader-text">\
Search for:</span><input type="search" class="search-field" placeholder="Search &hellip;" value="" \
name="s" title="Search for:"></label><button class="search-submit" aria-label="Search">\
Search</button></form>
</div>
</div>"""
    return layout(
        site,
        base,
        title="Page not found",
        canonical=base + "/",
        body_class="error404",
        main=main,
        robots="noindex, follow",
        canonical_tag=False,
    )
