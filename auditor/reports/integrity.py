"""Proof that a report matches the stored scan: canonical evidence JSON, its SHA-256, and a check.

The evidence is the scan as the database holds it (scan row, packs, sources, findings with
their masked excerpts and fingerprints, flows with their rule trails, waivers; read by
``auditor.store.evidence.scan_evidence_rows``), written as canonical JSON: keys sorted, no
insignificant whitespace, UTF-8, rows sorted in Python so SQLite and PostgreSQL give the same
bytes. Database row ids are left out (they differ between copies of a database); the scan id
is kept. The PDF carries these bytes as an attachment and prints their SHA-256;
``verify_pdf`` recomputes them from the database.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from auditor.errors import UsageError
from auditor.store.evidence import report_recorded, scan_evidence_rows

EVIDENCE_FORMAT = "auditor-scan-evidence"
EVIDENCE_VERSION = 1
# The PDF information-dictionary key holding the evidence hash (WeasyPrint keeps letters and digits).
METADATA_KEY = "AuditorEvidenceSHA256"


def evidence_name(scan_id: int) -> str:
    """The attachment's file name."""
    return f"auditor-scan-{scan_id}-evidence.json"


def scan_evidence(conn: Connection, scan_id: int) -> bytes:
    """The canonical evidence JSON of one stored scan, as bytes."""
    rows = scan_evidence_rows(conn, scan_id)
    document = {
        "format": EVIDENCE_FORMAT,
        "version": EVIDENCE_VERSION,
        "scan": rows.scan,
        "packs": sorted(rows.packs, key=_sort_key),
        "sources": sorted(rows.sources, key=_sort_key),
        "findings": sorted(rows.findings, key=_sort_key),
        "flows": sorted(rows.flows, key=_sort_key),
        "waivers": sorted(rows.waivers, key=_sort_key),
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
        metadata: Mapping[str, Any] = reader.metadata or {}
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
    recorded = report_recorded(conn, embedded.scan_id, file_sha256)
    return Verification(embedded.scan_id, embedded.sha256, embedded.recorded_sha256, database, file_sha256, recorded)


def _sort_key(row: dict[str, Any]) -> str:
    return canonical_json(row).decode("utf-8")
