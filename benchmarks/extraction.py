"""Article-body benchmark: the project's extractor against trafilatura on real pages.

Runs `extract_article` (the function the crawl uses) and trafilatura's `extract` over the
pages of scrapinghub/article-extraction-benchmark, in one process, and prints the
benchmark's metric and the median time per page of both.
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

# Run as a script, Python puts benchmarks/ on the path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.metric import PageScore, Summary, bootstrap_std, score_page, summarise
from parsing.article import extract_article

Extractor = Callable[[str, str], str]


def project(html: str, url: str) -> str:
    """The project's article text, as the crawl would store it."""
    article = extract_article(html, url)
    return article.text if article is not None else ""


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


def row(name: str, summary: Summary, std: Summary, ms: float) -> str:
    """One result line in the benchmark's format, plus the median time."""
    return (
        f"{name:<12} precision={summary.precision:.3f} ± {std.precision:.3f}  "
        f"recall={summary.recall:.3f} ± {std.recall:.3f}  "
        f"F1={summary.f1:.3f} ± {std.f1:.3f}  "
        f"accuracy={summary.accuracy:.3f} ± {std.accuracy:.3f}  "
        f"median={ms:.1f} ms/page"
    )


@click.command()
@click.argument("data_dir", callback=check_data_dir)
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the project's predictions as {item_id: text} JSON.",
)
def main(data_dir: Path, predictions: Path | None) -> None:
    """Score the project's extractor and trafilatura on the extraction benchmark.

    Example: python benchmarks/extraction.py ../shared/extraction-benchmark
    """
    pages = load_pages(data_dir)
    extractors = {"project": project, "trafilatura": trafilatura_baseline}
    predicted, seconds = run(pages, extractors)
    results: dict[str, tuple[Summary, float]] = {}
    for name in extractors:
        scores: list[PageScore] = [
            score_page(truth, predicted[name][item_id]) for item_id, (_, _, truth) in pages.items()
        ]
        summary, ms = summarise(scores), statistics.median(seconds[name]) * 1000
        results[name] = summary, ms
        click.echo(row(name, summary, bootstrap_std(scores), ms))
    (ours, our_ms), (theirs, their_ms) = results["project"], results["trafilatura"]
    click.echo(f"F1 ratio project/trafilatura: {ours.f1 / theirs.f1:.3f}")
    click.echo(f"time ratio project/trafilatura: {our_ms / their_ms:.2f}")
    if predictions is not None:
        predictions.write_text(
            json.dumps(predicted["project"], ensure_ascii=False, indent=1), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
