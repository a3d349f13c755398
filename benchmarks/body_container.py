"""Body container benchmark: what learning a site's body container gives, on three replicas.

For each replica (`tests/site/` tagDiv, `tests/site/courier/` GeneratePress-like,
`tests/site/gazette.py` a home-made CMS), offline, with the generic WordPress rules and no
profile:

- learning, in ORDERS random orders of the site's article pages (a crawl reads them in no
  fixed order): which container each order learns, and after how many pages;
- the texts: how many article texts are exact with the generic extraction, and with the
  container learned most often (paragraphs found in 5 or more of one extraction's texts
  stripped from them, as an archive of those texts would learn and strip them);
- time per page: the generic extraction against the learned container's (the baseline of
  the same sitting).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsing.article import extract_article  # noqa: E402
from parsing.body_container import ContainerLearner  # noqa: E402
from parsing.page import read_page  # noqa: E402
from parsing.rules import ExtractionRules  # noqa: E402
from spiders.profile import WORDPRESS_RULES  # noqa: E402
from tests.site import theme as replica_theme  # noqa: E402
from tests.site.content import SITE_URL, build_site  # noqa: E402
from tests.site.courier import theme as courier_theme  # noqa: E402
from tests.site.courier.model import build_courier  # noqa: E402
from tests.site.gazette import build_gazette, render_story  # noqa: E402

LOCAL = "http://127.0.0.1:8000"
COURIER = "https://riversidecourier.example"
BOILERPLATE_ARTICLES = 5  # archive.boilerplate.MIN_ARTICLES


def replicas(articles: int) -> dict[str, list[tuple[str, str, str]]]:
    """(html, url, expected text) of each replica's article pages."""
    site, courier, gazette = build_site(articles), build_courier(articles), build_gazette(articles)
    render: dict[str, list[tuple[str, str, str]]] = {
        "tests/site": [
            (replica_theme.render_article(site, SITE_URL, a), SITE_URL + a.path, a.expected_text)
            for a in site.articles
        ],
        "courier": [
            (courier_theme.render_article(courier, COURIER, a), COURIER + a.path, a.expected_text)
            for a in courier.articles
        ],
        "gazette": [
            (render_story(gazette, LOCAL, s), LOCAL + s.path, s.expected_text)
            for s in gazette.stories
        ],
    }
    return render


def timed_text(html: str, url: str, rules: ExtractionRules) -> tuple[str, float]:
    """The article text of a page, and the seconds its extraction took."""
    start = time.perf_counter()
    article = extract_article(html, url, rules)
    return (article.text if article else ""), time.perf_counter() - start


def exact(texts: list[tuple[str, str]]) -> int:
    """How many (expected, extracted) texts are equal once the paragraphs found in
    `BOILERPLATE_ARTICLES` or more of the extracted texts are stripped, as an archive of
    these texts would learn and strip them."""
    seen = Counter(p for _, text in texts for p in set(text.splitlines()))
    return sum(
        "\n".join(p for p in text.splitlines() if seen[p] < BOILERPLATE_ARTICLES) == expected
        for expected, text in texts
    )


@click.command()
@click.option("--articles", default=100, show_default=True, help="Articles per replica.")
@click.option("--orders", default=100, show_default=True, help="Random page orders.")
def main(articles: int, orders: int) -> None:
    """Print learning, exactness and time figures for each replica."""
    rng = random.Random(1)
    for name, pages in replicas(articles).items():
        layouts = [
            read_page(html, url, WORDPRESS_RULES, observe_body=True).body_layout
            for html, url, _ in pages
        ]
        learned: Counter[str | None] = Counter()
        needed = []
        for _ in range(orders):
            order = layouts[:]
            rng.shuffle(order)
            learner, decided, count = ContainerLearner(), None, 0
            for count, page in enumerate(order, 1):  # noqa: B007 - read after the loop
                if decided := learner.add(page):
                    break
            learned[decided] += 1
            needed.append(count)
        container = learned.most_common(1)[0][0]
        rules = replace(WORDPRESS_RULES, learned_container=(container,) if container else ())
        generic_time = learned_time = 0.0
        generic_texts, learned_texts = [], []
        for html, url, expected in pages:
            text, took = timed_text(html, url, WORDPRESS_RULES)
            generic_texts.append((expected, text))
            generic_time += took
            text, took = timed_text(html, url, rules)
            learned_texts.append((expected, text))
            learned_time += took
        exact_generic, exact_learned = exact(generic_texts), exact(learned_texts)
        print(f"{name}: {len(pages)} article pages")
        print(
            "  learned in {} orders: {}; pages needed: median {}, max {}".format(
                orders,
                ", ".join(f"{k} {v}" for k, v in learned.most_common()),
                statistics.median(needed),
                max(needed),
            )
        )
        print(
            f"  exact texts: generic {exact_generic}/{len(pages)}, "
            f"within {container} {exact_learned}/{len(pages)}"
        )
        print(
            f"  time per page: generic {1000 * generic_time / len(pages):.1f} ms (1.00), "
            f"within the container {1000 * learned_time / len(pages):.1f} ms "
            f"({learned_time / generic_time:.2f})"
        )


if __name__ == "__main__":
    main()
