"""Baselines (``.auditor-baseline.json``): the flows a team has accepted for now, as a set.

``check`` reports only what the baseline lacks: new flows are a set difference. The file
holds flow identities and finding fingerprints, never a value or an excerpt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.model import ScanResult

BASELINE_FILE = ".auditor-baseline.json"
BASELINE_VERSION = 1


@dataclass(frozen=True)
class Baseline:
    flows: frozenset[str]
    fingerprints: frozenset[str] = frozenset()


def baseline_from(result: ScanResult) -> dict[str, Any]:
    """The baseline document for a scan: every flow at or above fail_on, by identity."""
    failing = result.failing_flows()
    return {
        "version": BASELINE_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool_version": result.tool_version,
        "fail_on": result.fail_on,
        "flows": sorted(
            (
                {
                    "id": item.identity,
                    "path": item.flow.sink.location.path,
                    "call": item.flow.sink.call,
                    "destination": item.flow.destination.id,
                    "verdict": item.verdict.decision.value,
                    "rules": [o.rule_id for o in item.verdict.trail],
                }
                for item in failing
            ),
            key=lambda f: (f["path"], f["id"]),
        ),
        "fingerprints": sorted({f.fingerprint for item in failing for f in item.flow.findings}),
    }


def write_baseline(result: ScanResult, path: Path) -> int:
    """Write the baseline; returns how many flows it holds."""
    document = baseline_from(result)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return len(document["flows"])


def load_baseline(path: Path) -> Baseline | None:
    """The baseline at ``path``; None when there is none."""
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("version") != BASELINE_VERSION:
            raise ConfigError(f"{path}: baseline version {document.get('version')!r} is not {BASELINE_VERSION}")
        return Baseline(frozenset(f["id"] for f in document["flows"]), frozenset(document.get("fingerprints", ())))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path}: not a readable auditor baseline ({type(exc).__name__})") from None
