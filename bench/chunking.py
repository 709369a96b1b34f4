"""Why long texts are analysed in windows: seconds per size, windowed against whole-text.

    python -m bench.chunking [--sizes 25000,50000,100000,200000]

Prints, per text size, the seconds auditor's detector takes with its default windows and
with the whole text in one Presidio call, measured in the same run on the same text.
"""

from __future__ import annotations

import argparse
import time

from auditor.config import DEFAULT_MODEL
from auditor.detectors import Detector

PARAGRAPH = (
    "Patient Maria Okafor (MRN 00482913) was seen in clinic on follow-up. BP 138/86, HR 72. "
    "She reports good adherence to metformin and lisinopril; no chest pain or dyspnea. "
    "Plan: repeat HbA1c in three months, call (937) 555-0148 with results.\n"
)


def seconds(detector: Detector, text: str) -> float:
    start = time.perf_counter()
    detector.detect(text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,50000,100000,200000")
    args = parser.parse_args()
    windowed = Detector(DEFAULT_MODEL)
    whole = Detector(DEFAULT_MODEL, chunk_chars=10**9)
    windowed.detect("warm up")
    print(f"{'chars':>8} {'windowed s':>11} {'whole s':>9} {'whole/windowed':>15}")
    for size in (int(s) for s in args.sizes.split(",")):
        text = (PARAGRAPH * (size // len(PARAGRAPH) + 1))[:size]
        a, b = seconds(windowed, text), seconds(whole, text)
        print(f"{size:>8} {a:>11.2f} {b:>9.2f} {b / a:>14.1f}x")


if __name__ == "__main__":
    main()
