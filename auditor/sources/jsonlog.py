"""JSON and JSONL request logs: every string field, located by record and JSON pointer.

A record of a known format (``logformats``: LiteLLM's standard logging payload, OpenAI batch
files, LangSmith and Langfuse exports) is read where its schema keeps what was sent to the
model; any other record (OpenAI ``messages``, Anthropic ``system``/``messages``, generic
``prompt``/``input``) by every string leaf that is not request metadata. The model, provider
and URL of each record are kept for flow mapping.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from auditor.model import Location, RecordContext, SkippedSource
from auditor.sources.base import LineIndex, Piece, SourceEvent, TextUnit
from auditor.sources.logformats import LogFormat, at, first_string, log_formats

MODEL_KEYS = ("model", "model_id", "modelId", "deployment")
PROVIDER_KEYS = ("provider", "vendor", "api_provider")
URL_KEYS = ("url", "base_url", "api_base", "endpoint", "host")
NESTED_REQUEST_KEYS = ("request", "body", "request_body", "params", "payload")


def read_jsonl(path: str, display: str) -> Iterator[SourceEvent]:
    """One record per line; a malformed line is skipped alone, the lines around it are kept."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield SkippedSource(display, _malformed(exc), line=number)
                continue
            yield from _record_events(display, record, number - 1, number, LineIndex(raw, number), raw)


def read_json(path: str, display: str) -> Iterator[SourceEvent]:
    """A JSON document: a top-level array is a list of records, anything else one record."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        raw = handle.read()
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        yield SkippedSource(display, _malformed(exc, with_line=True))
        return
    index = LineIndex(raw)
    records = document if isinstance(document, list) else [document]
    cursor = _Cursor(raw)
    for number, record in enumerate(records):
        start = cursor.position
        line = index.position(start)[0]
        yield from _record_events(display, record, number, line, index, raw, cursor)


def _malformed(exc: json.JSONDecodeError, with_line: bool = False) -> str:
    where = f"line {exc.lineno}, column {exc.colno}" if with_line else f"column {exc.colno}"
    return f"malformed JSON: {exc.msg.removesuffix(' at')} ({where})"


class _Cursor:
    """Finds each string value in the raw text, in document order."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.position = 0

    def find(self, value: str) -> tuple[int, bool] | None:
        """Offset of the encoded value's first character, and whether ASCII escaping was used."""
        for ascii_only in (False, True):
            encoded = json.dumps(value, ensure_ascii=ascii_only)
            found = self.raw.find(encoded, self.position)
            if found >= 0:
                self.position = found + len(encoded)
                return found + 1, ascii_only
        return None


def _record_events(
    display: str,
    record: Any,
    number: int,
    line: int,
    index: LineIndex,
    raw: str,
    cursor: _Cursor | None = None,
) -> Iterator[SourceEvent]:
    formats = log_formats()
    known = formats.format_of(record)
    if isinstance(record, dict):
        yield RecordContext(display, number, line, **_request_facts(record, known))
    cursor = cursor or _Cursor(raw)
    pieces: list[Piece] = []
    chunks: list[str] = []
    offset = 0
    if known is None:
        leaves = _string_leaves(record, "", formats.metadata_keys)
    else:
        leaves = (
            leaf
            for pointer in known.content
            if at(record, pointer) is not None
            for leaf in _string_leaves(at(record, pointer), pointer, formats.metadata_keys)
        )
    for pointer, value in leaves:
        if not value.strip():
            continue
        found = cursor.find(value)
        pieces.append(
            Piece(offset, offset + len(value), _json_locator(display, number, pointer, index, found, value, line))
        )
        chunks.append(value + "\n")
        offset += len(value) + 1
    if pieces:
        yield TextUnit("".join(chunks), tuple(pieces))


def _json_locator(display, number, pointer, index, found, value, fallback_line):
    def locate(offset: int) -> Location:
        if found is None:
            return Location(display, fallback_line, 1, record=number, pointer=pointer)
        start, ascii_only = found
        escaped = len(json.dumps(value[:offset], ensure_ascii=ascii_only)) - 2
        line, column = index.position(start + escaped)
        return Location(display, line, column, record=number, pointer=pointer)

    return locate


def _string_leaves(node: Any, pointer: str, metadata: frozenset[str]) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield pointer, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in metadata and not isinstance(value, (dict, list)):
                continue
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            yield from _string_leaves(value, f"{pointer}/{escaped}", metadata)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _string_leaves(value, f"{pointer}/{i}", metadata)


def _request_facts(record: dict, known: LogFormat | None) -> dict[str, str | None]:
    generic = _generic_facts(record)
    if known is None:
        return generic
    return {
        "model": first_string(record, known.model) or generic["model"],
        "provider": first_string(record, known.provider) or known.provider_default or generic["provider"],
        "url": first_string(record, known.url) or generic["url"],
    }


def _generic_facts(record: dict) -> dict[str, str | None]:
    layers = [record] + [record[k] for k in NESTED_REQUEST_KEYS if isinstance(record.get(k), dict)]

    def first(keys: tuple[str, ...]) -> str | None:
        for layer in layers:
            for key in keys:
                value = layer.get(key)
                if isinstance(value, str) and value:
                    return value
        return None

    return {"model": first(MODEL_KEYS), "provider": first(PROVIDER_KEYS), "url": first(URL_KEYS)}
