"""Accuracy floors on a small generated corpus (seeded), so no change loses recall silently.

The corpus is written by ``bench.corpus`` from a fixed seed, not by hand; ``bench/accuracy.py``
prints the full figures, side by side with vanilla Presidio, on a larger one.
"""

from __future__ import annotations

import pytest

from auditor.config import DEFAULT_MIN_CONFIDENCE
from bench.evaluation import ANY, LabelledDoc, false_alarms_per_10k_words, parse_marked, predict, score

pytest.importorskip("faker", reason="the corpus generator needs the dev extra (Faker)")

SEED = 9
PER_KIND = 12
FLOORS = {  # category: (precision, recall), a little under what auditor measures on this corpus
    ANY: (0.97, 0.96),
    "PHI": (0.97, 0.95),
    "PII": (0.95, 0.93),
    "FINANCIAL": (0.97, 0.98),
    "EXPORT_CONTROLLED": (0.98, 0.98),
}


@pytest.fixture(scope="module")
def corpus() -> list[LabelledDoc]:
    from bench.corpus import KINDS, marked_documents

    docs = []
    for kind in KINDS:
        for name, marked in marked_documents(kind, PER_KIND, SEED):
            text, spans = parse_marked(marked)
            docs.append(LabelledDoc(name, text, spans))
    return docs


@pytest.fixture(scope="module")
def predictions(detector, corpus):
    return [predict(detector, d.text, DEFAULT_MIN_CONFIDENCE) for d in corpus]


def test_generator_is_deterministic(corpus):
    from bench.corpus import marked_documents

    again = [parse_marked(m)[0] for _, m in marked_documents("clinical", PER_KIND, SEED)]
    assert again == [d.text for d in corpus if d.name.startswith("clinical")]
    assert sum(len(d.spans) for d in corpus) >= 250


@pytest.mark.parametrize("category", list(FLOORS))
def test_generated_accuracy_floor(corpus, predictions, category):
    s = score(corpus, predictions)[category]
    min_precision, min_recall = FLOORS[category]
    assert s.recall >= min_recall, f"recall {s.recall:.3f}; missed: {s.missed}"
    assert s.precision >= min_precision, f"precision {s.precision:.3f}; false alarms: {s.false_alarms}"


def test_negative_corpus_false_alarms_stay_rare(corpus, predictions):
    negative = [(d, p) for d, p in zip(corpus, predictions, strict=True) if d.name.startswith("negative")]
    rate = false_alarms_per_10k_words([d for d, _ in negative], [p for _, p in negative])
    assert rate <= 10, f"{rate:.1f} false alarms per 10,000 words"


def test_batched_detection_finds_what_one_call_per_text_finds(detector, corpus):
    """``auditor scan`` detects a file's records together (detect_many): the same spans."""
    texts = [d.text for d in corpus] + ["", "   \n", "\n\n".join(d.text for d in corpus[:20])]
    assert len(texts[-1]) > 2 * detector.chunk_chars  # one text of several windows
    assert detector.detect_many(texts) == [detector.detect(text) for text in texts]
