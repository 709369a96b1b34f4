"""The JSON form of a scan result. Its shape is a public contract: see ``SCHEMA_VERSION``.

The schema ships as ``auditor/data/scan-result.schema.json``; a change that removes or
renames a field bumps the major version.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from auditor.model import ScanResult

SCHEMA_VERSION = "1.0"


def result_to_dict(result: ScanResult) -> dict[str, Any]:
    """A plain dict of the result, in the documented schema."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "auditor", "version": result.tool_version},
        "scan": {
            "roots": list(result.roots),
            "started_at": result.started_at,
            "finished_at": result.finished_at,
            "model": result.model_name,
            "min_confidence": result.min_confidence,
        },
        "summary": {
            "sources_scanned": len(result.sources),
            "sources_skipped": len(result.skipped),
            "findings": len(result.findings),
            "by_category": result.counts_by_category(),
        },
        "sources": [asdict(s) for s in result.sources],
        "skipped": [asdict(s) for s in result.skipped],
        "records": [asdict(r) for r in result.records],
        "findings": [
            {**asdict(f), "category": f.category.value, "location": asdict(f.location)} for f in result.findings
        ],
    }


def render_json(result: ScanResult) -> str:
    """The result as indented JSON text."""
    return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"
