"""``auditor plan``: tokens and cost per destination and verdict, today and with routing applied."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli._listing import db_option, pick_format
from auditor.errors import UsageError
from auditor.outputs import check_output_path, write_atomically


@click.command("plan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--scan", default=None, help="Plan over a stored scan: its id, `latest` or `previous`.")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default=None,
    help="Output format [default: table on a terminal, json otherwise].",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the plan to FILE.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Site configuration (prices, routing) [default: found from the first PATH, or the current directory, up].",
)
@click.option(
    "--prices",
    "prices_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Price table instead of the shipped rules/prices.yaml.",
)
@click.option(
    "--allow-unpriced", is_flag=True, help="Count requests with no price entry at 0 and list them, instead of exit 2."
)
def plan_command(
    paths: tuple[str, ...],
    scan: str | None,
    db: str | None,
    fmt: str | None,
    out: Path | None,
    config_file: Path | None,
    prices_file: Path | None,
    allow_unpriced: bool,
) -> int:
    """Tokens and cost per destination and verdict, per day, what must and could move to the
    local model, and the cost today against the cost with the plan applied.

    Over PATHS (scanned now, not stored) or a stored scan (--scan). Prices come from
    rules/prices.yaml and the site's [tool.auditor] prices; a log's own cost is never used.
    """
    from auditor.routing import build_plan

    if bool(paths) == bool(scan):
        raise UsageError("auditor plan needs PATHS or --scan ID|latest (one of the two)")
    if out is not None:
        check_output_path(out)
    plan = build_plan(
        paths=list(paths),
        scan=scan,
        db=db,
        config_file=config_file,
        prices_file=prices_file,
        allow_unpriced=allow_unpriced,
    )
    from auditor.reports.plan import render_plan_json, render_plan_table

    fmt = fmt or ("table" if out is None and pick_format(None) == "table" else "json")
    text = render_plan_json(plan) if fmt == "json" else render_plan_table(plan)
    if out is not None:
        write_atomically(out, text)
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text, nl=False)
    return 0
