"""Machine-readable routes: robots.txt, WordPress core sitemaps, RSS feeds and a little REST API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from xml.sax.saxutils import escape as xml_escape

from tests.site.courier import theme
from tests.site.courier.model import (
    PER_PAGE,
    POSTS_PER_SITEMAP,
    SITE_NAME,
    TAGLINE,
    Article,
    CourierSite,
)


def render_robots(base: str) -> str:
    """WordPress core's virtual robots.txt, with the core sitemap added."""
    return (
        "User-agent: *\n"
        "Disallow: /wp-admin/\n"
        "Allow: /wp-admin/admin-ajax.php\n"
        "\n"
        f"Sitemap: {base}/wp-sitemap.xml\n"
    )


def _urlset(base: str, locs: list[str]) -> str:
    """A core sitemap: one line, no lastmod, the core stylesheet."""
    urls = "".join(f"<url><loc>{xml_escape(loc)}</loc></url>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<?xml-stylesheet type="text/xsl" href="{base}/wp-sitemap.xsl" ?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )


def post_sitemap_count(site: CourierSite) -> int:
    """How many wp-sitemap-posts-post-N.xml files there are."""
    return max(1, -(-len(site.in_sitemap()) // POSTS_PER_SITEMAP))


def sitemap_names(site: CourierSite) -> list[str]:
    """The sitemaps the index lists, in core's order (post types, taxonomies, users)."""
    names = [f"wp-sitemap-posts-post-{n}.xml" for n in range(1, post_sitemap_count(site) + 1)]
    names += [
        "wp-sitemap-posts-page-1.xml",
        "wp-sitemap-posts-tribe_events-1.xml",
        "wp-sitemap-taxonomies-category-1.xml",
        "wp-sitemap-taxonomies-post_tag-1.xml",
        "wp-sitemap-users-1.xml",
    ]
    return names


def render_sitemap_index(site: CourierSite, base: str) -> str:
    """/wp-sitemap.xml."""
    entries = "".join(
        f"<sitemap><loc>{base}/{name}</loc></sitemap>" for name in sitemap_names(site)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<?xml-stylesheet type="text/xsl" href="{base}/wp-sitemap-index.xsl" ?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>\n"
    )


def render_sitemap(site: CourierSite, base: str, name: str) -> str | None:
    """One core sitemap by file name, or None when there is no such file."""
    if name.startswith("wp-sitemap-posts-post-"):
        number = name.removeprefix("wp-sitemap-posts-post-").removesuffix(".xml")
        if not number.isdigit() or number.startswith("0"):
            return None
        start = (int(number) - 1) * POSTS_PER_SITEMAP
        posts = site.in_sitemap()[start : start + POSTS_PER_SITEMAP]
        if not posts:
            return None
        return _urlset(base, [base + a.path for a in posts])
    locs: list[str] | None = None
    if name == "wp-sitemap-posts-page-1.xml":
        # with "Your homepage displays: latest posts", core lists the home page first
        locs = [f"{base}/"] + [base + p.path for p in sorted(site.pages, key=lambda p: p.page_id)]
    elif name == "wp-sitemap-posts-tribe_events-1.xml":
        locs = [base + e.path for e in sorted(site.events, key=lambda e: e.post_id)]
    elif name == "wp-sitemap-taxonomies-category-1.xml":
        locs = [base + c.path for c in site.categories]
    elif name == "wp-sitemap-taxonomies-post_tag-1.xml":
        locs = [base + t.path for t in site.tags]
    elif name == "wp-sitemap-users-1.xml":
        locs = [base + a.path for a in site.authors]
    return _urlset(base, locs) if locs is not None else None


def sitemap_stylesheet(index: bool) -> str:
    """A stand-in for core's wp-sitemap.xsl / wp-sitemap-index.xsl."""
    what = "sitemapindex" if index else "urlset"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
        'xmlns:sitemap="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f'<xsl:template match="/"><html><body><h1>XML Sitemap</h1><p>{what}</p></body></html>'
        "</xsl:template>\n</xsl:stylesheet>\n"
    )


def _rfc822(moment: datetime) -> str:
    """A feed date as WordPress writes it: in GMT, "+0000"."""
    return format_datetime(moment.astimezone(UTC))


def feed_articles(site: CourierSite) -> list[Article]:
    """The posts in /feed/: the ten newest listed."""
    return site.listed()[:PER_PAGE]


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_feed(site: CourierSite, base: str) -> str:
    """/feed/: RSS 2.0 as WordPress writes it, full content in content:encoded."""
    posts = feed_articles(site)
    newest = max((a.modified for a in posts), default=site.now)
    items = []
    for article in posts:
        url = base + article.path
        categories = [article.category.name, *(t.name for t in article.tags)]
        cats = "".join(f"\n\t\t<category>{_cdata(c)}</category>" for c in categories)
        content = theme.render_blocks(site, base, article)
        items.append(
            f"""	<item>
		<title>{escape(article.title, quote=False)}</title>
		<link>{url}</link>
		<comments>{url}#respond</comments>
		<dc:creator>{_cdata(article.author.name)}</dc:creator>
		<pubDate>{_rfc822(article.published)}</pubDate>{cats}
		<guid isPermaLink="false">{base}/?p={article.post_id}</guid>
		<description>{_cdata(article.excerpt + " [&#8230;]")}</description>
		<content:encoded>{_cdata(content)}</content:encoded>
		<wfw:commentRss>{url}feed/</wfw:commentRss>
		<slash:comments>{len(article.comments)}</slash:comments>
	</item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>{SITE_NAME}</title>
	<atom:link href="{base}/feed/" rel="self" type="application/rss+xml" />
	<link>{base}</link>
	<description>{TAGLINE}</description>
	<lastBuildDate>{_rfc822(newest)}</lastBuildDate>
	<language>en-US</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>https://wordpress.org/?v={theme.WP_VERSION}</generator>
{chr(10).join(items)}
</channel>
</rss>
"""


def render_comments_feed(site: CourierSite, base: str, article: Article | None = None) -> str:
    """/comments/feed/ (the newest comments anywhere) or /<permalink>/feed/ (one post's)."""
    if article is None:
        pairs = [(a, c) for a in site.articles if a.reach == "normal" for c in a.comments]
        pairs.sort(key=lambda pair: pair[1].when, reverse=True)
        pairs = pairs[:PER_PAGE]
        title = f"Comments for {SITE_NAME}"
        self_url = f"{base}/comments/feed/"
        link = base
    else:
        pairs = [(article, c) for c in reversed(article.comments)][:PER_PAGE]
        title = f"Comments on: {escape(article.title, quote=False)}"
        self_url = f"{base}{article.path}feed/"
        link = base + article.path
    items = "\n".join(
        f"""	<item>
		<title>By: {escape(c.author, quote=False)}</title>
		<link>{theme.comment_link(base, a, c)}</link>
		<dc:creator>{_cdata(c.author)}</dc:creator>
		<pubDate>{_rfc822(c.when)}</pubDate>
		<guid isPermaLink="false">{base}/?p={a.post_id}#comment-{c.comment_id}</guid>
		<description>{_cdata(c.text)}</description>
		<content:encoded>{_cdata("<p>" + escape(c.text, quote=False) + "</p>")}</content:encoded>
	</item>"""
        for a, c in pairs
    )
    newest = max((c.when for _, c in pairs), default=site.now)
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	>
<channel>
	<title>{title}</title>
	<atom:link href="{self_url}" rel="self" type="application/rss+xml" />
	<link>{link}</link>
	<description>{TAGLINE}</description>
	<lastBuildDate>{_rfc822(newest)}</lastBuildDate>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>https://wordpress.org/?v={theme.WP_VERSION}</generator>
{items}
</channel>
</rss>
"""


def wp_json_index(base: str) -> str:
    """/wp-json/: the REST API's index, cut down."""
    return json.dumps(
        {
            "name": SITE_NAME,
            "description": TAGLINE,
            "url": base,
            "home": base,
            "gmt_offset": "-5",
            "timezone_string": "America/Chicago",
            "namespaces": ["oembed/1.0", "jetpack/v4", "tribe/events/v1", "pll/v1", "wp/v2"],
            "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
        },
        separators=(",", ":"),
    )


def wp_json_post(base: str, article: Article) -> str:
    """/wp-json/wp/v2/posts/<id>: the fields a client most often reads."""
    return json.dumps(
        {
            "id": article.post_id,
            "date": article.published.replace(tzinfo=None).isoformat(),
            "modified": article.modified.replace(tzinfo=None).isoformat(),
            "slug": article.slug,
            "status": "publish",
            "type": "post",
            "link": base + article.path,
            "title": {"rendered": escape(article.title, quote=False)},
            "author": article.author.user_id,
            "categories": [article.category.term_id],
            "tags": [t.term_id for t in article.tags],
        },
        separators=(",", ":"),
    )


def oembed(base: str, article: Article, xml: bool) -> tuple[str, str]:
    """/wp-json/oembed/1.0/embed?url=...: (content type, body)."""
    data = {
        "version": "1.0",
        "provider_name": SITE_NAME,
        "provider_url": base,
        "author_name": article.author.name,
        "author_url": base + article.author.path,
        "title": article.title,
        "type": "rich",
        "width": 600,
        "height": 338,
        "html": f'<blockquote class="wp-embedded-content"><a href="{base}{article.path}">'
        f"{escape(article.title, quote=False)}</a></blockquote>",
    }
    if not xml:
        return "application/json; charset=UTF-8", json.dumps(data, separators=(",", ":"))
    fields = "".join(f"<{k}>{xml_escape(str(v))}</{k}>" for k, v in data.items())
    return "text/xml; charset=UTF-8", f'<?xml version="1.0"?>\n<oembed>{fields}</oembed>\n'


def rest_not_found() -> str:
    """The REST API's answer for an unknown route."""
    return json.dumps(
        {
            "code": "rest_no_route",
            "message": "No route was found matching the URL and request method.",
            "data": {"status": 404},
        },
        separators=(",", ":"),
    )


def render_rsd(base: str) -> str:
    """/xmlrpc.php?rsd."""
    return f"""<?xml version="1.0" encoding="UTF-8"?><rsd version="1.0" \
xmlns="http://archipelago.phrasewise.com/rsd">
	<service>
		<engineName>WordPress</engineName>
		<engineLink>https://wordpress.org/</engineLink>
		<homePageLink>{base}</homePageLink>
		<apis>
			<api name="WordPress" blogID="1" preferred="true" apiLink="{base}/xmlrpc.php" />
			<api name="WP-API" blogID="1" preferred="false" apiLink="{base}/wp-json/" />
		</apis>
	</service>
</rsd>
"""
