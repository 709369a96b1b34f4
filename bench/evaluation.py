"""Scoring detection against labelled text: precision, recall and F2 per category and entity.

A labelled document marks each sensitive value inline as ``[[CATEGORY:ENTITY|value]]``; the
loader strips the markers and keeps exact spans. A prediction counts as correct when it
overlaps a labelled span (of the same category, when scoring per category). Used by the
accuracy regression test and the benchmarks in ``bench/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

MARKER = re.compile(r"\[\[(PHI|PII|FINANCIAL|EXPORT_CONTROLLED):([A-Z0-9_]+)\|(.*?)\]\]", re.DOTALL)
ANY = "ANY"  # scoring that ignores the category: was a sensitive value found at all?


@dataclass(frozen=True, slots=True)
class Labelled:
    """A span of text with the category and entity it has (gold) or was given (predicted)."""

    start: int
    end: int
    category: str
    entity: str


@dataclass(frozen=True)
class LabelledDoc:
    name: str
    text: str
    spans: tuple[Labelled, ...]


def parse_marked(marked: str) -> tuple[str, tuple[Labelled, ...]]:
    """Plain text and gold spans of a marked-up document."""
    out: list[str] = []
    spans: list[Labelled] = []
    cursor = length = 0
    for match in MARKER.finditer(marked):
        before = marked[cursor : match.start()]
        out.append(before)
        length += len(before)
        value = match.group(3)
        spans.append(Labelled(length, length + len(value), match.group(1), match.group(2)))
        out.append(value)
        length += len(value)
        cursor = match.end()
    out.append(marked[cursor:])
    return "".join(out), tuple(spans)


def load_labelled(directory: Path) -> list[LabelledDoc]:
    """Every ``*.txt`` document of a labelled corpus, sorted by name."""
    docs = []
    for path in sorted(Path(directory).glob("*.txt")):
        text, spans = parse_marked(path.read_text(encoding="utf-8"))
        docs.append(LabelledDoc(path.stem, text, spans))
    return docs


@dataclass
class Score:
    """Counts and rates for one category (or ``ANY``)."""

    gold: int = 0
    found: int = 0  # gold spans overlapped by a prediction
    predicted: int = 0
    correct: int = 0  # predictions overlapping a gold span
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    def f_beta(self, beta: float = 2.0) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else (1 + beta**2) * p * r / (beta**2 * p + r)


def error_lines(scores: dict[str, Score], categories: Iterable[str]) -> list[str]:
    """``MISS`` and ``FALSE`` lines per category, for a bench's ``--show-errors``."""
    lines = []
    for category in categories:
        found = scores.get(category)
        if found:
            lines += [f"MISS  {category} {miss}" for miss in found.missed]
            lines += [f"FALSE {category} {alarm}" for alarm in found.false_alarms]
    return lines


def _overlaps(a: Labelled, b: Labelled) -> bool:
    return a.start < b.end and b.start < a.end


def score(docs: Iterable[LabelledDoc], predictions: Iterable[Iterable[Labelled]]) -> dict[str, Score]:
    """Per-category and ``ANY`` scores of predictions (one list per document, in order)."""
    scores: dict[str, Score] = {}
    for doc, predicted in zip(docs, predictions, strict=True):
        predicted = list(predicted)
        for key in {ANY} | {g.category for g in doc.spans} | {p.category for p in predicted}:
            s = scores.setdefault(key, Score())
            gold = [g for g in doc.spans if key in (ANY, g.category)]
            pred = [p for p in predicted if key in (ANY, p.category)]
            s.gold += len(gold)
            s.predicted += len(pred)
            for g in gold:
                if any(_overlaps(g, p) for p in pred):
                    s.found += 1
                else:
                    s.missed.append(f"{doc.name}: {g.entity} {doc.text[g.start : g.end]!r}")
            for p in pred:
                if any(_overlaps(p, g) for g in gold):
                    s.correct += 1
                else:
                    s.false_alarms.append(f"{doc.name}: {p.entity} {doc.text[p.start : p.end]!r}")
    return scores


def score_by_entity(docs: Iterable[LabelledDoc], predictions: Iterable[Iterable[Labelled]]) -> dict[str, Score]:
    """Per-entity scores: recall of each gold entity, precision of each predicted entity.

    A gold span counts as found when any prediction overlaps it, whatever entity name the
    detector gave it (vanilla Presidio has no MRN, and finds some as driver's licences); a
    prediction counts as correct when it overlaps any gold span. So an entity's row says how
    often that kind of value is caught, and how often that name is a false alarm.
    """
    scores: dict[str, Score] = {}
    for doc, predicted in zip(docs, predictions, strict=True):
        predicted = list(predicted)
        for g in doc.spans:
            s = scores.setdefault(g.entity, Score())
            s.gold += 1
            if any(_overlaps(g, p) for p in predicted):
                s.found += 1
            else:
                s.missed.append(f"{doc.name}: {g.entity} {doc.text[g.start : g.end]!r}")
        for p in predicted:
            s = scores.setdefault(p.entity, Score())
            s.predicted += 1
            if any(_overlaps(p, g) for g in doc.spans):
                s.correct += 1
            else:
                s.false_alarms.append(f"{doc.name}: {p.entity} {doc.text[p.start : p.end]!r}")
    return scores


def false_alarms_per_10k_words(docs: Iterable[LabelledDoc], predictions: Iterable[Iterable[Labelled]]) -> float:
    """Predictions that overlap no gold span, per 10,000 words of text."""
    words = alarms = 0
    for doc, predicted in zip(docs, predictions, strict=True):
        words += len(doc.text.split())
        alarms += sum(1 for p in predicted if not any(_overlaps(p, g) for g in doc.spans))
    return 10_000 * alarms / words if words else 0.0


def predict(detector, text: str, min_confidence: float) -> list[Labelled]:
    """What a detector reports in ``text`` at ``min_confidence``, as labelled spans.

    auditor's detector gets its categories in context (clinical text makes PHI); a vanilla
    Presidio detector gets the static category of each entity, as a team wiring Presidio up
    itself would.
    """
    from auditor.detectors import category_of
    from auditor.findings import classify
    from auditor.model import CONTEXT_ENTITIES

    spans = detector.detect(text)
    if getattr(detector, "vanilla", False):
        return [
            Labelled(s.start, s.end, category_of(s.entity, clinical=False).value, s.entity)
            for s in spans
            if s.score >= min_confidence
        ]
    return [  # health information is the context of identifiers, not one: not scored
        Labelled(c.span.start, c.span.end, c.category.value, c.span.entity)
        for c in classify(text, spans, min_confidence)
        if c.span.entity not in CONTEXT_ENTITIES
    ]
