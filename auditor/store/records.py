"""Read models: what the findings database answers, as frozen values with a ``Location``.

The repository returns these; ``as_row()`` gives the documented column names for the CLI's
table, JSON and CSV output (the shape ``findings list --format json`` has always printed).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

from auditor.model import Location


def iso(value: datetime) -> str:
    """A stored timestamp in ISO 8601, UTC (SQLite keeps no zone; auditor always writes UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _from_mapping(cls: type[Any], row: Any, **extra: Any) -> Any:
    names = {f.name for f in fields(cls)}
    values = {k: (iso(v) if isinstance(v, datetime) else v) for k, v in dict(row).items() if k in names}
    return cls(**values, **extra)


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """One scan: where and when it ran, how it ended, and its counts (timestamps in ISO 8601)."""

    id: int
    status: str
    started_at: str
    finished_at: str | None
    target: str
    root: str
    git_commit: str | None
    git_branch: str | None
    tool_version: str
    config_sha256: str | None
    sources_scanned: int
    sources_skipped: int
    findings_count: int
    flows_count: int
    local_only_count: int
    conditional_count: int
    allow_count: int
    error: str | None

    @classmethod
    def from_row(cls, row: Any) -> ScanRecord:
        return _from_mapping(cls, row)  # type: ignore[no-any-return]

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """One stored finding: masked excerpt and keyed fingerprint, never a value."""

    id: int
    scan_id: int
    identity: str
    category: str
    entity: str
    detector: str
    confidence: float
    path: str
    line: int
    col: int
    record: int | None
    pointer: str | None
    symbol: str | None
    excerpt: str
    label: str | None
    fingerprint: str

    @classmethod
    def from_row(cls, row: Any) -> FindingRecord:
        return _from_mapping(cls, row)  # type: ignore[no-any-return]

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.col, self.record, self.pointer, self.symbol)

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class FlowRecord:
    """One stored flow, where its data leaves (the sink), and the ids of its rule trail."""

    id: int
    scan_id: int
    identity: str
    verdict: str
    waived: bool
    kind: str
    categories: str  # comma-separated, "PHI,PII"
    source: str
    destination: str
    destination_kind: str
    destination_host: str | None
    resolved_by: str
    path: str
    line: int
    col: int
    record: int | None
    symbol: str | None
    sink: str
    rules: tuple[str, ...] | None = None  # the trail's rule ids, where the query gathered them

    @classmethod
    def from_row(cls, row: Any, rules: tuple[str, ...] | None = None) -> FlowRecord:
        return _from_mapping(cls, row, rules=rules)  # type: ignore[no-any-return]

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.col, self.record, symbol=self.symbol)

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        rules = row.pop("rules")
        if rules is not None:
            row["rules"] = ",".join(rules)
        return row


@dataclass(frozen=True, slots=True)
class RuleRecord:
    """One rule in a flow's stored trail, with what it decided and the waiver in force."""

    flow_id: int
    rule_id: str
    title: str
    pack: str  # "hipaa@1.0.0"
    framework: str
    source: str
    decision: str
    citations: tuple[str, ...]
    matched: tuple[str, ...]
    conditions: tuple[dict[str, Any], ...]  # {"id", "text", "met"}
    remediation: str
    waiver: str | None

    @classmethod
    def from_row(cls, row: Any) -> RuleRecord:
        return cls(
            flow_id=row["flow_id"],
            rule_id=row["rule_id"],
            title=row["title"],
            pack=row["pack"],
            framework=row["framework"],
            source=row["source"],
            decision=row["decision"],
            citations=tuple(row["citations"] or ()),
            matched=tuple(row["matched"] or ()),
            conditions=tuple(row["conditions"] or ()),
            remediation=row["remediation"],
            waiver=row["waiver"],
        )


@dataclass(frozen=True, slots=True)
class PackRecord:
    """A rule pack as the scan recorded it (id, version, framework, sha256 and file path)."""

    pack_id: str
    version: str
    title: str
    framework: str
    sha256: str
    path: str


@dataclass(frozen=True, slots=True)
class DestinationCount:
    """Flows of a scan to one resolved destination, by verdict."""

    destination: str
    kind: str
    host: str | None
    resolved_by: str
    detail: str | None
    verdicts: dict[str, int]


@dataclass(frozen=True, slots=True)
class ScanDiff:
    """What is new in scan B, fixed since scan A, and unchanged, by identity."""

    scan_a: int
    scan_b: int
    new_findings: list[FindingRecord]
    fixed_findings: list[FindingRecord]
    unchanged_findings: list[FindingRecord]
    new_flows: list[FlowRecord]
    fixed_flows: list[FlowRecord]
    unchanged_flows: list[FlowRecord]

    def as_row(self) -> dict[str, Any]:
        """The shape ``auditor diff --format json`` prints."""

        def rows(records: list[FindingRecord] | list[FlowRecord]) -> list[dict[str, Any]]:
            return [r.as_row() for r in records]

        return {
            "scan_a": self.scan_a,
            "scan_b": self.scan_b,
            "findings": {
                "new": rows(self.new_findings),
                "fixed": rows(self.fixed_findings),
                "unchanged": rows(self.unchanged_findings),
            },
            "flows": {
                "new": rows(self.new_flows),
                "fixed": rows(self.fixed_flows),
                "unchanged": rows(self.unchanged_flows),
            },
        }
