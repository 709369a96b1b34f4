"""Request-log formats: which fields of a record are sent to the model, and where it went.

The formats are data (``auditor/data/log-formats.yaml``, extended by a site's own file): a
LiteLLM standard logging payload keeps the prompt in ``messages``, the provider in
``custom_llm_provider`` and the endpoint in ``hidden_params.api_base``; its key alias, team,
caller IP and cost are metadata and make no flow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class LogFormat:
    """One format: how to recognise a record, where its content and its destination are."""

    id: str
    detect: tuple[str, ...]
    content: tuple[str, ...] = ()
    provider: tuple[str, ...] = ()
    url: tuple[str, ...] = ()
    model: tuple[str, ...] = ()
    provider_default: str | None = None

    def matches(self, record: dict[str, Any]) -> bool:
        return all(key in record for key in self.detect)


@dataclass(frozen=True)
class LogFormats:
    formats: tuple[LogFormat, ...]
    metadata_keys: frozenset[str]

    def format_of(self, record: Any) -> LogFormat | None:
        """The first format whose detect keys the record holds (None: read it whole)."""
        if not isinstance(record, dict):
            return None
        return next((f for f in self.formats if f.matches(record)), None)

    def extended(self, site: LogFormats) -> LogFormats:
        """These formats with a site's: the site's come first (a format of the same id
        replaces the shipped one) and its metadata keys are added to these."""
        ids = {f.id for f in site.formats}
        return LogFormats(
            site.formats + tuple(f for f in self.formats if f.id not in ids),
            self.metadata_keys | site.metadata_keys,
        )


_LIST_FIELDS = ("detect", "content", "provider", "url", "model")
_FIELDS = ("id", *_LIST_FIELDS, "provider_default")


def parse_log_formats(data: Any, origin: str) -> LogFormats:
    """Formats from a parsed YAML document; ValueError names the entry and field that is wrong."""
    if not isinstance(data, dict) or set(data) - {"formats", "metadata_keys"}:
        raise ValueError(f"{origin}: expected a mapping with 'formats' and 'metadata_keys' only")
    formats = []
    for number, raw in enumerate(data.get("formats") or (), start=1):
        where = f"{origin}: formats[{number}]"
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: expected a mapping")
        unknown = sorted(set(raw) - set(_FIELDS))
        if unknown:
            raise ValueError(f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(_FIELDS)})")
        if not isinstance(raw.get("id"), str) or not raw.get("detect"):
            raise ValueError(f"{where}: needs an 'id' and a non-empty 'detect' list")
        fields: dict[str, Any] = {"id": raw["id"], "provider_default": raw.get("provider_default")}
        for name in _LIST_FIELDS:
            value = raw.get(name) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{where} ({raw['id']}): {name} must be a list of strings")
            fields[name] = tuple(value)
        for pointer in (*fields["content"], *fields["provider"], *fields["url"], *fields["model"]):
            if not pointer.startswith("/"):
                raise ValueError(f"{where} ({raw['id']}): {pointer!r} is no JSON pointer (they start with /)")
        formats.append(LogFormat(**fields))
    keys = data.get("metadata_keys") or []
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValueError(f"{origin}: metadata_keys must be a list of strings")
    return LogFormats(tuple(formats), frozenset(keys))


@cache
def _shipped() -> LogFormats:
    text = resources.files("auditor").joinpath("data/log-formats.yaml").read_text(encoding="utf-8")
    return parse_log_formats(yaml.safe_load(text), "log-formats.yaml")


def log_formats() -> LogFormats:
    """The formats auditor knows, from ``auditor/data/log-formats.yaml``; a site extends them
    with ``log_formats`` in its configuration (``pipeline.log_formats_for``)."""
    return _shipped()


def at(record: Any, pointer: str) -> Any:
    """The value at an RFC 6901 pointer, or None."""
    node = record
    for part in _parts(pointer):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


@cache
def _parts(pointer: str) -> tuple[str, ...]:
    """A pointer's unescaped segments, split once: the same few pointers are read from every record."""
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/"))


def first_string(record: Any, pointers: Sequence[str]) -> str | None:
    """The first non-empty string among the pointers."""
    for pointer in pointers:
        value = at(record, pointer)
        if isinstance(value, str) and value:
            return value
    return None
