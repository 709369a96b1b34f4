"""The JSON form of a scan result. Its shape is a public contract: see ``SCHEMA_VERSION``.

The schema ships as ``auditor/data/scan-result.schema.json``; a change that removes or
renames a field bumps the major version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from auditor.model import AssessedFlow, Finding, ScanResult, Verdict
from auditor.reports.interface import ResultFormat

SCHEMA_VERSION = "1.1"


def result_to_dict(result: ScanResult) -> dict[str, Any]:
    """A plain dict of the result, in the documented schema."""
    index: dict[Finding, int] = {}
    for number, finding in enumerate(result.findings):
        index.setdefault(finding, number)
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
            "flows": len(result.flows),
            "by_verdict": result.counts_by_decision(),
            "failing": len(result.failing_flows()),
        },
        "policy": {
            "fail_on": result.fail_on,
            "config_sha256": result.config_sha256,
            "packs": [asdict(p) for p in result.packs],
            "waivers": [asdict(w) for w in result.waivers],
        },
        "sources": [asdict(s) for s in result.sources],
        "skipped": [asdict(s) for s in result.skipped],
        "records": [asdict(r) for r in result.records],
        "findings": [
            {**asdict(f), "category": f.category.value, "location": asdict(f.location)} for f in result.findings
        ],
        "flows": [flow_to_dict(item, result.fail_on, index) for item in result.flows],
    }


def flow_to_dict(item: AssessedFlow, fail_on: str, finding_index: dict[Finding, int] | None = None) -> dict[str, Any]:
    """A flow and its verdict; findings as indexes into the result's findings when given."""
    flow, verdict = item.flow, item.verdict
    return {
        "id": flow.identity,
        "kind": flow.kind.value,
        "sink": {"location": asdict(flow.sink.location), "call": flow.sink.call},
        "destination": {**asdict(flow.destination), "kind": flow.destination.kind.value},
        "categories": [c.value for c in flow.categories],
        "findings": [finding_index[f] for f in flow.findings if f in finding_index] if finding_index else [],
        "sources": [
            {**asdict(s), "categories": [c.value for c in s.categories], "location": asdict(s.location)}
            for s in flow.sources
        ],
        "steps": [{"location": asdict(s.location), "description": s.description} for s in flow.steps],
        "sanitizers": list(flow.sanitizers),
        "suppressions": [asdict(s) for s in flow.suppressions],
        "verdict": verdict_to_dict(verdict, fail_on),
    }


def verdict_to_dict(verdict: Verdict, fail_on: str = "unmet") -> dict[str, Any]:
    """A verdict with its whole rule trail."""
    return {
        "decision": verdict.decision.value,
        "fails": verdict.fails(fail_on),
        "waived": verdict.waived,
        "trail": [
            {**asdict(o), "decision": o.decision.value, "citations": list(o.citations), "matched": list(o.matched)}
            for o in verdict.trail
        ],
        "remediation": list(verdict.remediation),
    }


class JsonFormat(ResultFormat):
    """The full result, as ``auditor/data/scan-result.schema.json`` describes it."""

    def render(self, result: ScanResult, problems: Sequence[Any] = ()) -> str:
        return render_json(result)


def render_json(result: ScanResult) -> str:
    """The result as indented JSON text."""
    return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"
