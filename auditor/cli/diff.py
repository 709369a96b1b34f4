"""``auditor diff SCAN_A SCAN_B``: what is new, fixed and unchanged between two scans."""

from __future__ import annotations

import json

import click

from auditor.cli._listing import db_option, format_option, pick_format, read, render_table

FINDING_COLUMNS = ("id", "category", "entity", "path", "line", "record", "excerpt")
FLOW_COLUMNS = ("id", "verdict", "categories", "destination", "path", "line", "record")


@click.command("diff")
@click.argument("scan_a", default="previous")
@click.argument("scan_b", default="latest")
@db_option
@format_option(("table", "json"))
@click.option("-v", "--verbose", is_flag=True, help="Table: list unchanged items too.")
@click.option(
    "--allow-incomplete",
    is_flag=True,
    help="Compare a scan that is not complete (abandoned, or still running) anyway; its rows are partial.",
)
def diff_command(
    scan_a: str, scan_b: str, db: str | None, fmt: str | None, verbose: bool, allow_incomplete: bool
) -> int:
    """Compare two scans (ids, `latest`, `previous`; default previous latest), by stable identity."""
    from auditor.store.repository import diff_scans

    diff = read(db, diff_scans, scan_a, scan_b, allow_incomplete=allow_incomplete)
    if pick_format(fmt) == "json":
        click.echo(json.dumps(diff, indent=2, ensure_ascii=False))
        return 0
    lines = [f"scan {diff['scan_a']} -> scan {diff['scan_b']}"]
    for name, columns in (("findings", FINDING_COLUMNS), ("flows", FLOW_COLUMNS)):
        part = diff[name]
        lines.append(f"{name}: {len(part['new'])} new, {len(part['fixed'])} fixed, {len(part['unchanged'])} unchanged")
        shown = ("new", "fixed", "unchanged") if verbose else ("new", "fixed")
        for state in shown:
            if part[state]:
                lines += ["", f"{state} {name}:", render_table(part[state], columns)]
        lines.append("")
    click.echo("\n".join(lines).rstrip())
    return 0
