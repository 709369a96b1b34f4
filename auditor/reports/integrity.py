"""Proof that a report matches the stored scan: canonical evidence JSON, its SHA-256, and a check.

The evidence is the scan as the database holds it (scan row, packs, sources, findings with
their masked excerpts and fingerprints, flows with their rule trails, waivers), written as
canonical JSON: keys sorted, no insignificant whitespace, UTF-8, rows sorted in Python so
SQLite and PostgreSQL give the same bytes. Database row ids are left out (they differ between
copies of a database); the scan id is kept. The PDF carries these bytes as an attachment and
prints their SHA-256; ``verify_pdf`` recomputes them from the database.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from auditor.errors import UsageError
from auditor.store import tables as t

EVIDENCE_FORMAT = "auditor-scan-evidence"
EVIDENCE_VERSION = 1
# The PDF information-dictionary key holding the evidence hash (WeasyPrint keeps letters and digits).
METADATA_KEY = "AuditorEvidenceSHA256"

_SCAN_FIELDS = (
    "id", "status", "target", "root", "git_commit", "git_branch", "started_at", "finished_at", "tool_version",
    "model_name", "min_confidence", "fail_on", "config_sha256", "sources_scanned", "sources_skipped",
    "findings_count", "flows_count", "allow_count", "conditional_count", "local_only_count",
)  # fmt: skip
_FINDING_FIELDS = (
    "identity", "fingerprint", "detector", "entity", "category", "confidence", "path", "line", "col", "record",
    "pointer", "symbol", "excerpt", "label",
)  # fmt: skip
_FLOW_FIELDS = (
    "identity", "kind", "categories", "source", "path", "line", "col", "record", "symbol", "sink", "destination",
    "destination_kind", "destination_host", "resolved_by", "resolution_detail", "verdict", "waived", "sanitizers",
    "remediation",
)  # fmt: skip
_RULE_FIELDS = (
    "rule_id", "title", "pack", "framework", "source", "decision", "citations", "matched", "conditions",
    "remediation", "waiver",
)  # fmt: skip


def evidence_name(scan_id: int) -> str:
    """The attachment's file name."""
    return f"auditor-scan-{scan_id}-evidence.json"


def scan_evidence(conn: Connection, scan_id: int) -> bytes:
    """The canonical evidence JSON of one stored scan, as bytes."""
    scan = conn.execute(select(*(getattr(t.Scan, f) for f in _SCAN_FIELDS)).where(t.Scan.id == scan_id)).first()
    if scan is None:
        raise UsageError(f"no scan {scan_id} in the database")
    packs, sources, waivers = (_scan_rows(conn, model, scan_id) for model in (t.ScanPack, t.Source, t.Waiver))
    finding_rows = conn.execute(
        select(t.Finding.id, *(getattr(t.Finding, f) for f in _FINDING_FIELDS)).where(t.Finding.scan_id == scan_id)
    ).mappings()
    identity_of: dict[int, str] = {}
    findings = []
    for row in finding_rows:
        identity_of[row["id"]] = row["identity"]
        findings.append({f: _plain(row[f]) for f in _FINDING_FIELDS})
    flows_by_id: dict[int, dict[str, Any]] = {}
    flow_rows = conn.execute(
        select(t.Flow.id, *(getattr(t.Flow, f) for f in _FLOW_FIELDS)).where(t.Flow.scan_id == scan_id)
    ).mappings()
    for row in flow_rows:
        flows_by_id[row["id"]] = {**{f: _plain(row[f]) for f in _FLOW_FIELDS}, "rules": [], "findings": []}
    in_scan = select(t.Flow.id).where(t.Flow.scan_id == scan_id)
    rules = conn.execute(
        select(t.FlowRule.flow_id, t.FlowRule.position, *(getattr(t.FlowRule, f) for f in _RULE_FIELDS)).where(
            t.FlowRule.flow_id.in_(in_scan)
        )
    ).mappings()
    for row in sorted(rules, key=lambda r: (r["flow_id"], r["position"])):
        flows_by_id[row["flow_id"]]["rules"].append({f: _plain(row[f]) for f in _RULE_FIELDS})
    links = conn.execute(
        select(t.FlowFinding.flow_id, t.FlowFinding.finding_id).where(t.FlowFinding.flow_id.in_(in_scan))
    )
    for flow_id, finding_id in links:
        flows_by_id[flow_id]["findings"].append(identity_of[finding_id])
    for flow in flows_by_id.values():
        flow["findings"].sort()
    document = {
        "format": EVIDENCE_FORMAT,
        "version": EVIDENCE_VERSION,
        "scan": {f: _plain(v) for f, v in zip(_SCAN_FIELDS, scan, strict=True)},
        "packs": sorted(packs, key=_sort_key),
        "sources": sorted(sources, key=_sort_key),
        "findings": sorted(findings, key=_sort_key),
        "flows": sorted(flows_by_id.values(), key=_sort_key),
        "waivers": sorted(waivers, key=_sort_key),
    }
    return canonical_json(document)


def canonical_json(value: Any) -> bytes:
    """Keys sorted, compact separators, UTF-8: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class EmbeddedEvidence:
    """What a report PDF carries: the evidence bytes, the scan they name, and the hash it printed."""

    name: str
    data: bytes
    scan_id: int
    recorded_sha256: str | None  # from the PDF's metadata

    @property
    def sha256(self) -> str:
        return sha256_hex(self.data)


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of ``auditor report verify``."""

    scan_id: int
    attachment_sha256: str
    recorded_sha256: str | None
    database_sha256: str
    file_sha256: str = ""
    file_recorded: bool = False  # the database holds this file's SHA-256 for the scan

    @property
    def evidence_matches(self) -> bool:
        """The attachment, the hash the PDF prints, and the database all agree."""
        return self.attachment_sha256 == self.database_sha256 == self.recorded_sha256

    @property
    def matches(self) -> bool:
        """The file is byte for byte one auditor finished, and its evidence still holds."""
        return self.file_recorded and self.evidence_matches


def read_evidence(pdf_path: str | Path) -> EmbeddedEvidence:
    """The evidence attachment of a report PDF; UsageError if the file is not such a report."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs its repairs of a damaged file as warnings on stderr, before our one line.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(Path(pdf_path).read_bytes()))
        attachments = reader.attachments
        metadata = reader.metadata or {}
    except OSError as exc:
        raise UsageError(f"{pdf_path}: cannot read: {exc.strerror or exc}") from None
    except PdfReadError as exc:
        raise UsageError(f"{pdf_path}: not a readable PDF ({type(exc).__name__})") from None
    names = [n for n in attachments if n.startswith("auditor-scan-") and n.endswith("-evidence.json")]
    if len(names) != 1:
        raise UsageError(f"{pdf_path}: no auditor evidence attachment: not a report made by `auditor report`")
    data = attachments[names[0]][0]
    try:
        document = json.loads(data)
        scan_id = int(document["scan"]["id"])
        if document.get("format") != EVIDENCE_FORMAT:
            raise ValueError("format")
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"{pdf_path}: the evidence attachment is not auditor scan evidence") from None
    # HTML lower-cases meta names, so the key is matched without regard to case.
    recorded = next((v for k, v in metadata.items() if k.lstrip("/").lower() == METADATA_KEY.lower()), None)
    return EmbeddedEvidence(names[0], data, scan_id, str(recorded) if recorded else None)


def verify_pdf(pdf_path: str | Path, conn: Connection) -> Verification:
    """Recompute the evidence of the scan the PDF names from the database and compare hashes."""
    embedded = read_evidence(pdf_path)
    database = sha256_hex(scan_evidence(conn, embedded.scan_id))
    file_sha256 = sha256_hex(Path(pdf_path).read_bytes())
    recorded = conn.execute(
        select(t.Report.id).where(t.Report.scan_id == embedded.scan_id, t.Report.pdf_sha256 == file_sha256)
    ).first()
    return Verification(
        embedded.scan_id, embedded.sha256, embedded.recorded_sha256, database, file_sha256, recorded is not None
    )


def _scan_rows(conn: Connection, model: Any, scan_id: int) -> list[dict[str, Any]]:
    """Every row of ``model`` for the scan, without the database's row ids."""
    query = select(*model.__table__.c).where(model.scan_id == scan_id)
    return [
        {k: _plain(v) for k, v in row.items() if k not in ("id", "scan_id")} for row in conn.execute(query).mappings()
    ]


def _sort_key(row: dict[str, Any]) -> str:
    return canonical_json(row).decode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # SQLite keeps no zone; auditor always writes UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return value
