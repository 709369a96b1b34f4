"""Accuracy floors on the labelled corpus, so no change loses recall or precision silently.

The figures side by side with vanilla Presidio come from ``bench/compare_presidio.py``; this
test only guards floors a little under what auditor measures today.
"""

from __future__ import annotations

import pytest
from support.cli import LABELLED

from auditor.config import DEFAULT_MIN_CONFIDENCE
from bench.evaluation import ANY, load_labelled, predict, score

FLOORS = {  # category: (precision, recall)
    ANY: (0.95, 0.97),
    "PHI": (0.95, 0.95),
    "PII": (0.85, 0.95),
    "FINANCIAL": (0.95, 0.97),
    "EXPORT_CONTROLLED": (0.95, 0.97),
}


@pytest.fixture(scope="module")
def scores(detector):
    docs = load_labelled(LABELLED)
    assert len(docs) >= 40 and sum(len(d.spans) for d in docs) >= 300
    return score(docs, [predict(detector, d.text, DEFAULT_MIN_CONFIDENCE) for d in docs])


@pytest.mark.parametrize("category", list(FLOORS))
def test_accuracy_floor(scores, category):
    s = scores[category]
    min_precision, min_recall = FLOORS[category]
    assert s.recall >= min_recall, f"recall {s.recall:.3f}; missed: {s.missed}"
    assert s.precision >= min_precision, f"precision {s.precision:.3f}; false alarms: {s.false_alarms}"


def test_negative_documents_raise_no_alarm(scores):
    assert [a for a in scores[ANY].false_alarms if a.startswith("negative_")] == []
