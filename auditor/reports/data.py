"""What an audit report says, gathered from the findings database into frozen values.

Everything here is read from the store (never from a live scan), so the printed numbers are
the database's. Only masked excerpts and short fingerprints reach the report; raw values never
exist in the database to begin with.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from auditor.errors import UsageError
from auditor.model import Category, Condition, Decision, PackRef, RuleOutcome, Verdict
from auditor.reports.integrity import evidence_name, scan_evidence, sha256_hex
from auditor.store import tables as t
from auditor.store.repository import Filters, diff_scans, list_findings, list_flows, require_complete, resolve_scan
from auditor.version import __version__

DEFAULT_APPENDIX_LIMIT = 1000
TOP_RISKS = 5


@dataclass(frozen=True, slots=True)
class RuleStatus:
    """One rule of a pack and what it did in this scan."""

    rule_id: str
    title: str
    citations: tuple[str, ...]
    source: str
    decision: str  # the rule's own decision (from the pack, else from the trail)
    flows: int  # flows it applied to
    waived: int  # of which covered by a waiver in force
    status: str  # "not triggered", "applied to 3 flows", ...


@dataclass(frozen=True, slots=True)
class FrameworkResult:
    pack: PackRef
    rules: tuple[RuleStatus, ...]
    note: str = ""  # e.g. the pack file changed since the scan


@dataclass(frozen=True, slots=True)
class FlowRow:
    number: int
    kind: str
    categories: str
    data: str
    destination: str
    destination_kind: str
    where: str
    verdict: str
    waived: bool
    fails: bool
    rule_ids: tuple[str, ...]
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DestinationRow:
    id: str
    kind: str
    host: str
    resolved_by: str
    detail: str
    flows: int
    verdicts: str  # "2 local_only, 1 conditional"


@dataclass(frozen=True, slots=True)
class Risk:
    """A rule that restricts flows in this scan, with what to do: one line of the top risks and the plan."""

    rank: int
    rule_id: str
    title: str
    decision: str
    unmet: tuple[str, ...]
    flows: int
    failing: int
    categories: str
    destinations: str
    paths: tuple[str, ...]
    citations: tuple[str, ...]
    remediation: str

    @property
    def sentence(self) -> str:
        """The risk in plain words."""
        where = f"{self.flows} flow{'s' if self.flows != 1 else ''} of {self.categories or 'regulated'} data"
        verb = "must stay on a local model" if self.decision == "local_only" else "may go out only under conditions"
        text = f"{where} to {self.destinations} {verb}: {self.title}"
        if self.unmet:
            text += f"; not shown by the site configuration: {'; '.join(self.unmet)}"
        return text + f" ({self.rule_id})."


@dataclass(frozen=True, slots=True)
class Trend:
    previous_id: int
    previous_started: str
    new_findings: int
    fixed_findings: int
    new_flows: tuple[FlowRow, ...]
    fixed_flows: tuple[FlowRow, ...]
    previous_by_category: dict[str, int]
    new_by_category: dict[str, int]
    fixed_by_category: dict[str, int]


@dataclass(frozen=True)
class AuditReport:
    """Everything the report prints, in the order of its sections."""

    title: str
    organisation: str
    generated_at: str
    report_tool_version: str
    scan: dict[str, Any]
    packs: tuple[PackRef, ...]
    frameworks: tuple[str, ...]  # in this report (all the scan's packs unless narrowed)
    by_verdict: dict[str, int]
    by_category: dict[str, int]
    by_framework: dict[str, dict[str, int]]  # framework -> decision -> flows
    failing: int
    waived_flows: int
    risks: tuple[Risk, ...]
    sources: tuple[dict[str, Any], ...]
    skipped: tuple[dict[str, Any], ...]
    destinations: tuple[DestinationRow, ...]
    detectors: tuple[tuple[str, str, str, int, float], ...]  # detector, entity, category, count, min confidence
    results: tuple[FrameworkResult, ...]
    flows: tuple[FlowRow, ...]
    findings: tuple[dict[str, Any], ...]  # the appendix rows, at most ``appendix_limit``
    findings_total: int
    appendix_limit: int
    findings_rest: tuple[tuple[str, str, int], ...]  # path, category, count of findings not listed
    waivers: tuple[dict[str, Any], ...]
    trend: Trend | None
    evidence: bytes = field(repr=False)
    routing: dict[str, Any] | None = None  # the plan (auditor.planning) of the scan's requests
    evidence_name: str = ""

    @property
    def evidence_sha256(self) -> str:
        return sha256_hex(self.evidence)


def build_report(
    conn: Connection,
    scan: str = "latest",
    *,
    frameworks: Sequence[str] = (),
    title: str | None = None,
    organisation: str | None = None,
    appendix_limit: int = DEFAULT_APPENDIX_LIMIT,
    allow_incomplete: bool = False,
    config_file: Any = None,
) -> AuditReport:
    """Read scan ``scan`` (an id, ``latest`` or ``previous``) and everything the report needs.

    Only a complete scan, unless ``allow_incomplete``: then the cover shows its status
    (``abandoned``, ``running``...) so nobody reads part of a scan as the whole.
    """
    scan_id = resolve_scan(conn, scan)
    status = require_complete(conn, scan_id, allow_incomplete=allow_incomplete)
    scan_row = dict(conn.execute(select(*t.Scan.__table__.c).where(t.Scan.id == scan_id)).mappings().one())
    scan_row["status"] = status
    scan_row = {k: _iso(v) if isinstance(v, datetime) else v for k, v in scan_row.items()}
    packs = tuple(_packs(conn, scan_id))
    wanted = _frameworks_in_report(packs, frameworks)
    pack_framework = {f"{p.id}@{p.version}": p.framework for p in packs}
    trails = _trails(conn, scan_id)
    fail_on = scan_row["fail_on"] or "unmet"
    flow_rows = list_flows(conn, Filters(scan=str(scan_id)))
    verdicts = {row["id"]: _verdict(row["verdict"], trails.get(row["id"], [])) for row in flow_rows}
    flows = tuple(
        _flow_row(n, row, trails.get(row["id"], []), verdicts[row["id"]], fail_on) for n, row in enumerate(flow_rows, 1)
    )
    if frameworks:
        keep = {
            row["id"]
            for row in flow_rows
            if any(pack_framework.get(r["pack"], r["framework"]) in wanted for r in trails.get(row["id"], []))
        }
        flows = tuple(f for f, row in zip(flows, flow_rows, strict=True) if row["id"] in keep)
    findings = list_findings(conn, Filters(scan=str(scan_id)))
    by_category = {c.value: 0 for c in Category}
    for finding in findings:
        by_category[finding["category"]] = by_category.get(finding["category"], 0) + 1
    listed = findings[:appendix_limit]
    rest = Counter((f["path"], f["category"]) for f in findings[appendix_limit:])
    evidence = scan_evidence(conn, scan_id)
    return AuditReport(
        title=title or "AI data-residency audit",
        organisation=organisation or "",
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        report_tool_version=__version__,
        scan=scan_row,
        packs=packs,
        frameworks=tuple(wanted),
        by_verdict={d.value: scan_row[f"{d.value}_count"] for d in Decision},
        by_category=by_category,
        by_framework=_by_framework(flow_rows, trails, pack_framework, wanted),
        failing=sum(1 for row in flow_rows if verdicts[row["id"]].fails(fail_on)),
        waived_flows=sum(1 for row in flow_rows if row["waived"]),
        risks=_risks(flow_rows, trails, verdicts, fail_on, pack_framework, wanted),
        sources=tuple(_sources(conn, scan_id, "scanned")),
        skipped=tuple(_sources(conn, scan_id, "skipped")),
        destinations=_destinations(conn, scan_id),
        detectors=_detectors(findings),
        results=tuple(_framework_result(p, trails) for p in packs if p.framework in wanted),
        flows=flows,
        findings=tuple(_finding_row(f) for f in listed),
        findings_total=len(findings),
        appendix_limit=appendix_limit,
        findings_rest=tuple((path, cat, n) for (path, cat), n in sorted(rest.items())),
        waivers=tuple(_waivers(conn, scan_id, trails)),
        trend=_trend(conn, scan_row, fail_on),
        evidence=evidence,
        routing=_routing_and_cost(conn, scan_id, scan_row, config_file),
        evidence_name=evidence_name(scan_id),
    )


def _frameworks_in_report(packs: Sequence[PackRef], asked: Sequence[str]) -> list[str]:
    present = list(dict.fromkeys(p.framework for p in packs))
    if not asked:
        return present
    by_name = {p.framework.upper(): p.framework for p in packs} | {p.id.upper(): p.framework for p in packs}
    unknown = [a for a in asked if a.upper() not in by_name]
    if unknown:
        raise UsageError(f"framework {unknown[0]!r} is not among the scan's rule packs ({', '.join(present)})")
    return list(dict.fromkeys(by_name[a.upper()] for a in asked))


def _packs(conn: Connection, scan_id: int) -> list[PackRef]:
    rows = conn.execute(select(*t.ScanPack.__table__.c).where(t.ScanPack.scan_id == scan_id)).mappings()
    packs = [PackRef(r["pack_id"], r["version"], r["title"], r["framework"], r["sha256"], r["path"]) for r in rows]
    return sorted(packs, key=lambda p: (p.framework, p.id))


def _trails(conn: Connection, scan_id: int) -> dict[int, list[dict[str, Any]]]:
    query = (
        select(*t.FlowRule.__table__.c)
        .join(t.Flow, t.Flow.id == t.FlowRule.flow_id)
        .where(t.Flow.scan_id == scan_id)
        .order_by(t.FlowRule.flow_id, t.FlowRule.position)
    )
    trails: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in conn.execute(query).mappings():
        trails[row["flow_id"]].append(dict(row))
    return trails


def _verdict(decision: str, trail: list[dict[str, Any]]) -> Verdict:
    """The stored verdict as the model's value, so ``fails`` is the scan's own logic."""
    outcomes = tuple(
        RuleOutcome(
            rule_id=r["rule_id"],
            title=r["title"],
            pack=r["pack"],
            framework=r["framework"],
            source=r["source"],
            citations=tuple(r["citations"] or ()),
            decision=Decision(r["decision"]),
            matched=tuple(r["matched"] or ()),
            conditions=tuple(Condition(c["id"], c["text"], c.get("met")) for c in r["conditions"] or ()),
            remediation=r["remediation"],
            waiver=r["waiver"],
        )
        for r in trail
    )
    return Verdict(Decision(decision), outcomes)


def _where(row: dict[str, Any]) -> str:
    where = f"{row['path']}:{row['line']}"
    if row.get("record") is not None:
        where += f" record {row['record']}"
    elif row.get("symbol"):
        where += f" in {row['symbol']}"
    return where


def _flow_row(number: int, row: dict[str, Any], trail: list[dict[str, Any]], verdict: Verdict, fail_on: str) -> FlowRow:
    citations = tuple(dict.fromkeys(c for r in trail for c in r["citations"] or ()))
    return FlowRow(
        number=number,
        kind=row["kind"],
        categories=row["categories"].replace(",", ", "),
        data=row["source"],
        destination=row["destination"] + (f" ({row['destination_host']})" if row["destination_host"] else ""),
        destination_kind=row["destination_kind"],
        where=f"{_where(row)} · {row['sink']}",
        verdict=row["verdict"],
        waived=bool(row["waived"]),
        fails=verdict.fails(fail_on),
        rule_ids=tuple(r["rule_id"] for r in trail),
        citations=citations,
    )


def _by_framework(
    flow_rows: list[dict[str, Any]],
    trails: dict[int, list[dict[str, Any]]],
    pack_framework: dict[str, str],
    wanted: list[str],
) -> dict[str, dict[str, int]]:
    """Per framework: flows its rules applied to, by that framework's strictest decision."""
    table = {fw: {d.value: 0 for d in Decision} for fw in wanted}
    for row in flow_rows:
        strictest: dict[str, Decision] = {}
        for rule in trails.get(row["id"], []):
            fw = pack_framework.get(rule["pack"], rule["framework"])
            decision = Decision(rule["decision"])
            if fw in table and (fw not in strictest or decision.rank > strictest[fw].rank):
                strictest[fw] = decision
        for fw, decision in strictest.items():
            table[fw][decision.value] += 1
    return table


def _risks(
    flow_rows: list[dict[str, Any]],
    trails: dict[int, list[dict[str, Any]]],
    verdicts: dict[int, Verdict],
    fail_on: str,
    pack_framework: dict[str, str],
    wanted: list[str],
) -> tuple[Risk, ...]:
    """Every restricting rule not waived, grouped, most serious first: local_only, then unmet, then count."""
    groups: dict[str, dict[str, Any]] = {}
    for row in flow_rows:
        for rule in trails.get(row["id"], []):
            if (
                rule["decision"] == "allow"
                or rule["waiver"]
                or pack_framework.get(rule["pack"], rule["framework"]) not in wanted
            ):
                continue
            g = groups.setdefault(
                rule["rule_id"],
                {"rule": rule, "flows": 0, "failing": 0, "unmet": {}, "cats": {}, "dests": {}, "paths": {}},
            )
            g["flows"] += 1
            g["failing"] += verdicts[row["id"]].fails(fail_on)
            for c in rule["conditions"] or ():
                if c.get("met") is False:
                    g["unmet"][c["text"]] = None
            for c in row["categories"].split(","):
                if c:
                    g["cats"][c] = None
            g["dests"][row["destination"]] = None
            g["paths"][row["path"]] = None
    ordered = sorted(
        groups.values(),
        key=lambda g: (
            -Decision(g["rule"]["decision"]).rank,
            -bool(g["unmet"]),
            -g["failing"],
            -g["flows"],
            g["rule"]["rule_id"],
        ),
    )
    return tuple(
        Risk(
            rank=i,
            rule_id=g["rule"]["rule_id"],
            title=g["rule"]["title"],
            decision=g["rule"]["decision"],
            unmet=tuple(g["unmet"]),
            flows=g["flows"],
            failing=g["failing"],
            categories=", ".join(g["cats"]),
            destinations=", ".join(g["dests"]),
            paths=tuple(g["paths"]),
            citations=tuple(g["rule"]["citations"] or ()),
            remediation=" ".join(g["rule"]["remediation"].split()),
        )
        for i, g in enumerate(ordered, 1)
    )


def _sources(conn: Connection, scan_id: int, status: str) -> list[dict[str, Any]]:
    query = select(*t.Source.__table__.c).where(t.Source.scan_id == scan_id, t.Source.status == status)
    return sorted((dict(r) for r in conn.execute(query).mappings()), key=lambda r: (r["path"], r["line"] or 0))


def _destinations(conn: Connection, scan_id: int) -> tuple[DestinationRow, ...]:
    F = t.Flow
    query = select(F.destination, F.destination_kind, F.destination_host, F.resolved_by, F.resolution_detail, F.verdict)
    groups: dict[tuple, Counter] = defaultdict(Counter)
    for row in conn.execute(query.where(F.scan_id == scan_id)):
        groups[tuple(row[:5])][row.verdict] += 1
    out = []
    for (dest, kind, host, resolved_by, detail), counts in sorted(
        groups.items(), key=lambda kv: tuple(str(x) for x in kv[0])
    ):
        verdicts = ", ".join(f"{counts[d.value]} {d.value}" for d in reversed(Decision) if counts[d.value])
        out.append(DestinationRow(dest, kind, host or "", resolved_by, detail or "", sum(counts.values()), verdicts))
    return tuple(out)


def _detectors(findings: list[dict[str, Any]]) -> tuple[tuple[str, str, str, int, float], ...]:
    seen: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for f in findings:
        seen[(f["detector"], f["entity"], f["category"])].append(f["confidence"])
    return tuple((d, e, c, len(v), min(v)) for (d, e, c), v in sorted(seen.items()))


def _framework_result(pack: PackRef, trails: dict[int, list[dict[str, Any]]]) -> FrameworkResult:
    """Every rule of the pack with its status; the rule list comes from the pack file if it is unchanged."""
    applied: dict[str, list[dict[str, Any]]] = defaultdict(list)
    pack_key = f"{pack.id}@{pack.version}"
    for trail in trails.values():
        for rule in trail:
            if rule["pack"] == pack_key:
                applied[rule["rule_id"]].append(rule)
    rules, note = _pack_rules(pack)
    if rules is None:
        rules = [
            (rid, rs[0]["title"], tuple(rs[0]["citations"] or ()), rs[0]["source"], rs[0]["decision"])
            for rid, rs in sorted(applied.items())
        ]
    statuses = []
    for rule_id, title, citations, source, decision in rules:
        hits = applied.get(rule_id, [])
        waived = sum(1 for h in hits if h["waiver"])
        if not hits:
            status = "not triggered"
        else:
            status = f"applied to {len(hits)} flow{'s' if len(hits) != 1 else ''}"
            if waived:
                status += f", {waived} waived"
        statuses.append(RuleStatus(rule_id, title, citations, source, decision, len(hits), waived, status))
    return FrameworkResult(pack, tuple(statuses), note)


def _pack_rules(pack: PackRef) -> tuple[list[tuple[str, str, tuple[str, ...], str, str]] | None, str]:
    """The pack's rules from its file, only if the file still has the sha256 the scan recorded."""
    path = Path(pack.path)
    try:
        raw = path.read_bytes()
    except OSError:
        return None, "The pack file is not available here: rules are listed from the scan's trails only."
    if hashlib.sha256(raw).hexdigest() != pack.sha256:
        return (
            None,
            "The pack file changed since the scan (sha256 differs): rules are listed from the scan's trails only.",
        )
    from auditor.policy.packs import load_pack

    loaded = load_pack(path)
    return [(r.id, r.title, r.requirement_refs, r.source, r.decision.value) for r in loaded.rules], ""


def _finding_row(f: dict[str, Any]) -> dict[str, Any]:
    where = f"{f['path']}:{f['line']}:{f['col']}"
    if f["record"] is not None:
        where += f" record {f['record']}" + (f" {f['pointer']}" if f["pointer"] else "")
    return {
        "where": where,
        "category": f["category"],
        "entity": f["entity"],
        "confidence": f["confidence"],
        "excerpt": f["excerpt"],
        "fingerprint": f["fingerprint"][:12],
    }


def _waivers(conn: Connection, scan_id: int, trails: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    uses = Counter(r["waiver"] for trail in trails.values() for r in trail if r["waiver"])
    query = select(*t.Waiver.__table__.c).where(t.Waiver.scan_id == scan_id)
    rows = []
    for r in conn.execute(query).mappings():
        scope = r["path"] or (f"fingerprint {r['fingerprint'][:12]}" if r["fingerprint"] else "")
        rows.append({**dict(r), "scope": scope, "uses": uses.get(r["waiver_id"], 0)})
    return sorted(rows, key=lambda r: (not r["expired"], r["expires"], r["waiver_id"]))


def _trend(conn: Connection, scan_row: dict[str, Any], fail_on: str) -> Trend | None:
    """New and fixed against the previous complete scan of the same target, if there is one."""
    S = t.Scan
    this = (scan_row["started_at"], scan_row["id"])
    earlier = [
        (_iso(started), scan_id)
        for scan_id, started in conn.execute(
            select(S.id, S.started_at).where(S.status == "complete", S.target == scan_row["target"])
        )
        if (_iso(started), scan_id) < this
    ]
    if not earlier:
        return None
    previous_started, previous_id = max(earlier)
    diff = diff_scans(conn, str(previous_id), str(scan_row["id"]))
    previous_findings = list_findings(conn, Filters(scan=str(previous_id)))

    def by_category(rows: list[dict[str, Any]]) -> dict[str, int]:
        counts = {c.value: 0 for c in Category}
        for row in rows:
            counts[row["category"]] = counts.get(row["category"], 0) + 1
        return counts

    def rows(flows: list[dict[str, Any]]) -> tuple[FlowRow, ...]:
        return tuple(_flow_row(n, f, [], _verdict(f["verdict"], []), fail_on) for n, f in enumerate(flows, 1))

    return Trend(
        previous_id=previous_id,
        previous_started=previous_started,
        new_findings=len(diff["findings"]["new"]),
        fixed_findings=len(diff["findings"]["fixed"]),
        new_flows=rows(diff["flows"]["new"]),
        fixed_flows=rows(diff["flows"]["fixed"]),
        previous_by_category=by_category(previous_findings),
        new_by_category=by_category(diff["findings"]["new"]),
        fixed_by_category=by_category(diff["findings"]["fixed"]),
    )


def _routing_and_cost(conn: Connection, scan_id: int, scan_row: dict[str, Any], config_file: Any) -> dict[str, Any]:
    """The plan of the scan's logged requests under the site configuration (``config_file``, else
    found from the scan's root; the defaults when it is gone). A request with no price entry
    is listed as unpriced rather than stopping the report."""
    from pathlib import Path

    from auditor.planning import Plan, local_route, requests_from_rows
    from auditor.policy.destinations import load_catalog
    from auditor.policy.prices import load_prices
    from auditor.siteconfig import find_config_file, load_site_config
    from auditor.store.repository import request_rows

    root = Path(scan_row["root"])
    if config_file is None and root.is_dir():
        config_file = find_config_file(root)
    site = load_site_config(Path(config_file) if config_file else None)
    plan = Plan(load_prices(site), site.routing, local_route(site.routing, load_catalog(site)), allow_unpriced=True)
    for request in requests_from_rows(request_rows(conn, scan_id)):
        plan.add(request)
    return plan.as_dict()


def _iso(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite keeps no zone; auditor always writes UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")
