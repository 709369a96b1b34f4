"""What a source reader hands to the detectors: text units made of located pieces.

A unit is the text the detectors analyse at once (a block of a text file, one JSONL record's
fields, one CSV row, a file's string literals). It is made of pieces: stretches of the text
that come from one place in the file and know how to turn an offset into a ``Location``. Text
between pieces (separators, a CSV header used as a label) is analysed but never reported.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from auditor.model import Location, RecordContext, SkippedSource

Locator = Callable[[int], Location]


@dataclass(frozen=True, slots=True)
class Piece:
    """``text[start:end]`` of a unit, located by ``locate(offset_within_piece)``."""

    start: int
    end: int
    locate: Locator


@dataclass(frozen=True, slots=True)
class TextUnit:
    """Text analysed in one go; findings in it share one clinical context."""

    text: str
    pieces: tuple[Piece, ...]

    def locate(self, offset: int) -> Location | None:
        """The file location of ``text[offset]``, or None when it falls between pieces."""
        starts = [p.start for p in self.pieces]
        index = bisect.bisect_right(starts, offset) - 1
        if index < 0:
            return None
        piece = self.pieces[index]
        if offset >= piece.end:
            return None
        return piece.locate(offset - piece.start)

    def piece_end(self, offset: int) -> int:
        """The end of the piece holding ``offset`` (spans are clipped to one piece)."""
        starts = [p.start for p in self.pieces]
        index = bisect.bisect_right(starts, offset) - 1
        return self.pieces[index].end if index >= 0 else offset


# What a reader yields: units to analyse, records to map to destinations, parts it skipped.
SourceEvent = TextUnit | RecordContext | SkippedSource
Reader = Callable[..., Iterator[SourceEvent]]


class LineIndex:
    """Maps offsets in a string to 1-based (line, column), given where the string starts."""

    def __init__(self, text: str, first_line: int = 1, first_column: int = 1) -> None:
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self._first_line = first_line
        self._first_column = first_column

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of ``offset``."""
        before = bisect.bisect_left(self._newlines, offset)
        if before == 0:
            return self._first_line, self._first_column + offset
        return self._first_line + before, offset - self._newlines[before - 1]


def text_piece(
    path: str,
    text: str,
    start: int = 0,
    first_line: int = 1,
    first_column: int = 1,
    record: int | None = None,
    pointer: str | None = None,
) -> Piece:
    """A piece whose offsets map to lines and columns by counting newlines."""
    index = LineIndex(text, first_line, first_column)

    def locate(offset: int) -> Location:
        line, column = index.position(offset)
        return Location(path, line, column, record=record, pointer=pointer)

    return Piece(start, start + len(text), locate)


def join_pieces(parts: list[tuple[str, str, Callable[[str, int], Piece]]]) -> TextUnit:
    """Build one unit from (label, text, make_piece) parts, one part a line.

    ``label`` is analysed as context in front of the text (a CSV header, say) but never
    reported; ``make_piece(text, start)`` returns the located piece for the text.
    """
    chunks: list[str] = []
    pieces: list[Piece] = []
    cursor = 0
    for label, text, make_piece in parts:
        prefix = f"{label}: " if label else ""
        chunks.append(prefix + text + "\n")
        start = cursor + len(prefix)
        pieces.append(make_piece(text, start))
        cursor = start + len(text) + 1
    return TextUnit("".join(chunks), tuple(pieces))


# A key or column name that reads like a schema name: letters first, then letters, digits,
# "_", "-", "." or spaces; no run of three digits (an identifier's digits), no "@", short.
_SCHEMA_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\- ]{0,63}")
_DIGIT_RUN = re.compile(r"\d{3}")


def is_schema_key(name: str) -> bool:
    """Whether a key or column name may appear in a location as written.

    Keys and column names are data too: a JSON object keyed by e-mail address, or a CSV whose
    first row is a person's record. Only names that look like schema names are shown; others
    are replaced by their position (locations never carry values).
    """
    return bool(_SCHEMA_KEY.fullmatch(name)) and not _DIGIT_RUN.search(name) and not _looks_like_a_name(name)


def _looks_like_a_name(text: str) -> bool:
    """Two or more capitalised words and nothing else ("Zelda Quixote"): a person, not a field.

    "Patient Name" is a field, and also two capitalised words: it is kept when one of its
    words is a common field word.
    """
    words = text.split()
    if len(words) < 2 or not all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words):
        return False
    return not any(w.lower() in _FIELD_WORDS for w in words)


_FIELD_WORDS = frozenset(
    "name names first last middle given family full patient member user customer client account "
    "id number no date birth dob address street city state zip postal code phone email mail "
    "ssn mrn record note notes text prompt message content amount type status diagnosis "
    "description comment comments title value count total age sex gender".split()
)
