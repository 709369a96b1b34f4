"""Detection: text in, spans of regulated data out (offsets, entity, score; no values kept).

Long texts are analysed in bounded, overlapping windows, because Presidio's context
enhancement costs more than linear time in text length; each span is kept by the one window
that owns its start, so overlaps never report a value twice.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import regex

from auditor.detectors.catalog import DEFAULT_ENTITIES, GENERIC_ENTITIES
from auditor.detectors.filters import (
    adjusted_score,
    date_is_a_setting,
    date_stands_alone,
    is_false_positive,
    is_state_or_country,
    lexicon_backs_ner,
    ner_is_eponym,
    org_is_a_name,
    org_is_a_place,
    person_is_a_city,
    plain_word_name,
)
from auditor.detectors.patterns import PARTICLE_SURNAME, REPORTED_ENTITY, label_of, presidio_entities
from auditor.detectors.safe_harbor import GENERAL_ONLY_DETECTORS
from auditor.model import CONTEXT_ENTITIES

if TYPE_CHECKING:  # Presidio is heavy: imported on first use only
    from presidio_analyzer import AnalyzerEngine, RecognizerResult

# One lock for every call into a spaCy pipeline in this process (``auditor.detect``, the guard,
# ``check_text``): pipelines are not documented as thread-safe, and a memory zone (see
# ``Detector._memory_zone``) that one thread closes would drop the words of another's text.
PIPELINE_LOCK = threading.RLock()

# Preference when two detectors claim overlapping text with equal confidence: the more
# specific (auditor's checked recognizers) first, generic NER last.
_GENERIC = GENERIC_ENTITIES
_NER_NAMES = frozenset({"presidio.PERSON", "presidio.LOCATION"})
_NER_GUESSES = _NER_NAMES | {"presidio.ORGANIZATION"}
# Guesses by the shape of a name, which an eponym has too: "mallory weiss tear".
_EPONYM_SHAPED = _NER_GUESSES | {"auditor.LOWER_CASE_NAME", "auditor.FULL_NAME", "auditor.INITIAL_SURNAME"}
# A surname behind particles right after a name: " de la O", " van Beethoven".
_TRAILING_SURNAME = regex.compile(rf"[ \t]+{PARTICLE_SURNAME}")


@dataclass(frozen=True, slots=True)
class Span:
    """A detected stretch of text: ``text[start:end]`` is the value (held by the caller)."""

    start: int
    end: int
    entity: str
    detector: str
    score: float
    label: str | None = None
    # Reported only outside clinical text: an NER name or place that no lexicon supports. In
    # notes such words are drugs, devices and shorthand ("Neo", "Echo", "Carevue"); elsewhere,
    # names.
    general_only: bool = False


def windows(length: int, text: str, size: int, overlap: int) -> Iterator[tuple[int, int, int, int]]:
    """(start, end, own_from, own_to) windows over ``text``; cut at whitespace where possible.

    A window owns the spans that start in [own_from, own_to); neighbours overlap by
    ``overlap`` characters, so a value shorter than half of it is seen whole by its owner.
    """
    if length <= size:
        yield 0, length, 0, length
        return
    start, own_from = 0, 0
    while True:
        end = min(length, start + size)
        if end < length:
            cut = text.rfind(" ", start + size - overlap // 2, end)
            cut = max(cut, text.rfind("\n", start + size - overlap // 2, end))
            if cut > start:
                end = cut
        own_to = length if end == length else end - overlap // 2
        yield start, end, own_from, own_to
        if end == length:
            return
        own_from = own_to
        start = max(end - overlap, start + 1)


_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with each lone surrogate (invalid Unicode from a bad decoder) replaced by U+FFFD.

    One character for one, so every offset still points into the caller's text.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


class Detector:
    """auditor's detection engine over one Presidio analyzer (built lazily, once per process)."""

    def __init__(
        self,
        model_name: str,
        entities: tuple[str, ...] | None = None,
        chunk_chars: int = 4000,
        chunk_overlap: int = 200,
        floor: float = 0.3,
        vanilla: bool = False,
    ) -> None:
        self.model_name = model_name
        self.names_from_orgs = False
        if vanilla:
            self.entities = list(entities) if entities else None
        else:
            self.entities = presidio_entities(list(entities or DEFAULT_ENTITIES))
            # spaCy's small model calls many foreign names organisations ("Tomomi Nishiyama",
            # "Homero Portillo"): its organisations are read for names (filters.org_is_a_name).
            self.names_from_orgs = "PERSON" in self.entities and "ORGANIZATION" not in self.entities
            if self.names_from_orgs:
                self.entities.append("ORGANIZATION")
            if "LOCATION" in self.entities:
                self.entities.append("FACILITY")  # spaCy's FAC: see _facility
        self.chunk_chars = chunk_chars
        self.chunk_overlap = chunk_overlap
        self.floor = floor
        self.vanilla = vanilla
        self._analyzer: AnalyzerEngine | None = None

    @property
    def analyzer(self) -> AnalyzerEngine:
        if self._analyzer is None:
            from auditor.detectors import presidio  # heavy: spaCy and Presidio

            if self.vanilla:
                self._analyzer = presidio.build_vanilla_analyzer(self.model_name)
            else:
                self._analyzer = presidio.build_analyzer(self.model_name)
        return self._analyzer

    def detect(self, text: str) -> list[Span]:
        """Every span at or above the floor score, false positives removed, overlaps resolved."""
        if not text.strip():
            return []
        text = encodable(text)
        spans: list[Span] = []
        with PIPELINE_LOCK, self._memory_zone():
            for start, end, own_from, own_to in windows(len(text), text, self.chunk_chars, self.chunk_overlap):
                spans.extend(self._window_spans(text[start:end], start, own_from, own_to, None))
        return spans if self.vanilla else resolve_overlaps(spans)

    def detect_many(self, texts: list[str], batch_size: int = 32) -> list[list[Span]]:
        """``detect`` of each text, with spaCy run over the windows of all of them in batches.

        The same spans as calling ``detect`` on each text; faster on many small texts (JSONL
        records, chat turns), because spaCy's NER runs batched over windows (``nlp.pipe``).
        """
        texts = [encodable(text) for text in texts]
        jobs = [
            (index, *window)
            for index, text in enumerate(texts)
            if text.strip()
            for window in windows(len(text), text, self.chunk_chars, self.chunk_overlap)
        ]
        pieces = [texts[index][start:end] for index, start, end, _, _ in jobs]
        spans: list[list[Span]] = [[] for _ in texts]
        with PIPELINE_LOCK, self._memory_zone():
            batched = self.analyzer.nlp_engine.process_batch(pieces, language="en", batch_size=batch_size)
            for (index, start, _, own_from, own_to), (window, artifacts) in zip(jobs, batched, strict=True):
                spans[index].extend(self._window_spans(window, start, own_from, own_to, artifacts))
        return spans if self.vanilla else [resolve_overlaps(found) for found in spans]

    def _memory_zone(self) -> AbstractContextManager[Any]:
        """spaCy's memory zone around one call: the words and strings a text adds to the
        pipeline's vocabulary are dropped when the call ends. Without it every new word (an ID,
        a hash, an e-mail address) stays in memory for the life of the process: a guard or an
        executor that has read a million log records keeps growing (``bench.detector_memory``).
        Nothing of a call's ``Doc`` outlives it: spans carry offsets only."""
        return cast(AbstractContextManager[Any], self.analyzer.nlp_engine.nlp["en"].memory_zone())  # type: ignore[attr-defined]  # loaded: a dict

    def _window_spans(self, window: str, start: int, own_from: int, own_to: int, artifacts: Any) -> list[Span]:
        """The spans a window owns, in the text's offsets; ``artifacts``: spaCy's output, if run."""
        spans: list[Span] = []
        for result in self.analyzer.analyze(
            window, language="en", entities=self.entities, score_threshold=self.floor, nlp_artifacts=artifacts
        ):
            entity = REPORTED_ENTITY.get(result.entity_type, result.entity_type)
            begin = start + result.start
            if not own_from <= begin < own_to:
                continue
            stop = result.end
            detector = _detector_id(result)
            if entity in _GENERIC and not detector.startswith("auditor.") and "\n" in window[result.start : stop]:
                stop = result.start + window[result.start : stop].index("\n")  # NER runs over a line end
            if not self.vanilla and entity == "PERSON":
                # NER often stops at the first name of "Xavier de la O": the surname would stay in
                # clear in every excerpt around the span.
                surname = _TRAILING_SURNAME.match(window, stop)
                stop = surname.end() if surname else stop
            value = window[result.start : stop]
            before = window[max(0, result.start - 40) : result.start]
            if not self.vanilla and is_false_positive(entity, value, before, detector):
                continue
            if not self.vanilla and detector in _EPONYM_SHAPED and ner_is_eponym(window[stop : stop + 30]):
                continue  # "Wilson's disease", "Wells score"
            if not self.vanilla and entity == "DATE":
                line_from = window.rfind("\n", 0, result.start) + 1
                line_to = window.find("\n", stop)
                if date_stands_alone(entity, value, window[line_from : line_to if line_to >= 0 else len(window)]):
                    continue
                if date_is_a_setting(entity, value, before, window[stop : stop + 20]):
                    continue
            if entity == "FACILITY":
                if not _facility(value):
                    continue
                entity, detector = "LOCATION", "presidio.LOCATION"
            if not self.vanilla and is_state_or_country(entity, value):
                entity = "REGION"
            if not self.vanilla and detector == "presidio.PERSON" and person_is_a_city(value):
                entity, detector = "LOCATION", "auditor.CITY_FROM_NER"
            if not self.vanilla and entity == "ORGANIZATION" and self.names_from_orgs:
                if org_is_a_name(value, window[stop : stop + 20]):
                    entity, detector = "PERSON", "auditor.NAME_FROM_ORG"
                elif org_is_a_place(value, before):  # "between Angola and", "in Compton": a place's name
                    entity = "REGION" if is_state_or_country("LOCATION", value) else "LOCATION"
                    detector = "auditor.PLACE_FROM_ORG"
                else:
                    continue
            score = float(result.score)
            general_only = detector in GENERAL_ONLY_DETECTORS or (  # see Span.general_only
                detector in _NER_NAMES and not self.vanilla and not lexicon_backs_ner(value, before)
            )
            if not self.vanilla:
                after = window[stop : stop + 40]  # a field's colon, a version, ", Illinois"
                adjusted = adjusted_score(entity, detector, value, score, before, after)
                if adjusted < score and detector == "presidio.PERSON" and plain_word_name(value, before, after):
                    general_only = True  # kept at the NER's score, outside clinical text only
                else:
                    score = adjusted
            spans.append(Span(begin, start + stop, entity, detector, score, label_of(entity, value), general_only))
        return spans


_FACILITY_NAME = regex.compile(r"(?:the[ \t]+)?\p{Lu}[\p{L}'’.-]*(?:[ \t]+(?:of[ \t]+)?\p{Lu}[\p{L}'’.-]*)+")


def _facility(value: str) -> bool:
    """Whether what spaCy calls a facility is a named place: a street, a camp, a stadium, a
    square, of two capitalised words or more ("Barrack Street", "Camp Howe", "Red Square"); as
    one word it is as often a product or a term ("Markdown", "Intercompany"), and a run with a
    word in capitals is a name of a rule or a part ("License Exception STA")."""
    return _FACILITY_NAME.fullmatch(value) is not None and not any(w.isupper() and len(w) > 1 for w in value.split())


def _detector_id(result: RecognizerResult) -> str:
    name = str((result.recognition_metadata or {}).get("recognizer_name", ""))
    if name.startswith("auditor."):
        return name
    return f"presidio.{result.entity_type}"


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Keep one span where several overlap.

    A specific recognizer (a label, a checksum, a marking) beats a generic one (NER, loose
    number patterns) whatever their scores, and any identifier beats health information; then
    the higher score wins, then the longer span.
    """

    def rank(span: Span) -> tuple[int, float, int]:
        if span.entity in CONTEXT_ENTITIES:
            specific = -1  # health information never hides an identifier it overlaps
        elif span.general_only:
            specific = 0  # dropped in clinical text: it must not hide what would be kept there
        elif span.detector.startswith("auditor."):
            specific = 2
        else:
            specific = 0 if span.entity in _GENERIC else 1
        return (specific, span.score, span.end - span.start)

    # Kept spans never overlap, so sorted by start their ends are sorted too: a new span
    # overlaps one of them only if it overlaps the last one starting before its end. Bisection
    # keeps a long document linear (a scan of every kept span made 5 MB quadratic).
    starts: list[int] = []
    kept: list[Span] = []
    for span in sorted(spans, key=rank, reverse=True):
        i = bisect.bisect_left(starts, span.end)
        if i and kept[i - 1].end > span.start:
            continue
        starts.insert(i, span.start)
        kept.insert(i, span)
    return sorted(kept, key=lambda s: (s.start, s.end))
