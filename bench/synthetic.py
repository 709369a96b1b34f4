"""A made-up stored scan for the store and report benches: masked excerpts, fake fingerprints.

No detector runs: ``synthetic_scan`` builds the ScanResult that ``auditor scan`` would hand
to the store, with findings in request logs and one rule trail per flow. ``record_flow``, the
judged flow of a request record, is also what the store tests build their scans from
(``tests/support/store.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from auditor.model import (
    AssessedFlow,
    Category,
    Condition,
    Decision,
    Destination,
    DestinationKind,
    Finding,
    Flow,
    FlowKind,
    Location,
    PackRef,
    RuleOutcome,
    ScanResult,
    Sink,
    SourceSummary,
    Verdict,
)

ENTITIES = [
    ("MEDICAL_RECORD_NUMBER", Category.PHI, "MRN ******{}"),
    ("PERSON", Category.PHI, "Patient J*** D**, seen for ****{}"),
    ("EMAIL_ADDRESS", Category.PII, "contact ****@*****.com ({})"),
    ("UNRELEASED_EARNINGS", Category.FINANCIAL, "Q3 revenue of $**.* million ({})"),
    ("ITAR_MARKING", Category.EXPORT_CONTROLLED, "ITAR-controlled technical data ({})"),
]
RULES = {
    Category.PHI: ("HIPAA-BAA-001", "hipaa@1.0.0", "HIPAA", Decision.CONDITIONAL, ("45 CFR 164.502(e)(1)",)),
    Category.PII: ("PRIV-MIN-002", "privacy@1.0.0", "PRIVACY", Decision.CONDITIONAL, ("NIST SP 800-122 2.1",)),
    Category.FINANCIAL: ("SOX-ICFR-001", "sox@1.0.0", "SOX", Decision.LOCAL_ONLY, ("SOX 404",)),
    Category.EXPORT_CONTROLLED: ("ITAR-EXPORT-001", "itar@1.0.0", "ITAR", Decision.LOCAL_ONLY, ("22 CFR 120.50",)),
}


def record_flow(
    findings: tuple[Finding, ...],
    destination: str,
    trail: Sequence[RuleOutcome],
    *,
    sink_at: Location | None = None,
    remediation: tuple[str, ...] = (),
    kind: FlowKind = FlowKind.RECORD,
) -> AssessedFlow:
    """A request record's ``findings`` sent to external API ``destination`` (host
    ``api.<destination>.com``), judged by ``trail``: the most restrictive decision wins. The
    sink is at the first finding unless ``sink_at`` says otherwise."""
    decision = max((o.decision for o in trail), key=lambda d: d.rank, default=Decision.ALLOW)
    sink = Sink(sink_at or findings[0].location, "request record")
    dest = Destination(destination, DestinationKind.EXTERNAL, "url", host=f"api.{destination}.com")
    return AssessedFlow(Flow(kind, sink, dest, findings=findings), Verdict(decision, tuple(trail), remediation))


def synthetic_scan(root: Path, findings_total: int, per_flow: int) -> ScanResult:
    """``findings_total`` findings in request logs, ``per_flow`` to a flow, one category a flow."""
    findings: list[Finding] = []
    flows: list[AssessedFlow] = []
    files = max(findings_total // 500, 1)
    for n in range(findings_total):
        entity, category, excerpt = ENTITIES[(n // per_flow) % len(ENTITIES)]
        path = f"{root}/logs/service-{n % files:03d}/very/long/folder/names/requests-2026-{n % 12 + 1:02d}.jsonl"
        loc = Location(path, n + 1, 5, record=n // per_flow, pointer="/messages/1/content")
        digest = hashlib.sha256(f"value-{n}".encode()).hexdigest()
        findings.append(Finding(f"auditor.{entity}", entity, category, 0.85, loc, excerpt.format(n % 100), digest))
    for start in range(0, findings_total, per_flow):
        carried = tuple(findings[start : start + per_flow])
        first = carried[0]
        rule_id, pack, framework, decision, cites = RULES[first.category]
        outcome = RuleOutcome(
            rule_id, f"{framework} rule", pack, framework, "regulation", cites, decision, (f"{first.category}",),
            (Condition("baa_in_force", "A BAA is in force", False),) if decision is Decision.CONDITIONAL else (),
            "Use a local model, or record the agreement.",
        )  # fmt: skip
        flows.append(record_flow(carried, "openai", (outcome,)))
    sources = tuple(SourceSummary(p, "jsonl", 10_000, 9_000) for p in sorted({f.location.path for f in findings}))
    packs = tuple(
        PackRef(p.split("@")[0], "1.0.0", f"{fw} pack", fw, "0" * 64, f"/nonexistent/{p}.yaml")
        for _, p, fw, _, _ in RULES.values()
    )
    return ScanResult(
        roots=(str(root),), started_at="2026-01-01T00:00:00+00:00", finished_at="2026-01-01T00:10:00+00:00",
        tool_version="bench", model_name="none", min_confidence=0.4, sources=sources, skipped=(),
        findings=tuple(findings), flows=tuple(flows), packs=packs,
    )  # fmt: skip
