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

    def matches(self, record: dict) -> bool:
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


def _parse(data: Any, origin: str) -> tuple[list[LogFormat], set[str]]:
    if not isinstance(data, dict):
        raise ValueError(f"{origin}: expected a mapping with 'formats' and 'metadata_keys'")
    formats = []
    for raw in data.get("formats") or ():
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
        formats.append(LogFormat(**fields))
    return formats, {str(k) for k in data.get("metadata_keys") or ()}


@cache
def _shipped() -> LogFormats:
    text = resources.files("auditor").joinpath("data/log-formats.yaml").read_text(encoding="utf-8")
    formats, keys = _parse(yaml.safe_load(text), "log-formats.yaml")
    return LogFormats(tuple(formats), frozenset(keys))


def log_formats() -> LogFormats:
    """The formats auditor knows, from ``auditor/data/log-formats.yaml``."""
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
