"""What a report's proof reads of the findings database: every row of one scan, and the
finished reports recorded of it (``auditor.reports.integrity`` makes the evidence and checks it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from auditor.errors import UsageError
from auditor.store import tables as t
from auditor.store.records import ScanEvidenceRows, json_ready

F, FL, FF, FR, S, W = t.Finding, t.Flow, t.FlowFinding, t.FlowRule, t.Scan, t.Waiver

# The columns the evidence keeps (its format version 1, ``auditor.reports.integrity``): a
# column added here changes every scan's evidence hash, so it comes with a new version.
EVIDENCE_SCAN_FIELDS = (
    "id", "status", "target", "root", "git_commit", "git_branch", "started_at", "finished_at", "tool_version",
    "model_name", "min_confidence", "fail_on", "config_sha256", "sources_scanned", "sources_skipped",
    "findings_count", "flows_count", "allow_count", "conditional_count", "local_only_count",
)  # fmt: skip
EVIDENCE_FINDING_FIELDS = (
    "identity", "fingerprint", "detector", "entity", "category", "confidence", "path", "line", "col", "record",
    "pointer", "symbol", "excerpt", "label",
)  # fmt: skip
EVIDENCE_FLOW_FIELDS = (
    "identity", "kind", "categories", "source", "path", "line", "col", "record", "symbol", "sink", "destination",
    "destination_kind", "destination_host", "resolved_by", "resolution_detail", "verdict", "waived", "sanitizers",
    "remediation",
)  # fmt: skip
EVIDENCE_RULE_FIELDS = (
    "rule_id", "title", "pack", "framework", "source", "decision", "citations", "matched", "conditions",
    "remediation", "waiver",
)  # fmt: skip


def scan_evidence_rows(conn: Connection, scan_id: int) -> ScanEvidenceRows:
    """Everything one stored scan holds, as JSON-ready rows without database row ids: the scan,
    its packs, sources, findings, flows (each with its rule trail in order and the identities of
    the findings it carries, sorted) and waivers. Rows come in no set order."""
    scan = conn.execute(select(*(getattr(S, f) for f in EVIDENCE_SCAN_FIELDS)).where(S.id == scan_id)).first()
    if scan is None:
        raise UsageError(f"no scan {scan_id} in the database")
    packs, sources, waivers = (_rows_of_scan(conn, model, scan_id) for model in (t.ScanPack, t.Source, W))
    finding_rows = conn.execute(
        select(F.id, *(getattr(F, f) for f in EVIDENCE_FINDING_FIELDS)).where(F.scan_id == scan_id)
    ).mappings()
    identity_of: dict[int, str] = {}
    findings = []
    for row in finding_rows:
        identity_of[row["id"]] = row["identity"]
        findings.append({f: json_ready(row[f]) for f in EVIDENCE_FINDING_FIELDS})
    flows_by_id: dict[int, dict[str, Any]] = {}
    flow_rows = conn.execute(
        select(FL.id, *(getattr(FL, f) for f in EVIDENCE_FLOW_FIELDS)).where(FL.scan_id == scan_id)
    ).mappings()
    for row in flow_rows:
        flows_by_id[row["id"]] = {**{f: json_ready(row[f]) for f in EVIDENCE_FLOW_FIELDS}, "rules": [], "findings": []}
    in_scan = select(FL.id).where(FL.scan_id == scan_id)
    rules = conn.execute(
        select(FR.flow_id, FR.position, *(getattr(FR, f) for f in EVIDENCE_RULE_FIELDS)).where(FR.flow_id.in_(in_scan))
    ).mappings()
    for row in sorted(rules, key=lambda r: (r["flow_id"], r["position"])):
        flows_by_id[row["flow_id"]]["rules"].append({f: json_ready(row[f]) for f in EVIDENCE_RULE_FIELDS})
    for flow_id, finding_id in conn.execute(select(FF.flow_id, FF.finding_id).where(FF.flow_id.in_(in_scan))):
        flows_by_id[flow_id]["findings"].append(identity_of[finding_id])
    for flow in flows_by_id.values():
        flow["findings"].sort()
    return ScanEvidenceRows(
        scan={f: json_ready(v) for f, v in zip(EVIDENCE_SCAN_FIELDS, scan, strict=True)},
        packs=packs,
        sources=sources,
        findings=findings,
        flows=list(flows_by_id.values()),
        waivers=waivers,
    )


def report_recorded(conn: Connection, scan_id: int, pdf_sha256: str) -> bool:
    """Whether ``auditor report`` recorded a finished PDF of this SHA-256 for the scan."""
    query = select(t.Report.id).where(t.Report.scan_id == scan_id, t.Report.pdf_sha256 == pdf_sha256)
    return conn.execute(query).first() is not None


def _rows_of_scan(conn: Connection, model: Any, scan_id: int) -> list[dict[str, Any]]:
    """Every row of ``model`` for the scan, without the database's row ids."""
    query = select(*model.__table__.c).where(model.scan_id == scan_id)
    return [
        {k: json_ready(v) for k, v in row.items() if k not in ("id", "scan_id")}
        for row in conn.execute(query).mappings()
    ]
