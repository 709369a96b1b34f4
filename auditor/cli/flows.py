"""``auditor flows list|show``: stored flows toward AI destinations, with their verdicts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from auditor.cli._listing import db_option, emit_rows, filter_options, filters_from, format_option, pick_format, read

if TYPE_CHECKING:  # SQLAlchemy loads only when a query runs
    from auditor.store.records import FlowDetail

TABLE_COLUMNS = ("id", "verdict", "waived", "categories", "destination", "kind", "path", "line", "record", "rules")


@click.group("flows")
def flows_command() -> None:
    """Query the flows stored by `auditor scan` and their verdicts."""


@flows_command.command("list")
@db_option
@format_option()
@filter_options
def list_command(db: str | None, fmt: str | None, **options: Any) -> int:
    """List the flows of a scan (the latest complete one by default)."""
    from auditor.store.repository import list_flows, partial_scan_note

    filters = filters_from(**options)
    rows = read(db, list_flows, filters)
    note = read(db, partial_scan_note, filters)
    if note:
        click.echo(note, err=True)
    emit_rows(rows, pick_format(fmt), TABLE_COLUMNS)
    return 0


@flows_command.command("show")
@click.argument("flow_id", type=int)
@db_option
@format_option(("table", "json"))
def show_command(flow_id: int, db: str | None, fmt: str | None) -> int:
    """Show one flow: its data, destination, verdict and the rule trail behind it."""
    from auditor.store.repository import get_flow

    flow: FlowDetail = read(db, get_flow, flow_id)
    if pick_format(fmt) == "json":
        click.echo(json.dumps(flow.as_row(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_flow(flow))
    return 0


def render_flow(flow: FlowDetail, indent: str = "") -> str:
    """A flow as an auditor reads it: verdict, destination, where, and each rule with citations."""
    waived = " (waived)" if flow.waived else ""
    lines = [
        f"flow {flow.id} (scan {flow.scan_id}, identity {flow.identity}): {flow.verdict}{waived}",
        f"  data:        {flow.categories or '-'}  {flow.source}",
        f"  destination: {flow.destination} ({flow.destination_kind}, resolved by {flow.resolved_by})"
        + (f" host {flow.destination_host}" if flow.destination_host else ""),
        f"  sink:        {flow.sink} at {flow.location.display(column=False)} ({flow.kind})",
    ]
    for step in flow.steps:
        loc = step.get("location", {})
        lines.append(f"  step:        {loc.get('path')}:{loc.get('line')} {step.get('description', '')}")
    if flow.sanitizers:
        lines.append(f"  sanitizers:  {', '.join(flow.sanitizers)}")
    lines.append("  rule trail:" + ("" if flow.trail else " none"))
    for rule in flow.trail:
        waiver = f" waived by {rule.waiver}" if rule.waiver else ""
        lines.append(f"    {rule.rule_id} [{rule.pack}, {rule.framework}] {rule.decision}{waiver}: {rule.title}")
        if rule.citations:
            lines.append(f"      cites: {'; '.join(rule.citations)}")
        if rule.matched:
            lines.append(f"      matched: {', '.join(rule.matched)}")
        for condition in rule.conditions:
            state = {True: "met", False: "UNMET", None: "to attest"}[condition["met"]]
            lines.append(f"      condition {condition['id']} ({state}): {condition['text']}")
        if rule.remediation:
            lines.append(f"      remediation: {rule.remediation}")
    for waiver_record in flow.waivers:
        state = "EXPIRED" if waiver_record.expired else f"until {waiver_record.expires}"
        lines.append(
            f"  waiver {waiver_record.waiver_id} ({waiver_record.rule_id}, {state}): approved by "
            f"{waiver_record.approver}: {waiver_record.justification}"
        )
    for finding in flow.findings or ():
        where = finding.location.display(column=False, record=False)
        lines.append(f"  finding {finding.id}: {finding.category} {finding.entity} {where}  {finding.excerpt}")
    return "\n".join(indent + line for line in lines)
