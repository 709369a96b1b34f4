"""JSON and JSONL request logs: every string field, located by record and JSON pointer.

A record of a known format (``logformats``: LiteLLM's standard logging payload, OpenAI batch
files, LangSmith and Langfuse exports) is read where its schema keeps what was sent to the
model; any other record (OpenAI ``messages``, Anthropic ``system``/``messages``, generic
``prompt``/``input``) by every string leaf that is not request metadata. The model, provider
and URL of each record are kept for flow mapping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from auditor.model import Location, RecordContext, SkippedSource
from auditor.sources.base import LineIndex, Piece, SourceEvent, TextUnit, is_schema_key
from auditor.sources.logformats import LogFormat, LogFormats, at, first_string, log_formats
from auditor.sources.usage import usage_of

MODEL_KEYS = ("model", "model_id", "modelId", "deployment")
PROVIDER_KEYS = ("provider", "vendor", "api_provider")
URL_KEYS = ("url", "base_url", "api_base", "endpoint", "host")
NESTED_REQUEST_KEYS = ("request", "body", "request_body", "params", "payload")
# Hostile input limits: a record nested deeper than this is skipped (Python's parser and our
# walk recurse); a number longer than this is kept as nothing (numbers are never scanned, and
# int() of 5,000 digits raises).
MAX_DEPTH = 200
MAX_NUMBER_CHARS = 100
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


class _TooDeep(Exception):
    """A record nests deeper than MAX_DEPTH."""


def _parse(text: str) -> Any:
    """json.loads with bounded numbers; RecursionError (deep nesting) is the caller's."""
    return json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=float)


def _bounded_int(text: str) -> int | None:
    return int(text) if len(text) <= MAX_NUMBER_CHARS else None


def _bounded_float(text: str) -> float | None:
    return float(text) if len(text) <= MAX_NUMBER_CHARS else None


def _clean(text: str) -> str:
    """Lone surrogates (``"\\ud800"`` in JSON) cannot be encoded: U+FFFD instead, same length."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def read_jsonl(
    path: str, display: str, encoding: str = "utf-8-sig", formats: LogFormats | None = None
) -> Iterator[SourceEvent]:
    """One record per line; a malformed line is skipped alone, the lines around it are kept.

    ``formats``: the request-log formats to read records by (default: the shipped ones)."""
    formats = formats or log_formats()
    with open(path, encoding=encoding, newline="") as handle:
        for number, raw in enumerate(handle, start=1):
            yield from jsonl_line_events(display, number, raw, formats)


def jsonl_line_events(display: str, number: int, raw: str, formats: LogFormats | None = None) -> Iterator[SourceEvent]:
    """The events of line ``number`` (1-based) of a JSONL file: nothing for a blank line, a
    skipped entry for a malformed one. Shared by the file reader and ``auditor.spark``."""
    formats = formats or log_formats()
    if not raw.strip():
        return
    try:
        record = _parse(raw)
    except json.JSONDecodeError as exc:
        yield SkippedSource(display, _malformed(exc), line=number)
        return
    except RecursionError:
        yield SkippedSource(display, _too_deep(), line=number)
        return
    yield from _record_events(formats, display, record, number - 1, number, LineIndex(raw, number), raw)


def record_events(
    display: str, record: Any, number: int, raw: str, formats: LogFormats | None = None
) -> Iterator[SourceEvent]:
    """The events of one already-parsed record (a Parquet row), located in ``raw``, its JSON
    form: ``number`` is the 0-based record index, the line ``number + 1``."""
    formats = formats or log_formats()
    yield from _record_events(formats, display, record, number, number + 1, LineIndex(raw, number + 1), raw)


def read_json(
    path: str, display: str, encoding: str = "utf-8-sig", formats: LogFormats | None = None
) -> Iterator[SourceEvent]:
    """A JSON document: a top-level array is a list of records, anything else one record."""
    with open(path, encoding=encoding, newline="") as handle:
        raw = handle.read()
    for _, events in json_document_records(display, raw, formats):
        yield from events


def json_document_records(
    display: str, raw: str, formats: LogFormats | None = None
) -> Iterator[tuple[int | None, list[SourceEvent]]]:
    """The events of a JSON document's text, record by record, with the line each record
    starts on (None for a document that does not parse: one skipped entry). Shared by the
    file reader and ``auditor.spark``, which counts records per file."""
    formats = formats or log_formats()
    try:
        document = _parse(raw)
    except json.JSONDecodeError as exc:
        yield None, [SkippedSource(display, _malformed(exc, with_line=True))]
        return
    except RecursionError:
        yield None, [SkippedSource(display, _too_deep())]
        return
    index = LineIndex(raw)
    records = document if isinstance(document, list) else [document]
    cursor = _Cursor(raw)
    for number, record in enumerate(records):
        line = index.position(cursor.position)[0]
        yield line, list(_record_events(formats, display, record, number, line, index, raw, cursor))


def _too_deep() -> str:
    return f"JSON nested deeper than {MAX_DEPTH} levels: not scanned"


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
    formats: LogFormats,
    display: str,
    record: Any,
    number: int,
    line: int,
    index: LineIndex,
    raw: str,
    cursor: _Cursor | None = None,
) -> Iterator[SourceEvent]:
    known = formats.format_of(record)
    try:
        if known is None:
            leaves = list(_string_leaves(record, "", formats.metadata_keys, 0))
        else:
            leaves = [
                leaf
                for pointer in known.content
                if at(record, pointer) is not None
                for leaf in _string_leaves(at(record, pointer), pointer, formats.metadata_keys, 0)
            ]
    except (_TooDeep, RecursionError):
        yield SkippedSource(display, _too_deep(), line=line)
        return
    if isinstance(record, dict):
        sent = sum(len(value) for pointer, value in leaves if not _is_response(pointer))
        yield RecordContext(display, number, line, **_request_facts(record, known), usage=usage_of(record, sent))
    cursor = cursor or _Cursor(raw)
    pieces: list[Piece] = []
    chunks: list[str] = []
    offset = 0
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


def _is_response(pointer: str) -> bool:
    """A generic record's reply (``/response/...``, ``/choices/...``) is no part of the prompt."""
    return pointer.startswith(("/response/", "/choices/", "/completion", "/output", "/content/"))


def _json_locator(
    display: str,
    number: int,
    pointer: str,
    index: LineIndex,
    found: tuple[int, bool] | None,
    value: str,
    fallback_line: int,
) -> Callable[[int], Location]:
    def locate(offset: int) -> Location:
        if found is None:
            return Location(display, fallback_line, 1, record=number, pointer=pointer)
        start, ascii_only = found
        escaped = len(json.dumps(value[:offset], ensure_ascii=ascii_only)) - 2
        line, column = index.position(start + escaped)
        return Location(display, line, column, record=number, pointer=pointer)

    return locate


def _string_leaves(node: Any, pointer: str, metadata: frozenset[str], depth: int) -> Iterator[tuple[str, str]]:
    if depth > MAX_DEPTH:
        raise _TooDeep
    if isinstance(node, str):
        yield pointer, _clean(node)
    elif isinstance(node, dict):
        for position, (key, value) in enumerate(node.items()):
            if key in metadata and not isinstance(value, (dict, list)):
                continue
            # A key may be data (an object keyed by e-mail address): shown by position then.
            segment = key if is_schema_key(key) else f"#{position}"
            escaped = segment.replace("~", "~0").replace("/", "~1")
            yield from _string_leaves(value, f"{pointer}/{escaped}", metadata, depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _string_leaves(value, f"{pointer}/{i}", metadata, depth + 1)


def _request_facts(record: dict[str, Any], known: LogFormat | None) -> dict[str, str | None]:
    generic = _generic_facts(record)
    if known is None:
        return generic
    url = first_string(record, known.url)
    return {
        "model": _clean_or_none(first_string(record, known.model)) or generic["model"],
        "provider": _clean_or_none(first_string(record, known.provider))
        or known.provider_default
        or generic["provider"],
        "url": (url and safe_url(_clean(url))) or generic["url"],
    }


def _clean_or_none(value: str | None) -> str | None:
    return value and _clean(value)


def _generic_facts(record: dict[str, Any]) -> dict[str, str | None]:
    layers = [record] + [record[k] for k in NESTED_REQUEST_KEYS if isinstance(record.get(k), dict)]

    def first(keys: tuple[str, ...]) -> str | None:
        for layer in layers:
            for key in keys:
                value = layer.get(key)
                if isinstance(value, str) and value:
                    return _clean(value)
        return None

    url = first(URL_KEYS)
    return {"model": first(MODEL_KEYS), "provider": first(PROVIDER_KEYS), "url": url and safe_url(url)}


def safe_url(url: str) -> str:
    """Scheme, host, port and path of a URL: no user info, query string or fragment (they
    carry tokens and identifiers)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return ""
    if not parts.scheme and not parts.netloc:  # a bare host ("api.openai.com/v1")
        return url.split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}{parts.path}"
