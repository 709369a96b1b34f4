"""Whether a long-running detector keeps what it read: resident memory after N texts of words
spaCy never saw (IDs, hashes, addresses, as in request logs), with spaCy's memory zone around
each call (as auditor runs) and without it (as before), each in a fresh process, same run.

A guard or a Spark executor reads millions of such texts: what grows per text grows without
bound. Prints figures; it passes or fails nothing.

    .venv/bin/python -m bench.detector_memory [--texts 3000] [--words 200]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import string
import subprocess
import sys
import time


def _child(texts: int, words: int, zone: bool) -> dict[str, float]:
    from auditor.config import DEFAULT_MODEL
    from auditor.detectors import Detector

    detector = Detector(DEFAULT_MODEL)
    if not zone:
        detector._memory_zone = contextlib.nullcontext  # type: ignore[method-assign]  # the old behaviour
    rng = random.Random(5)

    def word() -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10)))

    def text() -> str:
        return " ".join(word() for _ in range(words)) + f" order {rng.randint(10**8, 10**9)} ref {word()}@{word()}.com"

    detector.detect(text())  # loads the model
    strings = detector.analyzer.nlp_engine.nlp["en"].vocab.strings
    marks: list[tuple[int, float]] = []
    started = time.perf_counter()
    for n in range(1, texts + 1):
        detector.detect(text())
        if n in (texts // 10, texts):
            marks.append((len(strings), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    return {
        "seconds": time.perf_counter() - started,
        "strings_early": marks[0][0],
        "strings_end": marks[1][0],
        "mb_early": marks[0][1],
        "mb_end": marks[1][1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=3000)
    parser.add_argument("--words", type=int, default=200, help="new words a text (default 200)")
    parser.add_argument("--child", choices=("zone", "none"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.texts, args.words, args.child == "zone")))
        return
    rows = {}
    for child in ("none", "zone"):
        command = [sys.executable, "-m", "bench.detector_memory", "--child", child,
                   "--texts", str(args.texts), "--words", str(args.words)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        rows[child] = json.loads(done.stdout.strip().splitlines()[-1])
    early = args.texts // 10
    print(
        f"{args.texts:,} texts of {args.words} new words each; peak RSS and spaCy strings after {early:,} and after all"
    )
    print(
        "| memory zone | strings at 10% | strings at end | MB at 10% | MB at end | MB per 1,000 texts after 10% | s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for child, label in (("none", "off (before)"), ("zone", "on (auditor)")):
        row = rows[child]
        growth = (row["mb_end"] - row["mb_early"]) / (args.texts - early) * 1000
        print(
            f"| {label} | {row['strings_early']:,} | {row['strings_end']:,} | {row['mb_early']:.0f} | "
            f"{row['mb_end']:.0f} | {growth:.1f} | {row['seconds']:.1f} |"
        )
    print(f"time with the zone / without: {rows['zone']['seconds'] / rows['none']['seconds']:.2f}")


if __name__ == "__main__":
    main()
