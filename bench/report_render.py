"""Render the audit report of a stored scan of 10,000 findings; print seconds and pages.

    .venv/bin/python bench/report_render.py [--findings 10000] [--per-flow 10] [--appendix-limit 1000]

The scan is made up (masked excerpts, fake fingerprints: no detector runs), stored in a
temporary SQLite database through the store's own writer, then rendered by ``render_pdf``
as ``auditor report`` does. Figures are one run on this machine, not a pass/fail.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
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
from auditor.reports.pdf import render_pdf
from auditor.store import open_database, record_scan

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
        destination = Destination("openai", DestinationKind.EXTERNAL, "url", host="api.openai.com")
        sink = Sink(first.location, "request record")
        flows.append(
            AssessedFlow(Flow(FlowKind.RECORD, sink, destination, findings=carried), Verdict(decision, (outcome,)))
        )
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--per-flow", type=int, default=10)
    parser.add_argument("--appendix-limit", type=int, default=1000)
    parser.add_argument("--keep", metavar="PDF", help="Copy the PDF here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        result = synthetic_scan(root, args.findings, args.per_flow)
        engine = open_database(str(Path(tmp) / "findings.db"), write=True)
        started = time.perf_counter()
        with record_scan(engine, [str(root)]) as recording:
            recording.complete(result)
        stored = time.perf_counter() - started
        engine.dispose()
        pdf = Path(args.keep) if args.keep else Path(tmp) / "report.pdf"
        started = time.perf_counter()
        done = render_pdf(pdf, db=str(Path(tmp) / "findings.db"), appendix_limit=args.appendix_limit)
        seconds = time.perf_counter() - started
    print(f"findings {args.findings:,}  flows {len(result.flows):,}  appendix limit {args.appendix_limit:,}")
    print(f"store {stored:.1f} s  render {seconds:.1f} s  pages {done.pages}  variant {done.pdf_variant}")


if __name__ == "__main__":
    main()
