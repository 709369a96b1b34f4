"""auditor against vanilla Presidio on the labelled corpus, measured side by side in one run.

Prints precision, recall and F2 per category (and ANY: a sensitive value found at all,
whatever its category) and characters per second of each, both with the same spaCy model.

    python -m bench.compare_presidio [--corpus tests/data/labelled] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

from auditor.config import DEFAULT_MIN_CONFIDENCE, DEFAULT_MODEL
from auditor.detectors import Detector
from bench.accuracy import CATEGORIES, category_table
from bench.evaluation import error_lines, load_labelled, predict, score

ROOT = Path(__file__).resolve().parent.parent


def measure(name: str, detector: Detector, docs, min_confidence: float, repeat: int):
    predict(detector, "warm-up: load the pipeline before timing.", min_confidence)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        predictions = [predict(detector, doc.text, min_confidence) for doc in docs]
        best = min(best, time.perf_counter() - start)
    chars = sum(len(doc.text) for doc in docs)
    return name, score(docs, predictions), chars / best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "labelled")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--show-errors", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()

    docs = load_labelled(args.corpus)
    if not docs:
        parser.error(f"no labelled documents in {args.corpus}")
    chars = sum(len(d.text) for d in docs)
    print(
        f"corpus: {args.corpus} ({len(docs)} documents, {chars:,} chars, "
        f"{sum(len(d.spans) for d in docs)} labelled values)"
    )
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"model {args.model}, min confidence {args.min_confidence}"
    )
    runs = [
        measure("auditor", Detector(args.model), docs, args.min_confidence, args.repeat),
        measure("presidio", Detector(args.model, vanilla=True, floor=0.0), docs, args.min_confidence, args.repeat),
        measure("presidio@0", Detector(args.model, vanilla=True, floor=0.0), docs, 0.0, args.repeat),
    ]
    category_table([(name, scores) for name, scores, _ in runs], "per category")
    print(f"\n{'engine':<11} {'chars/s':>10}  ratio to presidio")
    baseline = runs[1][2]
    for name, _, speed in runs:
        print(f"{name:<11} {speed:>10,.0f}  {speed / baseline:.2f}x")
    print(
        "\n(presidio: vanilla Presidio at auditor's threshold; presidio@0: at Presidio's default "
        "threshold 0. Categories for vanilla Presidio come from auditor's static entity map.)"
    )
    if args.show_errors:
        print("\n".join(error_lines(runs[0][1], CATEGORIES[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
