"""Article-body benchmark: the project's extractor against trafilatura on real pages.

Runs `extract_article` (the function the crawl uses) and trafilatura's `extract` over the
pages of scrapinghub/article-extraction-benchmark, in one process, and prints the
benchmark's metric, paragraph recall, catastrophic pages and the median time per page of
both. The project's figure that counts is cross-validated: its tuned threshold
(`parsing.body.BLOCK_SHARE`) is chosen on k-1 folds of the pages and scored on the
held-out fold, so no page is scored by a value chosen on it.
"""

from __future__ import annotations

import gzip
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

# Run as a script, Python puts benchmarks/ on the path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.metric import (
    PageScore,
    Summary,
    bootstrap_std,
    catastrophic,
    paragraph_recall,
    score_page,
    summarise,
)
from parsing import body
from parsing.article import extract_article

Extractor = Callable[[str, str], str]
# The values the tuned threshold may take; each fold picks one on the other folds.
GRID = (0.6, 0.7, 0.8, 0.9, 0.95)


def project(html: str, url: str) -> str:
    """The project's article text, as the crawl would store it."""
    article = extract_article(html, url)
    return article.text if article is not None else ""


def project_with(block_share: float) -> Extractor:
    """The project's extractor with another main-block share (parsing.body.BLOCK_SHARE)."""

    def extractor(html: str, url: str) -> str:
        default, body.BLOCK_SHARE = body.BLOCK_SHARE, block_share
        try:
            return project(html, url)
        finally:
            body.BLOCK_SHARE = default

    return extractor


def trafilatura_baseline(html: str, url: str) -> str:
    """trafilatura's default extraction without comments, the published baseline."""
    from trafilatura import extract

    return extract(html, include_comments=False) or ""


def load_pages(data_dir: Path) -> dict[str, tuple[str, str, str]]:
    """{item_id: (html, url, truth)} of the benchmark directory."""
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for item_id in sorted(truth):
        raw = gzip.decompress((data_dir / "html" / f"{item_id}.html.gz").read_bytes())
        pages[item_id] = (raw.decode("utf-8"), truth[item_id]["url"], truth[item_id]["articleBody"])
    return pages


def check_data_dir(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    """The benchmark directory, or a usage error saying what is missing."""
    path = Path(value)
    for needed in ("ground-truth.json", "html"):
        if not (path / needed).exists():
            raise click.BadParameter(f"{path} has no {needed}: not the extraction benchmark")
    return path


def run(
    pages: dict[str, tuple[str, str, str]], extractors: dict[str, Extractor]
) -> tuple[dict[str, dict[str, str]], dict[str, list[float]]]:
    """Predictions and seconds per page of each extractor, interleaved page by page."""
    first_html, first_url, _ = next(iter(pages.values()))
    for extractor in extractors.values():
        extractor(first_html, first_url)  # warm-up: imports and caches out of the timings
    predictions: dict[str, dict[str, str]] = {name: {} for name in extractors}
    seconds: dict[str, list[float]] = {name: [] for name in extractors}
    for done, (item_id, (html, url, _)) in enumerate(pages.items(), 1):
        for name, extractor in extractors.items():
            start = time.perf_counter()
            predictions[name][item_id] = extractor(html, url)
            seconds[name].append(time.perf_counter() - start)
        click.echo(f"\r{done}/{len(pages)} pages", err=True, nl=done == len(pages))
    return predictions, seconds


def row(name: str, summary: Summary, std: Summary, ms: float | None = None) -> str:
    """One result line in the benchmark's format, plus the median time."""
    line = (
        f"{name:<12} precision={summary.precision:.3f} ± {std.precision:.3f}  "
        f"recall={summary.recall:.3f} ± {std.recall:.3f}  "
        f"F1={summary.f1:.3f} ± {std.f1:.3f}  "
        f"accuracy={summary.accuracy:.3f} ± {std.accuracy:.3f}"
    )
    return line + (f"  median={ms:.1f} ms/page" if ms is not None else "")


def folds_of(ids: list[str], k: int, seed: int = 0) -> list[list[str]]:
    """The page ids split into k folds at random (a fixed seed)."""
    shuffled = sorted(ids)
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i::k] for i in range(k)]


def cross_validate(
    truths: dict[str, str], by_value: dict[float, dict[str, str]], baseline: dict[str, str], k: int
) -> tuple[dict[str, str], list[float]]:
    """Held-out predictions: each fold's pages extracted with the value chosen on the other
    folds (the best F1 among the values that keep at least the baseline's recall and
    paragraph recall there: recall first; the best recall if none does); and the values.
    """
    held_out: dict[str, str] = {}
    chosen = []

    def figures(predicted: dict[str, str], ids: list[str]) -> tuple[float, float, float]:
        summary = summarise([score_page(truths[i], predicted[i]) for i in ids])
        paragraphs = statistics.fmean(paragraph_recall(truths[i], predicted[i]) for i in ids)
        return summary.f1, summary.recall, paragraphs

    for fold in folds_of(list(truths), k):
        inside = set(fold)
        tuning = [item_id for item_id in truths if item_id not in inside]
        _, their_recall, their_paragraphs = figures(baseline, tuning)
        tuned = {value: figures(by_value[value], tuning) for value in sorted(by_value)}
        safe = [
            v for v, (_, r, pr) in tuned.items() if r >= their_recall and pr >= their_paragraphs
        ]
        best = (
            max(safe, key=lambda v: tuned[v][0]) if safe else max(tuned, key=lambda v: tuned[v][1:])
        )
        chosen.append(best)
        held_out.update({item_id: by_value[best][item_id] for item_id in fold})
    return held_out, chosen


def quality(name: str, truths: dict[str, str], predicted: dict[str, str]) -> list[PageScore]:
    """Print one extractor's figures; return its page scores (in `truths` order)."""
    scores = [score_page(truth, predicted[item_id]) for item_id, truth in truths.items()]
    click.echo(row(name, summarise(scores), bootstrap_std(scores)))
    recall = statistics.fmean(paragraph_recall(t, predicted[i]) for i, t in truths.items())
    click.echo(f"{'':<12} paragraph recall={recall:.3f}")
    return scores


@click.command()
@click.argument("data_dir", callback=check_data_dir)
@click.option("--folds", default=5, show_default=True, help="Folds of the cross-validation.")
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the project's cross-validated predictions as {item_id: text} JSON.",
)
def main(data_dir: Path, folds: int, predictions: Path | None) -> None:
    """Score the project's extractor and trafilatura on the extraction benchmark.

    Example: python benchmarks/extraction.py ../shared/extraction-benchmark
    """
    pages = load_pages(data_dir)
    truths = {item_id: truth for item_id, (_, _, truth) in pages.items()}
    extractors = {"project": project, "trafilatura": trafilatura_baseline}
    predicted, seconds = run(pages, extractors)
    click.echo("Time (defaults, both in this process, page after page):")
    ms = {name: statistics.median(seconds[name]) * 1000 for name in extractors}
    for name in extractors:
        click.echo(f"  {name:<12} median={ms[name]:.1f} ms/page")
    click.echo(f"  time ratio project/trafilatura: {ms['project'] / ms['trafilatura']:.2f}")

    click.echo(f"Tuning BLOCK_SHARE over {GRID} ...", err=True)
    by_value = {value: run(pages, {"project": project_with(value)})[0]["project"] for value in GRID}
    held_out, chosen = cross_validate(truths, by_value, predicted["trafilatura"], folds)
    click.echo(f"Quality ({folds}-fold cross-validated; values chosen per fold: {chosen}):")
    ours = quality("project", truths, held_out)
    theirs = quality("trafilatura", truths, predicted["trafilatura"])
    lost = catastrophic(ours, theirs)
    ids = list(truths)
    click.echo(
        f"catastrophic pages (trafilatura F1 >= 0.8, project < 0.5): {len(lost)}"
        + (f" ({', '.join(ids[i][:12] for i in lost)})" if lost else "")
    )
    click.echo(f"F1 ratio project/trafilatura: {summarise(ours).f1 / summarise(theirs).f1:.3f}")
    click.echo("With the defaults (not cross-validated, for reference):")
    quality("project", truths, predicted["project"])
    if predictions is not None:
        predictions.write_text(json.dumps(held_out, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
