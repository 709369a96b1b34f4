"""SARIF 2.1.0: flows at or above fail_on as results, so code-scanning dashboards show them.

One result per flow, under the rule that decides it; the rule's citations, the destination
and the flow identity ride along in properties, and ``partialFingerprints`` carries the flow
identity so a dashboard tracks a flow across commits. No value or excerpt is included.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from auditor.model import Decision, RuleOutcome, ScanResult
from auditor.reports.interface import ResultFormat

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Decision.LOCAL_ONLY: "error", Decision.CONDITIONAL: "warning", Decision.ALLOW: "note"}


class SarifFormat(ResultFormat):
    """SARIF 2.1.0 for code-scanning dashboards: one result per problem."""

    def render(self, result: ScanResult, problems: Sequence[Any] = ()) -> str:
        return render_sarif(result, problems)


def render_sarif(result: ScanResult, problems: Sequence[Any]) -> str:
    """A SARIF log of ``problems`` (items with ``.flow`` and ``.outcome``) from ``result``."""
    rules: dict[str, RuleOutcome] = {}
    results = []
    for problem in problems:
        item, outcome = problem.flow, problem.outcome
        rules.setdefault(outcome.rule_id, outcome)
        flow = item.flow
        loc = flow.sink.location
        data = ", ".join(c.value for c in flow.categories) or "no regulated data"
        results.append(
            {
                "ruleId": outcome.rule_id,
                "level": _LEVEL[outcome.decision],
                "message": {
                    "text": f"{data} -> {flow.destination.name or flow.destination.id} "
                    f"({flow.destination.kind.value}): {outcome.decision.value}. {outcome.remediation}"
                },
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": loc.path.replace("\\", "/")},
                            "region": {"startLine": loc.line, "startColumn": loc.column},
                        }
                    }
                ],
                "partialFingerprints": {"auditorFlow/v1": item.identity},
                "properties": {
                    "verdict": item.verdict.decision.value,
                    "destination": flow.destination.id,
                    "destinationResolvedBy": flow.destination.resolved_by,
                    "categories": [c.value for c in flow.categories],
                    "citations": list(outcome.citations),
                    "unmetConditions": [c.id for c in outcome.conditions if c.unmet],
                    "flowKind": flow.kind.value,
                },
            }
        )
    ids = sorted(rules)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "auditor",
                        "version": result.tool_version,
                        "rules": [_rule(rules[i]) for i in ids],
                    }
                },
                "results": [{**r, "ruleIndex": ids.index(r["ruleId"])} for r in results],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _rule(outcome: RuleOutcome) -> dict[str, Any]:
    return {
        "id": outcome.rule_id,
        "name": outcome.rule_id.replace("-", ""),
        "shortDescription": {"text": outcome.title},
        "fullDescription": {"text": f"{outcome.title}. Cites: {'; '.join(outcome.citations)}."},
        "help": {"text": outcome.remediation},
        "defaultConfiguration": {"level": _LEVEL[outcome.decision]},
        "properties": {"framework": outcome.framework, "pack": outcome.pack, "source": outcome.source},
    }
