"""YAML loading and JSON Schema validation for rule packs, the catalog and waivers.

An error names the file, the rule (or entry) id and the field, in one line (exit 2).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from auditor.errors import ConfigError


class PolicyFileError(ConfigError):
    """A rule pack, the catalog or a waivers file is missing, unreadable or invalid."""


# Hostile YAML (a scanned repository can name its own rules directory): a file is read only
# up to this size, and aliases may not expand it past this many nodes (a 397-byte "billion
# laughs" expands to 10^9). The shipped files are far under both.
MAX_YAML_BYTES = 4 * 2**20
MAX_YAML_NODES = 200_000


def load_yaml(path: Path) -> Any:
    """Parse a YAML file, turning every failure into one line naming the file."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise PolicyFileError(f"{path}: larger than {MAX_YAML_BYTES // 2**20} MB; not read")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PolicyFileError(f"{path}: not UTF-8 text") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        if "&" in text:  # anchors: measure what their aliases expand to before building it
            _check_expansion(yaml.compose(text, Loader=loader), path)
        # libyaml's loader where PyYAML was built with it: ten times faster on the check path.
        return _plain(yaml.load(text, Loader=loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise PolicyFileError(f"{path}: not valid YAML{where}: {problem}") from None
    except (ValueError, OverflowError) as exc:  # a scalar YAML cannot build: 2026-02-30 as a date
        raise PolicyFileError(f"{path}: not valid YAML: a value cannot be read ({exc})") from None
    except RecursionError:
        raise PolicyFileError(f"{path}: not valid YAML: nested too deep") from None


def _check_expansion(root: yaml.Node | None, path: Path) -> None:
    """Refuse a document whose aliases expand past MAX_YAML_NODES (counted, never expanded)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a recursive alias counts once instead of looping
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        sizes[id(node)] = min(total, MAX_YAML_NODES + 1)
        return sizes[id(node)]

    if root is not None and size(root) > MAX_YAML_NODES:
        raise PolicyFileError(f"{path}: YAML aliases expand past {MAX_YAML_NODES:,} nodes; refused")


def _plain(node: Any) -> Any:
    """YAML reads ``2026-12-31`` as a date; keep every scalar as JSON has it (dates as text)."""
    if isinstance(node, dict):
        return {str(k) if isinstance(k, date) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, date):
        return node.isoformat()
    return node


@cache
def _schema_text(name: str) -> str:
    return resources.files("auditor").joinpath(f"data/{name}.schema.json").read_text(encoding="utf-8")


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(_schema_text(name))
    return schema


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "auditor" / "validated"


def _validation_key(data: Any, schema_name: str) -> str:
    digest = hashlib.sha256(_schema_text(schema_name).encode())
    digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    return digest.hexdigest()


@cache
def _validated() -> set[str]:
    try:
        return set(_cache_file().read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return set()


def _remember(key: str) -> None:
    """Best effort: a read-only home only costs a re-validation next time."""
    _validated().add(key)
    try:
        path = _cache_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="ascii") as handle:
            handle.write(key + "\n")
    except OSError:
        pass


def validate(data: Any, schema_name: str, path: Path | str) -> None:
    """Validate ``data`` against a shipped schema; the first error names file, id and field.

    A document that once passed is remembered by the hash of its content and of the schema,
    so the pre-commit path does not import jsonschema to re-check unchanged rule packs.
    """
    key = _validation_key(data, schema_name)
    if key in _validated():
        return
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(_schema(schema_name))
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if not errors:
        _remember(key)
        return
    error = errors[0]
    raise PolicyFileError(f"{path}: {_where(data, list(error.absolute_path))}: {_message(error)}")


def _where(data: Any, path: list[Any]) -> str:
    """``rule HIPAA-BAA-001, field decision`` from a JSON path such as ['rules', 3, 'decision']."""
    parts: list[str] = []
    node = data
    fields: list[str] = []
    for step in path:
        if isinstance(step, int) and isinstance(node, list):
            item = node[step] if step < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            label = (fields[-1][:-1] if fields and fields[-1].endswith("s") else "item") if fields else "item"
            if fields:
                fields.pop()
            parts.append(f"{label} {ident}" if ident else f"{label} #{step + 1}")
            node = item
        else:
            fields.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    if fields:
        parts.append("field " + ".".join(fields))
    return ", ".join(parts) if parts else "top level"


def _message(error: Any) -> str:
    message = str(error.message)
    if error.validator == "required":
        return message.replace("is a required property", "is required")
    if error.validator == "additionalProperties":
        return message.replace("Additional properties are not allowed", "unknown field")
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    return message
