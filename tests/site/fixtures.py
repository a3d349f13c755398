"""Write saved pages of the replica (as served from https://nationworldnews.com) for parser tests.

Usage: python -m tests.site.fixtures [OUTDIR]   (default: tests/fixtures/site)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.site import theme
from tests.site.content import SITE_URL, Article, Site, build_site

DEFAULT_OUTDIR = Path(__file__).resolve().parent.parent / "fixtures" / "site"


def _first(site: Site, layout: str) -> Article:
    """The newest listed article of a layout that has reader comments."""
    return next(
        a for a in site.listed() if a.layout == layout and a.comments and a is not site.seed
    )


def _paged_category(site: Site) -> str:
    """World if its archive has a second page, else the first category that has one."""
    paged = [c for c in site.categories if theme.category_page_count(site, c) >= 2]
    world = next(c for c in site.categories if c.slug == "world")
    return world.slug if world in paged else paged[0].slug


def _article_facts(site: Site, article: Article) -> dict:
    return {
        "url": SITE_URL + article.path,
        "post_id": article.post_id,
        "slug": article.slug,
        "title": article.title,
        "published": article.published.isoformat(),
        "modified": article.modified.isoformat(),
        "author": article.author.name,
        "category": article.category.name,
        "tags": [t.name for t in article.tags],
        "layout": article.layout,
        "comments": len(article.comments),
        "promo_top": article.promo_top,
        "promo_lines": article.promo_lines,
        "expected_text": article.expected_text,
    }


def write_fixtures(outdir: Path, site: Site | None = None) -> list[Path]:
    """Render the fixture pages into outdir and return the files written."""
    site = site or build_site()
    base = SITE_URL
    outdir.mkdir(parents=True, exist_ok=True)
    classic = _first(site, "classic")
    cloud = _first(site, "cloud")
    category = site.category_by_slug(_paged_category(site))
    assert category is not None
    tag = site.tag_by_slug("peru")
    assert tag is not None
    about = site.page_by_path("/about-us/")
    assert about is not None
    articles = {
        "seed-article-cloud.html": site.seed,
        "article-classic-comments.html": classic,
        "article-cloud-comments.html": cloud,
    }
    files: dict[str, str] = {
        name: theme.render_article(site, base, a) for name, a in articles.items()
    }
    files.update(
        {
            "home.html": theme.render_home(site, base),
            f"category-{category.slug}.html": theme.render_category(site, base, category, 1) or "",
            f"category-{category.slug}-page-2.html": theme.render_category(site, base, category, 2)
            or "",
            f"tag-{tag.slug}.html": theme.render_tag(site, base, tag),
            "about-us.html": theme.render_page(site, base, about),
            "robots.txt": theme.render_robots(base),
            "sitemap_index.xml": theme.render_sitemap_index(site, base),
            "post-sitemap.xml": theme.render_post_sitemap(site, base, 1) or "",
            "news-sitemap.xml": theme.render_news_sitemap(site, base),
            "feed.xml": theme.render_feed(site, base),
        }
    )
    facts = {name: _article_facts(site, a) for name, a in articles.items()}
    files["articles.json"] = json.dumps(facts, ensure_ascii=False, indent=2) + "\n"
    written = []
    for name, text in files.items():
        path = outdir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Write the fixtures to the directory given (or the default one)."""
    args = sys.argv[1:] if argv is None else argv
    outdir = Path(args[0]) if args else DEFAULT_OUTDIR
    for path in write_fixtures(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
