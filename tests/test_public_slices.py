"""Recall floors on text nobody here wrote: slices of public labelled sets (tests/data/public).

Scored as ``bench/public.py`` scores the full sets: a labelled span is found when any span
``auditor.detect`` reports overlaps it; a reported span is correct when it overlaps any
labelled span. Floors sit a little under what auditor measures on these slices today.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import auditor

PUBLIC = Path(__file__).parent / "data" / "public"
# set: (labels scored (None: all), recall floor, precision floor)
FLOORS = {
    "asq_phi": (None, 0.94, 0.95),
    "wikigold": (frozenset({"PER", "LOC"}), 0.65, 0.93),
}


def _load(name: str) -> list[dict]:
    with (PUBLIC / f"{name}.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@pytest.mark.parametrize("name", list(FLOORS))
def test_public_slice_floor(name):
    labels, min_recall, min_precision = FLOORS[name]
    docs = _load(name)
    found = gold = correct = predicted = 0
    misses = []
    for doc, found_in_doc in zip(docs, auditor.detect_many([d["text"] for d in docs]), strict=True):
        detections = [d for d in found_in_doc if d.is_identifier]  # HEALTH_INFO is context
        spans = [(s["start"], s["end"]) for s in doc["spans"]]
        for s in doc["spans"]:
            if labels is None or s["label"] in labels:
                gold += 1
                if any(_overlaps((s["start"], s["end"]), (d.start, d.end)) for d in detections):
                    found += 1
                else:
                    misses.append(f"{doc['id']}: {s['label']} {doc['text'][s['start'] : s['end']]!r}")
        predicted += len(detections)
        correct += sum(any(_overlaps((d.start, d.end), g) for g in spans) for d in detections)
    assert gold >= 100
    assert found / gold >= min_recall, f"recall {found / gold:.3f}; missed: {misses}"
    assert correct / predicted >= min_precision, f"precision {correct / predicted:.3f}"
