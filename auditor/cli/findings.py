"""``auditor findings list|show``: the stored findings of a scan, filtered."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from auditor.cli._listing import db_option, emit_rows, filter_options, filters_from, format_option, pick_format, read

if TYPE_CHECKING:  # SQLAlchemy loads only when a query runs
    from auditor.store.records import FindingDetail

TABLE_COLUMNS = ("id", "category", "entity", "confidence", "path", "line", "record", "pointer", "excerpt")


@click.group("findings")
def findings_command() -> None:
    """Query the findings stored by `auditor scan` (masked; never a raw value)."""


@findings_command.command("list")
@db_option
@format_option()
@filter_options
def list_command(db: str | None, fmt: str | None, **options: Any) -> int:
    """List the findings of a scan (the latest complete one by default)."""
    from auditor.store.repository import list_findings, partial_scan_note

    filters = filters_from(**options)
    rows = read(db, list_findings, filters)
    note = read(db, partial_scan_note, filters)
    if note:
        click.echo(note, err=True)
    emit_rows(rows, pick_format(fmt), TABLE_COLUMNS)
    return 0


@findings_command.command("show")
@click.argument("finding_id", type=int)
@db_option
@format_option(("table", "json"))
def show_command(finding_id: int, db: str | None, fmt: str | None) -> int:
    """Show one finding and every flow that carries it, with the rule trail."""
    from auditor.cli.flows import render_flow
    from auditor.store.repository import get_finding

    detail: FindingDetail = read(db, get_finding, finding_id)
    if pick_format(fmt) == "json":
        click.echo(json.dumps(detail.as_row(), indent=2, ensure_ascii=False))
        return 0
    finding = detail.finding
    lines = [f"finding {finding.id} (scan {finding.scan_id}, identity {finding.identity})"]
    for key in ("category", "entity", "detector", "confidence", "excerpt", "label", "fingerprint"):
        value = getattr(finding, key)
        if value is not None:
            lines.append(f"  {key + ':':<12} {value}")
    lines.append(f"  {'location:':<12} {finding.location.display()}")
    lines.append(f"  flows:       {len(detail.flows) or 'none'}")
    click.echo("\n".join(lines))
    for flow in detail.flows:
        click.echo(render_flow(flow, indent="    "))
    return 0
