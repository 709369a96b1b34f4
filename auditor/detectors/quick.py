"""Detection without NLP, for the pre-commit path: auditor's own patterns, and NLP on demand.

``QuickDetector`` runs auditor's recognizers (labelled identifiers, checksummed numbers,
markings) with the ``regex`` module alone, so nothing loads spaCy or Presidio. It has no
context enhancement and no NER, so ``needs_nlp`` names the texts where Presidio's recognizers
matter: something shaped like an SSN, an e-mail address, a phone or card number.
``LayeredDetector`` sends those texts to the full engine, built on first need. A name in
running text with no label before it ("Jane Roe was seen") is NER's alone: on this path a
string literal is judged without it, which is the price of a hook that answers in a second.
"""

from __future__ import annotations

from functools import cache

import regex

from auditor.detectors.catalog import DEFAULT_ENTITIES
from auditor.detectors.engine import Detector, Span, resolve_overlaps
from auditor.detectors.filters import adjusted_score, is_false_positive
from auditor.detectors.patterns import SPECS, PatternSpec, label_of

# What only Presidio's recognizers or spaCy's NER would find: cheap to look for, costly to miss.
_NEEDS_NLP = regex.compile(
    r"\b\d{3}-\d{2}-\d{4}\b"  # SSN / ITIN shape
    r"|[\w.+-]+@[\w-]+\.[\w.]+"  # e-mail
    r"|(?<!\d)(?:\d[ -]?){13,19}(?!\d)"  # card and bank numbers
    r"|\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b"  # North American phone
    r"|\+\d{1,3}[ .-]?\d{2,4}[ .-]?\d{3,4}[ .-]?\d{3,4}",  # international phone
    regex.IGNORECASE,
)


def needs_nlp(text: str) -> bool:
    """Whether ``text`` holds something only NLP or Presidio's recognizers would judge."""
    return _NEEDS_NLP.search(text) is not None


@cache
def _compiled(spec: PatternSpec) -> tuple[tuple[regex.Pattern[str], float], ...]:
    return tuple((regex.compile(pattern, spec.flags), score) for _name, pattern, score in spec.patterns)


class QuickDetector:
    """auditor's own recognizers by regular expression only: milliseconds, no model."""

    def __init__(self, entities: tuple[str, ...] | None = None, floor: float = 0.3) -> None:
        wanted = set(entities or DEFAULT_ENTITIES)
        self.specs = tuple(s for s in SPECS if s.entity in wanted)
        self.floor = floor

    def detect(self, text: str) -> list[Span]:
        """Spans of auditor's recognizers at their base scores (no context boost)."""
        spans: list[Span] = []
        lowered = text.lower()
        for spec in self.specs:
            if not spec.runs_on(text, lowered):
                continue  # the spec's gates: its patterns are not even compiled
            for pattern, score in _compiled(spec):
                for match in pattern.finditer(text):
                    value, start, end = match.group(), match.start(), match.end()
                    if not value or (spec.validate is not None and not spec.validate(value)):
                        continue
                    if spec.extend is not None:
                        bounds = spec.extend(text, start, end)
                        if bounds is None:
                            continue
                        start, end = bounds
                        value = text[start:end]
                    elif spec.refine is not None:
                        narrowed = spec.refine(value)
                        if narrowed is None:
                            continue
                        start, end = start + narrowed[0], start + narrowed[1]
                        value = text[start:end]
                    before = text[max(0, start - 40) : start]
                    if is_false_positive(spec.entity, value, before, spec.detector):
                        continue
                    adjusted = adjusted_score(spec.entity, spec.detector, value, score)
                    if adjusted >= self.floor:
                        spans.append(
                            Span(
                                start,
                                end,
                                spec.entity,
                                spec.detector,
                                adjusted,
                                label_of(spec.entity, value),
                            )
                        )
        return resolve_overlaps(spans)


class LayeredDetector:
    """Regexes first; the full engine (spaCy and Presidio) only for texts that need it."""

    def __init__(self, full: Detector, quick: QuickDetector | None = None) -> None:
        self.full = full
        self.quick = quick or QuickDetector(floor=full.floor)
        self.nlp_texts = 0  # how many texts went to the full engine

    @property
    def nlp_loaded(self) -> bool:
        return self.full._analyzer is not None

    def detect(self, text: str, nlp: bool | None = None) -> list[Span]:
        """``nlp`` forces the choice; None decides by ``needs_nlp``."""
        if nlp if nlp is not None else needs_nlp(text):
            self.nlp_texts += 1
            return self.full.detect(text)
        return self.quick.detect(text)
