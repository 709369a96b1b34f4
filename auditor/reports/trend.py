"""The trend: what is new and fixed against the previous complete scan of the same target."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection

from auditor.model import Category
from auditor.reports.model import FlowRow, Trend
from auditor.store.records import FindingRecord, FlowRecord
from auditor.store.repository import Filters, compare_scans, findings, previous_complete_scan


def trend(conn: Connection, scan: dict[str, Any], flow_row: Callable[[int, FlowRecord], FlowRow]) -> Trend | None:
    """New and fixed against the previous complete scan of the same target, if there is one;
    ``flow_row`` draws a flow as the report's flow register does."""
    previous = previous_complete_scan(conn, scan)
    if previous is None:
        return None
    previous_started, previous_id = previous
    diff = compare_scans(conn, str(previous_id), str(scan["id"]))
    previous_findings = findings(conn, Filters(scan=str(previous_id)))

    def rows(flows: Sequence[FlowRecord]) -> tuple[FlowRow, ...]:
        return tuple(flow_row(n, f) for n, f in enumerate(flows, 1))

    return Trend(
        previous_id=previous_id,
        previous_started=previous_started,
        new_findings=len(diff.new_findings),
        fixed_findings=len(diff.fixed_findings),
        new_flows=rows(diff.new_flows),
        fixed_flows=rows(diff.fixed_flows),
        previous_by_category=by_category(previous_findings),
        new_by_category=by_category(diff.new_findings),
        fixed_by_category=by_category(diff.fixed_findings),
    )


def by_category(found: Sequence[FindingRecord]) -> dict[str, int]:
    """Findings per category, every category listed (zero when none)."""
    counts = {c.value: 0 for c in Category}
    for finding in found:
        counts[finding.category] = counts.get(finding.category, 0) + 1
    return counts
