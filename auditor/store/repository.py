"""The questions security teams ask of the findings database, as named query functions.

Every query of the database lives in the store: here, and in ``evidence`` what a report's
proof reads of a whole scan (reports and the CLI only call these). Most return read models
(``auditor.store.records``: frozen values with a ``Location``, and ``as_row()`` for the
documented column names); ``list_*`` and ``diff_scans`` return those rows (dicts), which the
CLI prints as a table, JSON or CSV.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, exists, func, literal, select

from auditor.errors import UsageError
from auditor.model import PackRef
from auditor.store import tables as t
from auditor.store.owner import effective_status
from auditor.store.records import (
    DestinationCount,
    FindingDetail,
    FindingRecord,
    FlowDetail,
    FlowRecord,
    RuleRecord,
    ScanDiff,
    ScanRecord,
    WaiverRecord,
    iso,
    json_ready,
)

F, FL, FF, FR, S, W = t.Finding, t.Flow, t.FlowFinding, t.FlowRule, t.Scan, t.Waiver

SCAN_COLUMNS = [
    S.id, S.status, S.started_at, S.finished_at, S.target, S.root, S.git_commit, S.git_branch, S.tool_version,
    S.config_sha256, S.sources_scanned, S.sources_skipped, S.findings_count, S.flows_count,
    S.local_only_count, S.conditional_count, S.allow_count, S.error,
]  # fmt: skip
OWNER_COLUMNS = [S.status, S.owner_host, S.owner_boot_id, S.owner_pid, S.owner_started]
FINDING_COLUMNS = [
    F.id, F.scan_id, F.identity, F.category, F.entity, F.detector, F.confidence, F.path, F.line, F.col,
    F.record, F.pointer, F.symbol, F.excerpt, F.label, F.fingerprint,
]  # fmt: skip
FLOW_COLUMNS = [
    FL.id, FL.scan_id, FL.identity, FL.verdict, FL.waived, FL.kind, FL.categories, FL.source, FL.destination,
    FL.destination_kind, FL.destination_host, FL.resolved_by, FL.path, FL.line, FL.col, FL.record, FL.symbol,
    FL.sink,
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Filters:
    """What ``findings list`` and ``flows list`` narrow to; empty tuples and None mean "any".

    ``scan`` is a scan id or ``latest`` (the newest complete scan, of ``target`` if given).
    ``since`` keeps what was first seen on or after that moment (absent from every complete
    scan of the same target before it); ``new_since`` what is absent from that scan.
    """

    scan: str = "latest"
    target: str | None = None
    categories: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    path_glob: str | None = None
    since: datetime | None = None
    new_since: str | None = None


def resolve_scan(conn: Connection, ref: str, target: str | None = None) -> int:
    """The id of scan ``ref``: a number, ``latest`` or ``previous`` (complete scans, newest first)."""
    ref = ref.strip().lower()
    if ref in ("latest", "previous"):
        query = select(S.id).where(S.status == "complete").order_by(S.started_at.desc(), S.id.desc())
        if target:
            query = query.where(S.target == target)
        found = conn.execute(query.offset(1 if ref == "previous" else 0).limit(1)).scalar()
        if found is None:
            where = f" of {target!r}" if target else ""
            raise UsageError(f"no {'earlier ' if ref == 'previous' else ''}complete scan{where} in the database")
        return found
    if not ref.isdigit():
        raise UsageError(f"scan {ref!r}: expected a scan id, 'latest' or 'previous'")
    if conn.execute(select(S.id).where(S.id == int(ref))).scalar() is None:
        raise UsageError(f"no scan {ref} in the database")
    return int(ref)


def scan_status(conn: Connection, scan_id: int) -> str:
    """The scan's status as it stands: ``abandoned`` for a ``running`` scan whose process is gone."""
    row = conn.execute(select(*OWNER_COLUMNS).where(S.id == scan_id)).mappings().one()
    return effective_status(dict(row))


def require_complete(conn: Connection, scan_id: int, *, allow_incomplete: bool = False) -> str:
    """The scan's status; a UsageError (exit 2) unless it is complete or ``allow_incomplete``.

    An ``abandoned`` or ``running`` scan holds part of its rows at most: a report or a diff of
    it would present a partial scan as the whole.
    """
    status = scan_status(conn, scan_id)
    if status == "complete" or allow_incomplete:
        return status
    why = {
        "abandoned": "abandoned (its process is gone; its rows are partial at most)",
        "running": "still running, or its owner is on another host",
    }.get(status, f"{status}, not complete")
    raise UsageError(f"scan {scan_id} is {why}: pass --allow-incomplete to use it anyway")


def partial_scan_note(conn: Connection, filters: Filters) -> str | None:
    """A warning line when ``filters`` name a scan that is not complete (its rows are partial)."""
    scan_id = resolve_scan(conn, filters.scan, filters.target)
    status = scan_status(conn, scan_id)
    if status == "complete":
        return None
    return f"warning: scan {scan_id} is {status}, not complete: what it lists is partial"


def list_scans(conn: Connection, target: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Scans, newest first; a ``running`` scan whose process is gone is listed ``abandoned``."""
    query = select(*SCAN_COLUMNS, *OWNER_COLUMNS[1:]).order_by(S.started_at.desc(), S.id.desc())
    if target:
        query = query.where(S.target == target)
    if limit:
        query = query.limit(limit)
    rows = []
    for mapping in conn.execute(query).mappings():
        row = _plain(mapping)
        row["status"] = effective_status(row)
        owner = f"{row['owner_pid']}@{row['owner_host']}" if row["owner_pid"] is not None else None
        for private in ("owner_boot_id", "owner_started", "owner_host", "owner_pid"):
            row.pop(private)
        row["owner"] = owner
        rows.append(row)
    return rows


def scans(conn: Connection, target: str | None = None, limit: int | None = None) -> list[ScanRecord]:
    """Scans, newest first."""
    query = select(*SCAN_COLUMNS).order_by(S.started_at.desc(), S.id.desc())
    if target:
        query = query.where(S.target == target)
    if limit:
        query = query.limit(limit)
    return [ScanRecord.from_row(row) for row in conn.execute(query).mappings()]


def list_findings(conn: Connection, filters: Filters) -> list[dict[str, Any]]:
    """Findings of one scan that pass ``filters``, by path and position, as rows."""
    return [finding.as_row() for finding in findings(conn, filters)]


def list_flows(conn: Connection, filters: Filters) -> list[dict[str, Any]]:
    """Flows of one scan that pass ``filters``, with the ids of the rules in their trail, as rows."""
    return [flow.as_row() for flow in flows(conn, filters)]


def findings(conn: Connection, filters: Filters) -> list[FindingRecord]:
    """Findings of one scan that pass ``filters``, by path and position."""
    scan_id = resolve_scan(conn, filters.scan, filters.target)
    query = select(*FINDING_COLUMNS).where(F.scan_id == scan_id)
    if filters.categories:
        query = query.where(F.category.in_([c.upper() for c in filters.categories]))
    if filters.frameworks or filters.verdicts or filters.destinations:
        in_flows = select(FF.finding_id).join(FL, FL.id == FF.flow_id).where(*_flow_conditions(filters))
        query = query.where(F.id.in_(in_flows))
    if filters.path_glob:
        query = query.where(F.path.like(glob_to_like(filters.path_glob), escape="\\"))
    query = query.where(*_novelty(conn, F, scan_id, filters))
    query = query.order_by(F.path, F.record, F.line, F.col, F.id)
    return [FindingRecord.from_row(row) for row in conn.execute(query).mappings()]


def flows(conn: Connection, filters: Filters) -> list[FlowRecord]:
    """Flows of one scan that pass ``filters``, with the ids of the rules in their trail."""
    scan_id = resolve_scan(conn, filters.scan, filters.target)
    query = select(*FLOW_COLUMNS).where(FL.scan_id == scan_id, *_flow_conditions(filters))
    for category in filters.categories:
        query = query.where((literal(",") + FL.categories + literal(",")).like(f"%,{category.upper()},%"))
    if filters.path_glob:
        query = query.where(FL.path.like(glob_to_like(filters.path_glob), escape="\\"))
    query = query.where(*_novelty(conn, FL, scan_id, filters))
    rows = list(conn.execute(query.order_by(FL.path, FL.record, FL.line, FL.id)).mappings())
    rules: dict[int, list[str]] = {}
    trail = select(FR.flow_id, FR.rule_id).join(FL, FL.id == FR.flow_id).where(FL.scan_id == scan_id)
    for flow_id, rule_id in conn.execute(trail.order_by(FR.flow_id, FR.position)):
        rules.setdefault(flow_id, []).append(rule_id)
    return [FlowRecord.from_row(row, tuple(rules.get(row["id"], []))) for row in rows]


def get_finding(conn: Connection, finding_id: int) -> FindingDetail:
    """One finding, and every flow that carries it with the flow's rule trail."""
    row = conn.execute(select(*FINDING_COLUMNS).where(F.id == finding_id)).mappings().first()
    if row is None:
        raise UsageError(f"no finding {finding_id} in the database")
    flow_ids = conn.execute(select(FF.flow_id).where(FF.finding_id == finding_id).order_by(FF.flow_id)).scalars()
    flows = tuple(_flow_detail(conn, flow_id, with_findings=False) for flow_id in flow_ids)
    return FindingDetail(FindingRecord.from_row(row), flows)


def get_flow(conn: Connection, flow_id: int) -> FlowDetail:
    """One flow with its findings, its rule trail and the waivers the trail cites."""
    return _flow_detail(conn, flow_id, with_findings=True)


def diff_scans(conn: Connection, scan_a: str, scan_b: str, *, allow_incomplete: bool = False) -> dict[str, Any]:
    """What is new in B, fixed since A, and unchanged, for findings and for flows, by identity, as rows."""
    return compare_scans(conn, scan_a, scan_b, allow_incomplete=allow_incomplete).as_row()


def compare_scans(conn: Connection, scan_a: str, scan_b: str, *, allow_incomplete: bool = False) -> ScanDiff:
    """What is new in B, fixed since A, and unchanged, for findings and for flows, by identity.

    Both scans must be complete (an abandoned scan's missing rows would read as "fixed")
    unless ``allow_incomplete``.
    """
    a, b = resolve_scan(conn, scan_a), resolve_scan(conn, scan_b)
    for scan_id in (a, b):
        require_complete(conn, scan_id, allow_incomplete=allow_incomplete)
    findings_before = _by_identity(conn, F, FINDING_COLUMNS, a, FindingRecord.from_row)
    findings_after = _by_identity(conn, F, FINDING_COLUMNS, b, FindingRecord.from_row)
    flows_before = _by_identity(conn, FL, FLOW_COLUMNS, a, FlowRecord.from_row)
    flows_after = _by_identity(conn, FL, FLOW_COLUMNS, b, FlowRecord.from_row)
    return ScanDiff(
        scan_a=a,
        scan_b=b,
        new_findings=[r for key, r in findings_after.items() if key not in findings_before],
        fixed_findings=[r for key, r in findings_before.items() if key not in findings_after],
        unchanged_findings=[r for key, r in findings_after.items() if key in findings_before],
        new_flows=[r for key, r in flows_after.items() if key not in flows_before],
        fixed_flows=[r for key, r in flows_before.items() if key not in flows_after],
        unchanged_flows=[r for key, r in flows_after.items() if key in flows_before],
    )


# --- what an audit report reads of one scan ----------------------------------------------------


def scan_summary(conn: Connection, scan_id: int) -> dict[str, Any]:
    """Every column of one scan (timestamps in ISO 8601), as the report prints it."""
    row = conn.execute(select(*S.__table__.c).where(S.id == scan_id)).mappings().one()
    return _plain(row)


def scan_packs(conn: Connection, scan_id: int) -> list[PackRef]:
    """The rule packs the scan used, by framework and id."""
    rows = conn.execute(select(*t.ScanPack.__table__.c).where(t.ScanPack.scan_id == scan_id)).mappings()
    packs = [PackRef(r["pack_id"], r["version"], r["title"], r["framework"], r["sha256"], r["path"]) for r in rows]
    return sorted(packs, key=lambda p: (p.framework, p.id))


def scan_trails(conn: Connection, scan_id: int) -> dict[int, list[RuleRecord]]:
    """Each flow's rule trail, in order, by flow id."""
    query = (
        select(*FR.__table__.c)
        .join(FL, FL.id == FR.flow_id)
        .where(FL.scan_id == scan_id)
        .order_by(FR.flow_id, FR.position)
    )
    trails: dict[int, list[RuleRecord]] = defaultdict(list)
    for row in conn.execute(query).mappings():
        trails[row["flow_id"]].append(RuleRecord.from_row(row))
    return trails


def scan_sources(conn: Connection, scan_id: int, status: str) -> list[dict[str, Any]]:
    """The scan's sources that were ``scanned`` or ``skipped``, by path and line."""
    query = select(*t.Source.__table__.c).where(t.Source.scan_id == scan_id, t.Source.status == status)
    return sorted((dict(r) for r in conn.execute(query).mappings()), key=lambda r: (r["path"], r["line"] or 0))


def scan_destinations(conn: Connection, scan_id: int) -> list[DestinationCount]:
    """Flows per resolved destination (id, kind, host, how resolved), with their verdicts counted."""
    query = select(
        FL.destination, FL.destination_kind, FL.destination_host, FL.resolved_by, FL.resolution_detail, FL.verdict
    )
    groups: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    for row in conn.execute(query.where(FL.scan_id == scan_id)):
        groups[tuple(row[:5])][row.verdict] += 1
    return [
        DestinationCount(dest, kind, host, resolved_by, detail, dict(counts))
        for (dest, kind, host, resolved_by, detail), counts in sorted(
            groups.items(), key=lambda kv: tuple(str(x) for x in kv[0])
        )
    ]


def scan_waivers(conn: Connection, scan_id: int) -> list[dict[str, Any]]:
    """The waivers recorded with the scan (in force or expired)."""
    query = select(*W.__table__.c).where(W.scan_id == scan_id)
    return [dict(r) for r in conn.execute(query).mappings()]


def previous_complete_scan(conn: Connection, scan: dict[str, Any]) -> tuple[str, int] | None:
    """(started_at, id) of the complete scan of the same target just before ``scan``, if any."""
    this = (scan["started_at"], scan["id"])
    earlier = [
        (iso(started), scan_id)
        for scan_id, started in conn.execute(
            select(S.id, S.started_at).where(S.status == "complete", S.target == scan["target"])
        )
        if (iso(started), scan_id) < this
    ]
    return max(earlier) if earlier else None


def scans_started_before(conn: Connection, cutoff: datetime) -> list[dict[str, Any]]:
    """Scans that started before ``cutoff``: what ``prune`` would delete."""
    query = select(*SCAN_COLUMNS).where(S.started_at < cutoff).order_by(S.started_at, S.id)
    return [_plain(row) for row in conn.execute(query).mappings()]


def delete_scans(conn: Connection, scan_ids: Sequence[int]) -> int:
    """Delete scans and, by cascade, everything recorded with them; returns how many."""
    if not scan_ids:
        return 0
    scans_table = cast(Table, t.Scan.__table__)
    return conn.execute(delete(scans_table).where(S.id.in_(list(scan_ids)))).rowcount


def glob_to_like(glob: str) -> str:
    """A shell glob as a SQL LIKE pattern (escape ``\\``): ``*`` and ``**`` any text, ``?`` one character."""
    out = []
    for char in glob:
        if char in "%_\\":
            out.append("\\" + char)
        elif char == "*":
            out.append("%" if not out or out[-1] != "%" else "")
        elif char == "?":
            out.append("_")
        else:
            out.append(char)
    return "".join(out)


def _flow_conditions(filters: Filters) -> list[Any]:
    conditions: list[Any] = []
    if filters.verdicts:
        conditions.append(FL.verdict.in_([v.lower() for v in filters.verdicts]))
    if filters.destinations:
        conditions.append(FL.destination.in_([d.lower() for d in filters.destinations]))
    if filters.frameworks:
        wanted = [f.upper() for f in filters.frameworks]
        conditions.append(FL.id.in_(select(FR.flow_id).where(func.upper(FR.framework).in_(wanted))))
    return conditions


def _novelty(conn: Connection, model: Any, scan_id: int, filters: Filters) -> list[Any]:
    """Conditions for ``since`` and ``new_since`` on findings or flows (by identity)."""
    conditions: list[Any] = []
    other = model.__table__.alias("earlier")
    if filters.new_since:
        baseline = resolve_scan(conn, filters.new_since)
        conditions.append(~exists().where(other.c.scan_id == baseline, other.c.identity == model.identity))
    if filters.since is not None:
        target = conn.execute(select(S.target).where(S.id == scan_id)).scalar_one()
        earlier_scans = select(S.id).where(S.status == "complete", S.target == target, S.started_at < filters.since)
        conditions.append(~exists().where(other.c.scan_id.in_(earlier_scans), other.c.identity == model.identity))
    return conditions


def _by_identity(conn: Connection, model: Any, columns: list[Any], scan_id: int, read: Any) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    query = select(*columns).where(model.scan_id == scan_id).order_by(model.path, model.line, model.id)
    for row in conn.execute(query).mappings():
        if row["identity"] not in rows:
            rows[row["identity"]] = read(row)
    return rows


def _flow_detail(conn: Connection, flow_id: int, *, with_findings: bool) -> FlowDetail:
    row = conn.execute(select(*FL.__table__.c).where(FL.id == flow_id)).mappings().first()
    if row is None:
        raise UsageError(f"no flow {flow_id} in the database")
    trail_query = select(*FR.__table__.c).where(FR.flow_id == flow_id).order_by(FR.position)
    trail = tuple(RuleRecord.from_row(r) for r in conn.execute(trail_query).mappings())
    waiver_ids = sorted({rule.waiver for rule in trail if rule.waiver})
    waivers = select(*W.__table__.c).where(W.scan_id == row["scan_id"], W.waiver_id.in_(waiver_ids))
    cited = tuple(WaiverRecord.from_row(r) for r in conn.execute(waivers.order_by(W.waiver_id)).mappings())
    carried = None
    if with_findings:
        query = select(*FINDING_COLUMNS).join(FF, FF.finding_id == F.id).where(FF.flow_id == flow_id)
        rows = conn.execute(query.order_by(F.path, F.line, F.id)).mappings()
        carried = tuple(FindingRecord.from_row(r) for r in rows)
    return FlowDetail.from_row(row, trail, cited, carried)


def _plain(row: Any) -> dict[str, Any]:
    """A result row as a dict of JSON-ready values (timestamps in ISO 8601, UTC)."""
    return {key: json_ready(value) for key, value in dict(row).items()}


def request_rows(conn: Connection, scan_id: int) -> Iterator[dict[str, Any]]:
    """The requests of a scan (record and runtime flows) with tokens, verdict and whether a
    rule's condition that the site must show is unmet (``unmet``), streamed in id order."""
    unmet: set[int] = set()
    trail = (
        select(FR.flow_id, FR.decision, FR.conditions)
        .join(FL, FL.id == FR.flow_id)
        .where(FL.scan_id == scan_id, FL.kind.in_(("record", "runtime")), FR.waiver.is_(None))
        .where(FR.decision.in_(("local_only", "conditional")))
    )
    for flow_id, decision, conditions in conn.execute(trail):
        if decision == "local_only" or any(c.get("met") is False for c in conditions or ()):
            unmet.add(flow_id)
    query = (
        select(
            FL.id, FL.kind, FL.path, FL.record, FL.destination, FL.destination_kind, FL.verdict, FL.waived,
            FL.model, FL.day, FL.input_tokens, FL.output_tokens, FL.tokens_estimated, FL.tags, FL.action,
            FL.routed_to,
        )
        .where(FL.scan_id == scan_id, FL.kind.in_(("record", "runtime")))
        .order_by(FL.id)
    )  # fmt: skip
    for row in conn.execution_options(stream_results=True, yield_per=5000).execute(query).mappings():
        yield {**row, "unmet": row["id"] in unmet}
