"""From detected spans to findings: location, category, masked excerpt, fingerprint.

This is where a raw value is last held: it goes into the HMAC and the mask, and no further.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from auditor.detectors import Span, category_of, entity_info, is_clinical
from auditor.detectors.catalog import Mask
from auditor.detectors.names import (
    LISTED_NAME,
    REPEATED_NAME,
    REPEATED_PLACE,
    listed_names,
    repeated_names,
    repeated_places,
)
from auditor.fingerprint import fingerprint, mask_context, mask_digits, mask_value
from auditor.model import Category, Finding
from auditor.sources import TextUnit

EXCERPT_CONTEXT = 32
# Someone writing of themselves: where they live or come from is personal data about them.
# "I", and a lower-case "i" where a verb follows it, as posts write it ("i live in canada").
_FIRST_PERSON = re.compile(
    r"\b(?:I|I'm|I’m|I've|my|me|we|we're|our|us)\b|\b(?i:i'm|im|i've|ive)\b"
    r"|(?<!['’])\bi[ \t]+(?:live|lived|am|was|have|had|work|worked|grew|moved|come|came|go|went)\b"
)
CLINICAL_BOOST = 0.1


@dataclass(frozen=True, slots=True)
class Classified:
    """A span with the category and confidence it has in its unit's context."""

    span: Span
    category: Category
    confidence: float


def classify(text: str, spans: list[Span], min_confidence: float) -> list[Classified]:
    """Categories and confidences of a unit's spans; those below ``min_confidence`` dropped.

    Identifiers of a person become PHI, and more certain, in clinical text; a date outside
    clinical text is dropped, and so is a state or country in clinical text (Safe Harbor keeps
    it) or in a text that names nobody and is written by nobody of themselves.
    """
    clinical = is_clinical(text, {s.entity for s in spans if s.score >= min_confidence})
    names_someone = any(
        s.score >= min_confidence
        and entity_info(s.entity).person_identifier
        and not entity_info(s.entity).needs_person
        and not (entity_info(s.entity).clinical_only and not clinical)  # a version "3.2.15" names nobody
        and not (s.general_only and clinical)
        for s in spans
    )
    writes_of_self = bool(_FIRST_PERSON.search(text))
    kept: list[Classified] = []
    for span in spans:
        info = entity_info(span.entity)
        if info.needs_person and not (names_someone or (info.safe_harbor_keeps and writes_of_self)):
            continue  # identifies nobody: 164.514(b)(2)(i) lists dates "related to an individual"
        if (info.clinical_only and not clinical) or (info.safe_harbor_keeps and clinical):
            continue
        if span.general_only and clinical:
            continue  # a one-word NER guess in a note: "Neo", "Echo" (see Span.general_only)
        confidence = span.score
        if clinical and entity_info(span.entity).person_identifier:
            confidence = min(1.0, confidence + CLINICAL_BOOST)
        if confidence >= min_confidence:
            kept.append(Classified(span, category_of(span.entity, clinical), round(confidence, 3)))
    names = [item for item in kept if item.span.entity == "PERSON"]
    if names:
        weakest = min(item.confidence for item in names)
        kept.extend(
            Classified(span, names[0].category, weakest)
            for span in repeated_names(text, [item.span for item in names], [item.span for item in kept])
        )
        if not clinical:  # in notes, capitalised lists are drugs and teams ("Lasix, Vanc and Zosyn")
            kept.extend(
                Classified(span, names[0].category, weakest)
                for span in listed_names(text, [item.span for item in names], [item.span for item in kept])
            )
        kept.sort(key=lambda item: (item.span.start, item.span.end))
    places = [item for item in kept if item.span.entity == "LOCATION"]
    if places:
        weakest = min(item.confidence for item in places)
        again = repeated_places(text, [item.span for item in places], [item.span for item in kept])
        if again:
            kept.extend(Classified(span, places[0].category, weakest) for span in again)
            kept.sort(key=lambda item: (item.span.start, item.span.end))
    return kept


def findings_from_unit(unit: TextUnit, spans: list[Span], key: bytes, min_confidence: float) -> list[Finding]:
    """Findings for one unit's spans; below ``min_confidence`` or between pieces are dropped."""
    found: list[Finding] = []
    classified = classify(unit.text, spans, min_confidence)
    # Mentions that classify adds (a name or a place said again) are masked in every excerpt too.
    spans = spans + [
        item.span for item in classified if item.span.detector in (REPEATED_NAME, LISTED_NAME, REPEATED_PLACE)
    ]
    ordered = _Ordered(spans)
    for item in classified:
        span = item.span
        location = unit.locate(span.start)
        if location is None:
            continue
        end = min(span.end, unit.piece_end(span.start))
        value = unit.text[span.start : end]
        found.append(
            Finding(
                detector=span.detector,
                entity=span.entity,
                category=item.category,
                confidence=item.confidence,
                location=location,
                excerpt=excerpt(unit, span.start, end, spans, ordered),
                fingerprint=fingerprint(key, span.entity, value),
                label=span.label,
            )
        )
    return found


def masked(entity: str, value: str) -> str:
    """A value as it may be shown: masked by its entity's rule."""
    rule = entity_info(entity).mask
    if rule is Mask.NONE:
        return value
    if rule is Mask.DIGITS:
        return mask_digits(value)
    return mask_value(value)


class _Ordered:
    """A unit's spans sorted by start once, for the excerpts of all its findings (a long text
    has hundreds: sorting them again for each one made building findings quadratic)."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = sorted(spans, key=lambda s: s.start)
        self.starts = [s.start for s in self.spans]
        self.longest = max((s.end - s.start for s in spans), default=0)

    def between(self, left: int, right: int) -> list[Span]:
        """The spans that may overlap [left, right), in order of start (those that cannot are left out)."""
        low = bisect.bisect_left(self.starts, left - self.longest)
        high = bisect.bisect_left(self.starts, right)
        return self.spans[low:high]


def excerpt(unit: TextUnit, start: int, end: int, spans: list[Span], ordered: _Ordered | None = None) -> str:
    """The value with some text either side, every detected value and every digit masked."""
    piece_start = next(p.start for p in reversed(unit.pieces) if p.start <= start)
    piece_end = unit.piece_end(start)
    left = max(piece_start, start - EXCERPT_CONTEXT)
    right = min(piece_end, end + EXCERPT_CONTEXT)
    # Start and end on word boundaries: half a word ("uckeye") escapes the masking of names.
    while left > piece_start and not unit.text[left - 1].isspace() and left < start:
        left += 1
    while right < piece_end and not unit.text[right].isspace() and right > end:
        right -= 1
    # Never cut another value in two: a clipped value would be masked as if it were whole.
    for span in spans:
        if span.start < left < span.end:
            left = max(piece_start, span.start)
        if span.start < right < span.end:
            right = min(piece_end, span.end)
    out: list[str] = []
    cursor = left
    for span in (ordered or _Ordered(spans)).between(left, right):
        s_start, s_end = max(span.start, left), min(span.end, right)
        if s_end <= s_start or s_start < cursor:
            continue
        out.append(mask_context(unit.text[cursor:s_start]))
        out.append(masked(span.entity, unit.text[s_start:s_end]))
        cursor = s_end
    out.append(mask_context(unit.text[cursor:right]))
    text = re.sub(r"\s+", " ", "".join(out)).strip()
    prefix = "…" if left > piece_start else ""
    suffix = "…" if right < piece_end else ""
    return f"{prefix}{text}{suffix}"
