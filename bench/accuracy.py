"""Accuracy of auditor against vanilla Presidio on generated (seeded) corpora, in one run.

Prints precision, recall and F2 per category and per entity type for auditor and for vanilla
Presidio (same spaCy model, Presidio's default recognizers), false alarms per 10,000 words on
the negative corpus, and the PHI targets of the clinical corpus.

    python -m bench.accuracy [--seed 2026] [--count 150] [--corpus DIR] [--show-errors]

Without ``--corpus`` the four corpora (clinical, finance, export, negative) are written by
``bench.corpus`` into a temporary directory; ``--keep DIR`` writes them there instead.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

from auditor.config import DEFAULT_MIN_CONFIDENCE, DEFAULT_MODEL
from auditor.detectors import Detector
from bench.evaluation import (
    ANY,
    error_lines,
    false_alarms_per_10k_words,
    load_labelled,
    predict,
    score,
    score_by_entity,
)

CATEGORIES = (ANY, "PHI", "PII", "FINANCIAL", "EXPORT_CONTROLLED")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"{cpu}, {os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}"


def category_table(runs, docs_label: str) -> None:
    print(f"\n{docs_label}")
    print(f"{'category':<18} {'engine':<11} {'gold':>5} {'pred':>5} {'precision':>9} {'recall':>7} {'F2':>6}")
    for category in CATEGORIES:
        for name, scores in runs:
            s = scores.get(category)
            if s is None:
                continue
            print(
                f"{category:<18} {name:<11} {s.gold:>5} {s.predicted:>5} {s.precision:>9.3f} "
                f"{s.recall:>7.3f} {s.f_beta():>6.3f}"
            )


def entity_table(runs) -> None:
    names = [name for name, _ in runs]
    entities = sorted({e for _, scores in runs for e in scores})
    header = f"{'entity':<30} {'gold':>5}" + "".join(f" {'recall ' + n:>18}" for n in names)
    header += "".join(f" {'pred ' + n:>16} {'prec':>6}" for n in names)
    print("\nper entity (recall: gold values of the type found by any prediction; precision: predictions")
    print("of the type that overlap a gold value)")
    print(header)
    for entity in entities:
        gold = max(scores.get(entity).gold if entity in scores else 0 for _, scores in runs)
        row = f"{entity:<30} {gold:>5}"
        for _, scores in runs:
            s = scores.get(entity)
            row += f" {s.recall:>18.3f}" if s and s.gold else f" {'-':>18}"
        for _, scores in runs:
            s = scores.get(entity)
            row += f" {s.predicted:>16} {s.precision:>6.3f}" if s and s.predicted else f" {0:>16} {'-':>6}"
        print(row)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="a labelled corpus directory (default: generate one)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--count", type=int, default=150, help="documents per kind when generating")
    parser.add_argument("--keep", type=Path, help="write the generated corpus here and keep it")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    parser.add_argument("--show-errors", action="store_true", help="list auditor's misses and false alarms")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if corpus is None:
            from bench.corpus import KINDS, write_corpus

            corpus = write_corpus(args.keep or Path(tmp), {kind: args.count for kind in KINDS}, args.seed)
            print(f"generated: seed {args.seed}, {args.count} documents per kind")
        docs = load_labelled(corpus)
    if not docs:
        parser.error(f"no labelled documents in {corpus}")
    words = sum(len(d.text.split()) for d in docs)
    print(
        f"corpus: {len(docs)} documents, {sum(len(d.text) for d in docs):,} chars, {words:,} words, "
        f"{sum(len(d.spans) for d in docs)} labelled values"
    )
    print(f"machine: {machine()}; model {args.model}; min confidence {args.min_confidence}")

    engines = [
        ("auditor", Detector(args.model), args.min_confidence),
        ("presidio", Detector(args.model, vanilla=True, floor=0.0), args.min_confidence),
        ("presidio@0", Detector(args.model, vanilla=True, floor=0.0), 0.0),
    ]
    predictions = {}
    for name, detector, min_confidence in engines:
        started = time.perf_counter()
        predictions[name] = [predict(detector, d.text, min_confidence) for d in docs]
        print(f"{name}: scored in {time.perf_counter() - started:.1f} s")

    def subset(prefix: str):
        index = [i for i, d in enumerate(docs) if d.name.startswith(prefix)]
        return [docs[i] for i in index], {n: [p[i] for i in index] for n, p in predictions.items()}

    category_table([(n, score(docs, p)) for n, p in predictions.items()], "all corpora, per category")
    clinical_docs, clinical_predictions = subset("clinical")
    clinical_runs = [(n, score(clinical_docs, p)) for n, p in clinical_predictions.items()]
    if clinical_docs:
        category_table(clinical_runs, "clinical corpus, per category")
    entity_table([(n, score_by_entity(docs, p)) for n, p in predictions.items()])

    negative_docs, negative_predictions = subset("negative")
    if negative_docs:
        negative_words = sum(len(d.text.split()) for d in negative_docs)
        print(
            f"\nnegative corpus ({len(negative_docs)} documents, {negative_words:,} words): "
            "false alarms per 10,000 words"
        )
        for name, predicted in negative_predictions.items():
            print(f"{name:<11} {false_alarms_per_10k_words(negative_docs, predicted):>8.1f}")

    if clinical_docs:
        phi = dict(clinical_runs)
        ours = phi["auditor"].get("PHI")
        # Every labelled value in a clinical note is PHI, so a team wiring Presidio up itself
        # would call whatever Presidio finds there PHI: its ANY row is its PHI score.
        vanilla_name = max(("presidio", "presidio@0"), key=lambda n: phi[n][ANY].f_beta())
        vanilla = phi[vanilla_name][ANY]
        if ours:
            print("\ntargets (PHI on the clinical corpus):")
            print(f"  recall    {ours.recall:.3f}  (target >= 0.95)")
            print(f"  precision {ours.precision:.3f}  (target >= 0.90)")
            print(
                f"  F2        {ours.f_beta():.3f}  vs {vanilla_name} {vanilla.f_beta():.3f} "
                f"(P {vanilla.precision:.3f}, R {vanilla.recall:.3f}, everything it finds counted as PHI): "
                f"{ours.f_beta() - vanilla.f_beta():+.3f}  (target >= +0.15)"
            )
    print(
        "\n(presidio: vanilla Presidio at auditor's threshold; presidio@0: at Presidio's default "
        "threshold 0. Categories for vanilla Presidio come from auditor's static entity map: with no "
        "notion of clinical context its PHI row is near zero, so the targets use its ANY row.)"
    )
    if args.show_errors:
        print("\n".join(error_lines(score(docs, predictions["auditor"]), CATEGORIES[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
