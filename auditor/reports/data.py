"""What an audit report says, gathered from the findings database into frozen values.

Everything here is read from the store (never from a live scan), so the printed numbers are
the database's. Only masked excerpts and short fingerprints reach the report; raw values never
exist in the database to begin with. ``build_report`` assembles: the report model is in
``model``, the risk ranking in ``risks``, the trend in ``trend``, each framework's rules in
``frameworks``; every query is the store's (``auditor.store.repository``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from auditor.model import Decision, Verdict
from auditor.reports.frameworks import framework_result, frameworks_in_report
from auditor.reports.integrity import evidence_name, scan_evidence
from auditor.reports.model import (
    DEFAULT_APPENDIX_LIMIT,
    TOP_RISKS,
    AuditReport,
    DestinationRow,
    FlowRow,
    FrameworkResult,
    Risk,
    RuleStatus,
    Trend,
)
from auditor.reports.risks import by_framework, rank_risks, stored_verdict
from auditor.reports.trend import by_category, trend
from auditor.store import repository as store
from auditor.store.records import FindingRecord, FlowRecord, RuleRecord
from auditor.version import __version__

__all__ = [
    "DEFAULT_APPENDIX_LIMIT",
    "TOP_RISKS",
    "AuditReport",
    "DestinationRow",
    "FlowRow",
    "FrameworkResult",
    "Risk",
    "RuleStatus",
    "Trend",
    "build_report",
]


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
    scan_id = store.resolve_scan(conn, scan)
    status = store.require_complete(conn, scan_id, allow_incomplete=allow_incomplete)
    scan_row = store.scan_summary(conn, scan_id)
    scan_row["status"] = status
    packs = tuple(store.scan_packs(conn, scan_id))
    wanted = frameworks_in_report(packs, frameworks)
    pack_framework = {f"{p.id}@{p.version}": p.framework for p in packs}
    trails = store.scan_trails(conn, scan_id)
    fail_on = scan_row["fail_on"] or "unmet"
    flows = store.flows(conn, store.Filters(scan=str(scan_id)))
    # With frameworks asked for, the register lists only flows that one of their rules applied to.
    listed = {
        f.id
        for f in flows
        if not frameworks or any(pack_framework.get(r.pack, r.framework) in wanted for r in trails.get(f.id, []))
    }
    verdicts = {f.id: stored_verdict(f.verdict, trails.get(f.id, [])) for f in flows}
    found = store.findings(conn, store.Filters(scan=str(scan_id)))
    rest = Counter((f.path, f.category) for f in found[appendix_limit:])
    numbered = list(enumerate(flows, 1))  # numbered before narrowing, as the whole scan's register
    return AuditReport(
        title=title or "AI data-residency audit",
        organisation=organisation or "",
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        report_tool_version=__version__,
        scan=scan_row,
        packs=packs,
        frameworks=tuple(wanted),
        by_verdict={d.value: scan_row[f"{d.value}_count"] for d in Decision},
        by_category=by_category(found),
        by_framework=by_framework(flows, trails, pack_framework, wanted),
        failing=sum(1 for f in flows if verdicts[f.id].fails(fail_on)),
        waived_flows=sum(1 for f in flows if f.waived),
        risks=rank_risks(flows, trails, verdicts, fail_on, pack_framework, wanted),
        sources=tuple(store.scan_sources(conn, scan_id, "scanned")),
        skipped=tuple(store.scan_sources(conn, scan_id, "skipped")),
        destinations=_destinations(conn, scan_id),
        detectors=_detectors(found),
        results=tuple(framework_result(p, trails) for p in packs if p.framework in wanted),
        flows=tuple(
            _flow_row(n, f, trails.get(f.id, []), verdicts[f.id], fail_on) for n, f in numbered if f.id in listed
        ),
        findings=tuple(_finding_row(f) for f in found[:appendix_limit]),
        findings_total=len(found),
        appendix_limit=appendix_limit,
        findings_rest=tuple((path, cat, n) for (path, cat), n in sorted(rest.items())),
        waivers=tuple(_waivers(conn, scan_id, trails)),
        trend=trend(conn, scan_row, lambda n, f: _flow_row(n, f, [], stored_verdict(f.verdict, []), fail_on)),
        evidence=scan_evidence(conn, scan_id),
        routing=_routing_and_cost(conn, scan_id, scan_row, config_file),
        evidence_name=evidence_name(scan_id),
    )


def _routing_and_cost(conn: Connection, scan_id: int, scan_row: dict[str, Any], config_file: Any) -> dict[str, Any]:
    """The plan of the scan's logged requests under the site configuration (``config_file``, else
    found from the scan's root; the defaults when it is gone). A request with no price entry
    is listed as unpriced rather than stopping the report."""
    from pathlib import Path

    from auditor.catalog.destinations import load_catalog
    from auditor.planning import Plan, local_route, requests_from_rows
    from auditor.policy.prices import load_prices
    from auditor.siteconfig import find_config_file, load_site_config

    root = Path(scan_row["root"])
    if config_file is None and root.is_dir():
        config_file = find_config_file(root)
    site = load_site_config(Path(config_file) if config_file else None)
    plan = Plan(load_prices(site), site.routing, local_route(site.routing, load_catalog(site)), allow_unpriced=True)
    for request in requests_from_rows(store.request_rows(conn, scan_id)):
        plan.add(request)
    return plan.as_dict()


def _flow_row(number: int, flow: FlowRecord, trail: Sequence[RuleRecord], verdict: Verdict, fail_on: str) -> FlowRow:
    """One line of the flow register."""
    return FlowRow(
        number=number,
        kind=flow.kind,
        categories=flow.categories.replace(",", ", "),
        data=flow.source,
        destination=flow.destination + (f" ({flow.destination_host})" if flow.destination_host else ""),
        destination_kind=flow.destination_kind,
        where=f"{flow.location.display(column=False, brackets=False, symbol=True)} · {flow.sink}",
        verdict=flow.verdict,
        waived=bool(flow.waived),
        fails=verdict.fails(fail_on),
        rule_ids=tuple(r.rule_id for r in trail),
        citations=tuple(dict.fromkeys(c for r in trail for c in r.citations)),
    )


def _destinations(conn: Connection, scan_id: int) -> tuple[DestinationRow, ...]:
    rows = []
    for d in store.scan_destinations(conn, scan_id):
        verdicts = ", ".join(f"{d.verdicts[v.value]} {v.value}" for v in reversed(Decision) if d.verdicts.get(v.value))
        rows.append(
            DestinationRow(
                d.destination, d.kind, d.host or "", d.resolved_by, d.detail or "", sum(d.verdicts.values()), verdicts
            )
        )
    return tuple(rows)


def _detectors(found: Sequence[FindingRecord]) -> tuple[tuple[str, str, str, int, float], ...]:
    seen: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for f in found:
        seen[(f.detector, f.entity, f.category)].append(f.confidence)
    return tuple((d, e, c, len(v), min(v)) for (d, e, c), v in sorted(seen.items()))


def _finding_row(f: FindingRecord) -> dict[str, Any]:
    return {
        "where": f.location.display(brackets=False),
        "category": f.category,
        "entity": f.entity,
        "confidence": f.confidence,
        "excerpt": f.excerpt,
        "fingerprint": f.fingerprint[:12],
    }


def _waivers(conn: Connection, scan_id: int, trails: dict[int, list[RuleRecord]]) -> list[dict[str, Any]]:
    uses = Counter(r.waiver for trail in trails.values() for r in trail if r.waiver)
    rows = []
    for r in store.scan_waivers(conn, scan_id):
        scope = r["path"] or (f"fingerprint {r['fingerprint'][:12]}" if r["fingerprint"] else "")
        rows.append({**r, "scope": scope, "uses": uses.get(r["waiver_id"], 0)})
    return sorted(rows, key=lambda r: (not r["expired"], r["expires"], r["waiver_id"]))
