"""Read models: what the findings database answers, as frozen values with a ``Location``.

The repository returns these; ``as_row()`` gives the documented column names for the CLI's
table, JSON and CSV output (the shape ``findings list --format json`` has always printed).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Self, cast

from auditor.model import Location


def iso(value: datetime) -> str:
    """A stored timestamp in ISO 8601, UTC (SQLite keeps no zone; auditor always writes UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def json_ready(value: Any) -> Any:
    """A stored value as JSON takes it: timestamps in ISO 8601 (``iso``), the rest as they are."""
    return iso(value) if isinstance(value, datetime) else value


def _from_mapping(cls: type[Any], row: Any, **extra: Any) -> Any:
    names = {f.name for f in fields(cls)}
    values = {k: (iso(v) if isinstance(v, datetime) else v) for k, v in dict(row).items() if k in names}
    return cls(**values, **extra)


class _Columns:
    """A read model whose fields are the columns of one table row, read and printed as they are."""

    __slots__ = ()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cast(Self, _from_mapping(cls, row))

    def as_row(self) -> dict[str, Any]:
        return asdict(cast(Any, self))


@dataclass(frozen=True, slots=True)
class ScanRecord(_Columns):
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


@dataclass(frozen=True, slots=True)
class FindingRecord(_Columns):
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

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.col, self.record, self.pointer, self.symbol)


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

    def as_row(self) -> dict[str, Any]:
        """The trail entry as ``flows show --format json`` prints it (no row ids; JSON lists)."""
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "pack": self.pack,
            "framework": self.framework,
            "source": self.source,
            "decision": self.decision,
            "citations": list(self.citations),
            "matched": list(self.matched),
            "conditions": list(self.conditions),
            "remediation": self.remediation,
            "waiver": self.waiver,
        }


@dataclass(frozen=True, slots=True)
class WaiverRecord(_Columns):
    """A waiver as a scan recorded it: what it covers, who approved it, until when."""

    waiver_id: str
    rule_id: str
    justification: str
    approver: str
    expires: str
    expired: bool
    fingerprint: str | None
    path: str | None


@dataclass(frozen=True, slots=True)
class FlowDetail:
    """One stored flow whole, as ``flows show`` prints it: every column of ``flows`` (in the
    table's order), its rule trail, the waivers the trail cites, and the findings it carries
    (None when the flow is shown inside a finding's view)."""

    id: int
    scan_id: int
    ordinal: int
    identity: str
    kind: str
    categories: str  # comma-separated, "PHI,PII"
    source: str
    path: str
    line: int
    col: int
    record: int | None
    symbol: str | None
    sink: str
    destination: str
    destination_kind: str
    destination_host: str | None
    resolved_by: str
    resolution_detail: str
    verdict: str
    waived: bool
    data_sources: tuple[dict[str, Any], ...]
    steps: tuple[dict[str, Any], ...]  # {"location": {...}, "description": ...}
    sanitizers: tuple[str, ...]
    suppressions: tuple[dict[str, Any], ...]
    remediation: tuple[str, ...]
    model: str | None
    occurred_at: str | None  # ISO 8601
    day: str | None
    input_tokens: int | None
    output_tokens: int | None
    tokens_estimated: bool | None
    tags: tuple[str, ...] | None
    cost: Decimal | None
    currency: str | None
    price_id: str | None
    action: str | None
    routed_to: str | None
    trail: tuple[RuleRecord, ...] = ()
    waivers: tuple[WaiverRecord, ...] = ()
    findings: tuple[FindingRecord, ...] | None = None

    # The columns that hold JSON lists, kept as tuples here and printed as lists.
    _LISTS = ("data_sources", "steps", "sanitizers", "suppressions", "remediation", "tags")

    @classmethod
    def from_row(
        cls,
        row: Any,
        trail: tuple[RuleRecord, ...],
        waivers: tuple[WaiverRecord, ...],
        findings: tuple[FindingRecord, ...] | None,
    ) -> FlowDetail:
        values = dict(row)
        for name in cls._LISTS:
            if values[name] is not None:
                values[name] = tuple(values[name])
        return _from_mapping(cls, values, trail=trail, waivers=waivers, findings=findings)  # type: ignore[no-any-return]

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.col, self.record, symbol=self.symbol)

    def as_row(self) -> dict[str, Any]:
        """The shape ``flows show --format json`` prints: the columns, then ``trail``,
        ``waivers`` and (when gathered) ``findings``. ``cost`` is a string ("0.00037000"):
        JSON has no decimal type, and a float would not keep money exact (as ``auditor plan``)."""
        row: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name in self._LISTS and value is not None:
                value = list(value)
            elif isinstance(value, Decimal):
                value = str(value)
            row[field.name] = value
        row["trail"] = [rule.as_row() for rule in self.trail]
        row["waivers"] = [waiver.as_row() for waiver in self.waivers]
        if self.findings is None:
            del row["findings"]
        else:
            row["findings"] = [finding.as_row() for finding in self.findings]
        return row


@dataclass(frozen=True, slots=True)
class FindingDetail:
    """One stored finding, as ``findings show`` prints it, with every flow that carries it."""

    finding: FindingRecord
    flows: tuple[FlowDetail, ...]

    def as_row(self) -> dict[str, Any]:
        """The shape ``findings show --format json`` prints: the finding's columns, then ``flows``."""
        return {**self.finding.as_row(), "flows": [flow.as_row() for flow in self.flows]}


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
class ScanEvidenceRows:
    """Everything one stored scan holds, as JSON-ready rows without row ids (a report's evidence).

    ``flows`` carry ``rules`` (the trail, in order) and ``findings`` (the identities of the
    findings they carry, sorted). The lists come in no set order: the evidence sorts them.
    """

    scan: dict[str, Any]
    packs: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    flows: list[dict[str, Any]]
    waivers: list[dict[str, Any]]


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
