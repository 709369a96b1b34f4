"""Sources: files and records turned into located text units for the detectors."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.sources.base import LineIndex, Piece, SourceEvent, TextUnit
from auditor.sources.code import read_code, read_python
from auditor.sources.csvfile import read_csv
from auditor.sources.files import FileToScan, format_of, iter_files
from auditor.sources.jsonlog import read_json, read_jsonl
from auditor.sources.logformats import LogFormats
from auditor.sources.textfile import read_text

__all__ = [
    "FileToScan",
    "LineIndex",
    "Piece",
    "SourceEvent",
    "TextUnit",
    "format_of",
    "iter_files",
    "read_source",
]


def read_source(file: FileToScan, formats: LogFormats | None = None) -> Iterator[SourceEvent]:
    """The events of one file, by its format; JSON records by the request-log ``formats``."""
    path, display, encoding = file.path, file.display, file.encoding
    if file.format == "jsonl":
        return read_jsonl(path, display, encoding=encoding, formats=formats)
    if file.format == "json":
        return read_json(path, display, encoding=encoding, formats=formats)
    if file.format == "csv":
        return read_csv(path, display, encoding=encoding)
    if file.format == "tsv":
        return read_csv(path, display, delimiter="\t", encoding=encoding)
    if file.format == "python":
        return read_python(path, display, encoding=encoding)
    if file.format == "code":
        return read_code(path, display, encoding=encoding)
    return read_text(path, display, encoding=encoding)
