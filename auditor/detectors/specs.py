"""The shape of one of auditor's recognizers, shared by ``patterns`` and ``safe_harbor``
(which ``patterns`` gathers, so neither imports the other's users)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

IGNORECASE_MULTILINE = re.IGNORECASE | re.MULTILINE
CASE_SENSITIVE = re.MULTILINE


@cache
def _gate(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@dataclass(frozen=True, slots=True)
class PatternSpec:
    """One recognizer: an entity, its patterns ``(name, regex, score)``, and its checks."""

    detector: str  # stable id, "auditor.MRN"
    entity: str
    patterns: tuple[tuple[str, str, float], ...]
    context: tuple[str, ...] = ()
    flags: int = IGNORECASE_MULTILINE
    validate: Callable[[str], bool] | None = None  # False drops the match
    # Cheap gate: the recognizer runs only on text holding one of these (lower case) strings.
    # Every pattern of the spec must need one of them; empty means always run.
    keywords: tuple[str, ...] = ()
    # Narrows a match to the part that holds the value: (start, end) within ``value``, or None
    # to drop it. For matches whose end a pattern cannot know ("Dr. Powell aware": the name
    # ends where the words stop being names).
    refine: Callable[[str], tuple[int, int] | None] | None = None
    # Like ``refine``, for a pattern that matches where a value starts and leaves the rest to a
    # lookahead (so that no match swallows the start of the next): given the whole text and
    # the match's (start, end), the value's (start, end) in the text, or None to drop it.
    extend: Callable[[str, int, int], tuple[int, int] | None] | None = None
    # A second cheap gate, for words whose case matters ("NP", "RN"): a regex the text must match.
    gate: str | None = None
    # For a lexicon too large to scan for with one regex: the (start, end) of each value in a
    # text, found some cheaper way; the spec's one pattern then only names how it was found.
    finder: Callable[[str], Iterable[tuple[int, int]]] | None = None

    def runs_on(self, text: str, lowered: str) -> bool:
        """Whether the gates let this recognizer run on ``text`` (``lowered``: text.lower())."""
        if self.keywords and not any(keyword in lowered for keyword in self.keywords):
            return False
        return self.gate is None or _gate(self.gate).search(text) is not None

    @property
    def presidio_entity(self) -> str:
        """The name Presidio knows this recognizer's results by.

        Unique per recognizer, so Presidio's own de-duplication (same entity, overlapping
        span, keep the higher score) never lets its NER silently replace a labelled match;
        auditor resolves overlaps itself and reports ``entity``.
        """
        return "AUDITOR_" + self.detector.removeprefix("auditor.")
