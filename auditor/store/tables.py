"""The findings database as SQLAlchemy models: tables and columns only, no behaviour.

Column names are a public contract: teams query them from their own BI tools (README,
"The findings database"). Add columns freely; renaming or removing one needs a migration and
a note in the README. Nothing here ever holds a raw sensitive value: findings keep the masked
excerpt and the keyed fingerprint that ``auditor.model.Finding`` carries, nothing more.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, MetaData, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names, so migrations can name what they drop on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SCAN_STATUSES = ("running", "complete", "failed", "interrupted")
# Shown, never stored: a ``running`` scan whose owner process is gone (auditor.store.owner).
DERIVED_STATUSES = ("abandoned",)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def _scan_fk() -> Any:
    return mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)


class Scan(Base):
    """One run of ``auditor scan``: where, when, with what rules, and how it ended."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # running | complete | failed | interrupted
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The project root (git work tree, or the scanned directory) and the scanned paths
    # relative to it; ``target`` is what "the same repository" means across scans.
    root: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text, index=True)
    git_commit: Mapped[str | None] = mapped_column(String(64))
    git_branch: Mapped[str | None] = mapped_column(Text)
    tool_version: Mapped[str] = mapped_column(String(64))
    model_name: Mapped[str | None] = mapped_column(Text)
    min_confidence: Mapped[float | None] = mapped_column(Float)
    fail_on: Mapped[str | None] = mapped_column(String(16))
    config_sha256: Mapped[str | None] = mapped_column(String(64))
    sources_scanned: Mapped[int] = mapped_column(Integer, default=0)
    sources_skipped: Mapped[int] = mapped_column(Integer, default=0)
    findings_count: Mapped[int] = mapped_column(Integer, default=0)
    flows_count: Mapped[int] = mapped_column(Integer, default=0)
    allow_count: Mapped[int] = mapped_column(Integer, default=0)
    conditional_count: Mapped[int] = mapped_column(Integer, default=0)
    local_only_count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)  # why a scan failed: an exception type, never its text
    # The process that records the scan (auditor.store.owner): a ``running`` scan whose owner
    # is gone from this host is shown as ``abandoned``. Null for scans recorded before 0003.
    owner_host: Mapped[str | None] = mapped_column(Text)
    owner_boot_id: Mapped[str | None] = mapped_column(String(64))
    owner_pid: Mapped[int | None] = mapped_column(Integer)
    owner_started: Mapped[str | None] = mapped_column(String(32))  # clock ticks since boot


class ScanPack(Base):
    """A rule pack as a scan used it: id, version and the sha256 of its file."""

    __tablename__ = "scan_packs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = _scan_fk()
    pack_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text, default="")
    framework: Mapped[str] = mapped_column(String(64), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text, default="")


class Source(Base):
    """A file a scan read, or skipped and why (``line`` set when only one record was skipped)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = _scan_fk()
    path: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # scanned | skipped
    reason: Mapped[str | None] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(32))
    size: Mapped[int | None] = mapped_column(Integer)
    chars: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))


class Finding(Base):
    """A piece of regulated data: masked excerpt and keyed fingerprint, never the raw value."""

    __tablename__ = "findings"
    __table_args__ = (Index(None, "identity", "scan_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = _scan_fk()
    ordinal: Mapped[int] = mapped_column(Integer)  # position in the scan's result, 0-based
    identity: Mapped[str] = mapped_column(String(32))  # stable across scans: see auditor.store.identity
    fingerprint: Mapped[str] = mapped_column(String(64))
    detector: Mapped[str] = mapped_column(String(128))
    entity: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(32), index=True)
    confidence: Mapped[float] = mapped_column(Float)
    path: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    col: Mapped[int] = mapped_column(Integer)
    record: Mapped[int | None] = mapped_column(Integer)
    pointer: Mapped[str | None] = mapped_column(Text)
    symbol: Mapped[str | None] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(Text)


class Flow(Base):
    """Data headed for an AI destination, with its verdict."""

    __tablename__ = "flows"
    __table_args__ = (Index(None, "identity", "scan_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = _scan_fk()
    ordinal: Mapped[int] = mapped_column(Integer)  # position in the scan's result, 0-based
    identity: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # code | record | document | runtime
    categories: Mapped[str] = mapped_column(Text, default="")  # comma-separated, e.g. "PHI,PII"
    source: Mapped[str] = mapped_column(Text, default="")  # what the data is, in one line
    path: Mapped[str] = mapped_column(Text)  # where it leaves (the sink)
    line: Mapped[int] = mapped_column(Integer)
    col: Mapped[int] = mapped_column(Integer)
    record: Mapped[int | None] = mapped_column(Integer)
    symbol: Mapped[str | None] = mapped_column(Text)
    sink: Mapped[str] = mapped_column(Text)  # the call, e.g. openai.chat.completions.create
    destination: Mapped[str] = mapped_column(String(64), index=True)  # catalog id or "unknown"
    destination_kind: Mapped[str] = mapped_column(String(16))  # external | local | self_hosted
    destination_host: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str] = mapped_column(String(32))
    resolution_detail: Mapped[str] = mapped_column(Text, default="")
    verdict: Mapped[str] = mapped_column(String(16), index=True)  # allow | conditional | local_only
    waived: Mapped[bool] = mapped_column(Boolean, default=False)
    data_sources: Mapped[list[Any]] = mapped_column(default=list)
    steps: Mapped[list[Any]] = mapped_column(default=list)
    sanitizers: Mapped[list[Any]] = mapped_column(default=list)
    suppressions: Mapped[list[Any]] = mapped_column(default=list)
    remediation: Mapped[list[Any]] = mapped_column(default=list)
    # A request's model and tokens (logged usage, or an estimate from its text), and for the
    # requests the guard judged at run time: when, what it did and where it sent them, and the
    # cost under the price entry named (migration 0004_runtime_flows).
    model: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    day: Mapped[str | None] = mapped_column(String(10))  # ISO date (UTC) of the request
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    tokens_estimated: Mapped[bool | None] = mapped_column(Boolean)
    tags: Mapped[list[Any] | None] = mapped_column(JSON)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(18, 8))
    currency: Mapped[str | None] = mapped_column(String(3))
    price_id: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(16))  # send | redact | reroute | block (runtime)
    routed_to: Mapped[str | None] = mapped_column(String(64))  # destination a rerouted request went to


class FlowFinding(Base):
    """Which findings a flow carries."""

    __tablename__ = "flow_findings"

    flow_id: Mapped[int] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"), primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True, index=True)


class FlowRule(Base):
    """One rule's part in a flow's verdict: the trail an auditor reads."""

    __tablename__ = "flow_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    pack: Mapped[str] = mapped_column(String(192))  # "hipaa@1.0.0"
    framework: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))
    citations: Mapped[list[Any]] = mapped_column(default=list)
    matched: Mapped[list[Any]] = mapped_column(default=list)
    conditions: Mapped[list[Any]] = mapped_column(default=list)  # [{"id", "text", "met"}]
    remediation: Mapped[str] = mapped_column(Text, default="")
    waiver: Mapped[str | None] = mapped_column(String(128))  # waivers.waiver_id in force, if any


class Waiver(Base):
    """A waiver as the scan read it from ``auditor-waivers.yaml``: who approved what, until when."""

    __tablename__ = "waivers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = _scan_fk()
    waiver_id: Mapped[str] = mapped_column(String(128))
    rule_id: Mapped[str] = mapped_column(String(64))
    justification: Mapped[str] = mapped_column(Text, default="")
    approver: Mapped[str] = mapped_column(Text, default="")
    expires: Mapped[str] = mapped_column(String(32))
    expired: Mapped[bool] = mapped_column(Boolean, default=False)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(Text)


class Report(Base):
    """A report PDF as ``auditor report`` finished it: the SHA-256 of the whole file.

    ``auditor report verify`` recomputes the file's hash and looks it up here, so a flipped
    byte, a removed page or a blanked cover is seen even where the attachment is intact.
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = _scan_fk()
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
