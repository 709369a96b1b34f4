"""CSV and TSV: one unit per row, each cell analysed behind its column name as a label.

The first row is a header only if it reads like one (every cell a schema-like name, see
``is_schema_key``); otherwise it is data, scanned like the others, and columns are known by
their 1-based number. A location never carries a cell of data as a column name.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator

from auditor.model import SkippedSource
from auditor.sources.base import Piece, SourceEvent, is_schema_key, join_pieces, text_piece


class _RawLines:
    """Feeds the csv reader and remembers the raw lines of the current row."""

    def __init__(self, handle: Iterator[str]) -> None:
        self._handle = handle
        self.consumed: list[str] = []
        self.line = 0

    def __iter__(self) -> _RawLines:
        return self

    def __next__(self) -> str:
        line = next(self._handle)
        self.line += 1
        self.consumed.append(line)
        return line


def read_csv(path: str, display: str, delimiter: str = ",", encoding: str = "utf-8-sig") -> Iterator[SourceEvent]:
    """Yield one unit per data row; a row csv cannot parse is skipped alone."""
    with open(path, encoding=encoding, newline="") as handle:
        raw = _RawLines(handle)
        reader = csv.reader(raw, delimiter=delimiter)
        header: list[str] | None = None
        row_number = -1
        while True:
            raw.consumed = []
            first_line = raw.line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield SkippedSource(display, f"malformed CSV row: {exc}", line=first_line)
                continue
            if header is None:
                header = row if looks_like_header(row) else []
                if header:
                    continue
            row_number += 1
            text = "".join(raw.consumed)
            parts = []
            cursor = 0
            for column, cell in enumerate(row):
                if not cell.strip():
                    continue
                named = column < len(header) and header[column].strip()
                name = header[column] if named else f"column {column + 1}"
                found = text.find(cell, cursor)
                base = found if found >= 0 else 0
                if found >= 0:
                    cursor = found + len(cell)
                line = first_line + text.count("\n", 0, base)
                col = base - (text.rfind("\n", 0, base) + 1) + 1
                # The column name is context for the detectors: "patient_name" reads "patient name".
                label = name.replace("_", " ")
                pointer = f"/{name}" if named else f"/{column + 1}"
                parts.append((label, cell, _maker(display, line, col, row_number, pointer)))
            if parts:
                yield join_pieces(parts)


def looks_like_header(row: list[str]) -> bool:
    """A first row is a header when it has a name and every non-empty cell is a schema-like name."""
    names = [cell.strip() for cell in row if cell.strip()]
    return bool(names) and all(is_schema_key(name) for name in names)


def _maker(display: str, line: int, column: int, row: int, pointer: str) -> Callable[[str, int], Piece]:
    def make(text: str, start: int) -> Piece:
        return text_piece(display, text, start, line, column, record=row, pointer=pointer)

    return make
