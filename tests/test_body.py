"""The generic article body (parsing/body.py): trafilatura's text, cut only on evidence."""

from __future__ import annotations

import lxml.html

from parsing.body import (
    article_body,
    longer_holding,
    looks_cut_short,
    within_main_block,
    without_teasers,
)

PROSE = [
    f"Paragraph {n} of the story tells what the council decided about the bridge, "
    f"and why the vote on item {n} took most of the evening."
    for n in range(1, 7)
]


def page(story: str, before: str = "", after: str = "") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(
        f"<html><body><div class='top'>{before}</div>"
        f"<main><div class='story-text'>{story}</div></main>"
        f"<div class='bottom'>{after}</div></body></html>"
    )


def paragraphs(lines: list[str]) -> str:
    return "".join(f"<p>{line}</p>" for line in lines)


def test_edges_outside_the_main_block_are_trimmed_and_its_own_lines_kept() -> None:
    story = (
        paragraphs(PROSE[:3])
        + "<h2>What happens next</h2><ul><li>A second vote</li></ul>"
        + paragraphs(PROSE[3:])
    )
    tree = page(story, before="<p>Trending: Bridge vote live</p>", after="<p>Share this story</p>")
    lines = ["Trending: Bridge vote live", *PROSE[:3], "What happens next", "- A second vote"]
    text = "\n".join([*lines, *PROSE[3:], "Share this story"])
    kept = within_main_block(tree, text).splitlines()
    # the heading and the list item are the article's, whatever another extractor says
    assert kept == [*PROSE[:3], "What happens next", "- A second vote", *PROSE[3:]]


def test_only_edges_go_and_unknown_lines_stay() -> None:
    story = paragraphs(PROSE[:3]) + "<aside><p>A quote from the mayor</p></aside>"
    story += paragraphs(PROSE[3:])
    tree = page(f"<div class='inner'>{story}</div>")
    text = "\n".join([*PROSE[:3], "A quote from the mayor", *PROSE[3:], "Not in the page"])
    # the aside is inside; a line not found in the page gives no evidence
    assert within_main_block(tree, text).splitlines() == text.splitlines()


def test_few_paragraphs_are_not_trimmed() -> None:
    tree = page(paragraphs(PROSE[:1]), before="<p>Menu</p>")
    assert within_main_block(tree, f"Menu\n{PROSE[0]}") == f"Menu\n{PROSE[0]}"


def test_teasers_of_other_pages_go_anchors_stay() -> None:
    other = "Council approves the new bridge budget after long debate"
    toc = "How the council decided about the bridge in one evening"
    tree = page(
        paragraphs(PROSE[:2])
        + f"<p><a href='bridge-budget.html'>{other}</a></p>"
        + f'<h2><a href="#decision">{toc}</a></h2>'
    )
    text = "\n".join([*PROSE[:2], other, toc])
    assert without_teasers(text, tree).splitlines() == [*PROSE[:2], toc]


def test_a_fragment_is_checked_against_the_full_extraction() -> None:
    tree = lxml.html.fromstring(f"<html><body><article>{paragraphs(PROSE)}</article></body></html>")
    assert looks_cut_short(tree, PROSE[0])  # one paragraph of six
    assert looks_cut_short(tree, "Short.")  # under MIN_TEXT
    assert not looks_cut_short(tree, "\n".join(PROSE))
    whole = "\n".join(PROSE)
    assert longer_holding(PROSE[0], whole) == whole
    assert longer_holding("", whole) == whole
    # a longer text that does not hold the fragment is something else: the fragment stays
    elsewhere = "\n".join(f"Comment {n}: I was at the meeting and disagree." for n in range(40))
    assert longer_holding(PROSE[0], elsewhere) == PROSE[0]


def test_article_body_of_a_plain_page_keeps_every_paragraph() -> None:
    tree = lxml.html.fromstring(
        "<html><head><title>Bridge vote</title></head><body>"
        "<nav><a href='index.html'>Home</a> <a href='news.html'>News</a></nav>"
        f"<article><h1>Bridge vote</h1>{paragraphs(PROSE)}</article>"
        "<footer><p>Copyright the Courier</p></footer></body></html>"
    )
    text = article_body(tree, "https://example.org/bridge-vote/")
    assert all(p in text.splitlines() for p in PROSE)
    assert "Copyright" not in text and "Home" not in text


def test_a_linked_crosshead_stays_a_teaser_at_the_end_goes() -> None:
    crosshead = "The history of the bridge and of the votes before this one"
    teaser = "Read next: the mayor answers questions about the bridge budget"
    tree = page(
        paragraphs(PROSE[:2])
        + f"<h2><a href='history.html'>{crosshead}</a></h2>"
        + paragraphs(PROSE[2:])
        + f"<p><a href='mayor.html'>{teaser}</a></p>"
    )
    text = "\n".join([*PROSE[:2], crosshead, *PROSE[2:], teaser])
    assert without_teasers(text, tree).splitlines() == [*PROSE[:2], crosshead, *PROSE[2:]]


def test_a_line_that_is_a_link_elsewhere_on_the_page_stays() -> None:
    # the sidebar links to a story whose title the article quotes: the quote is no teaser
    quote = "Council approves the new bridge budget after long debate"
    tree = page(
        paragraphs(PROSE[:2]) + f"<blockquote>{quote}</blockquote>" + paragraphs(PROSE[2:]),
        after=f"<ul><li><a href='budget.html'>{quote}</a></li></ul>",
    )
    text = "\n".join([*PROSE[:2], quote, *PROSE[2:]])
    assert without_teasers(text, tree) == text
