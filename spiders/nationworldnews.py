"""nationworldnews.com, WordPress on the tagDiv "Newspaper" theme (spider `nationworldnews`)."""

from __future__ import annotations

from dataclasses import replace

from parsing.rules import ExtractionRules
from spiders.news import NewsSpider
from spiders.profile import WORDPRESS, WORDPRESS_RULES

# tagDiv Newspaper: the body is `td-post-content` in the classic single template and the
# `tdb_single_content` block in Cloud Library templates; inside it sit ads and images.
TAGDIV_NEWSPAPER_RULES = ExtractionRules(
    content=(".tdb_single_content .tdb-block-inner", ".td-post-content"),
    prune=(
        *WORDPRESS_RULES.prune,
        ".td-a-rec",
        ".td-a-ad",
        ".td-post-featured-image",
        ".td-post-sharing",
        ".tdb-author-box",
        ".td_block_related_posts",
        ".tdb_single_related",
    ),
    boilerplate=(
        # A promotion pasted into article bodies.
        r"^Join Voice of America! subscribe our channel",
    ),
)


class NationWorldNewsSpider(NewsSpider):
    """The first target site; `-a url=` points it at a replica."""

    name = "nationworldnews"
    profile = replace(
        WORDPRESS,
        name="nationworldnews",
        base_url="https://nationworldnews.com/",
        extraction=TAGDIV_NEWSPAPER_RULES,
    )
