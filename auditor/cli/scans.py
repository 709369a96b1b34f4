"""``auditor scans list|prune``: the scans in the database, and retention."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from auditor.cli._listing import db_option, emit_rows, format_option, parse_age, parse_moment, pick_format, read
from auditor.errors import UsageError

TABLE_COLUMNS = (
    "id", "status", "started_at", "target", "git_branch", "git_commit", "findings_count", "flows_count",
    "local_only_count", "conditional_count", "owner",
)  # fmt: skip

# HIPAA: documentation required by the Security Rule is kept six years from its creation or
# from when it was last in effect, whichever is later (45 CFR 164.316(b)(2)(i)).
DEFAULT_MINIMUM_RETENTION = "6y"


@click.group("scans")
def scans_command() -> None:
    """The scans recorded in the findings database."""


@scans_command.command("list")
@db_option
@format_option()
@click.option("--target", default=None, help="Only scans of this target.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N scans, newest first.")
def list_command(db: str | None, fmt: str | None, target: str | None, limit: int | None) -> int:
    """List scans, newest first, with their status and counts."""
    from auditor.store.repository import list_scans

    rows = read(db, list_scans, target=target, limit=limit)
    for row in rows:
        if fmt != "json" and row["git_commit"]:
            row["git_commit"] = row["git_commit"][:12]
    emit_rows(rows, pick_format(fmt), TABLE_COLUMNS)
    return 0


@scans_command.command("prune")
@db_option
@click.option(
    "--older-than", required=True, metavar="AGE|DATE", help="Delete scans started before this (7y, 2019-01-01)."
)
@click.option(
    "--minimum",
    default=DEFAULT_MINIMUM_RETENTION,
    show_default=True,
    metavar="AGE",
    help="Refuse to delete scans younger than this (HIPAA: 6 years, 45 CFR 164.316(b)(2)).",
)
@click.option("--force", is_flag=True, help="Delete inside the minimum retention anyway.")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
def prune_command(db: str | None, older_than: str, minimum: str, force: bool, dry_run: bool) -> int:
    """Delete old scans and everything recorded with them."""
    from auditor.store import open_database
    from auditor.store.repository import delete_scans, scans_started_before

    now = datetime.now(UTC)
    cutoff = parse_moment(older_than, now)
    floor = now - parse_age(minimum)
    if cutoff > floor and not force:
        raise UsageError(
            f"refusing to delete scans younger than the minimum retention of {minimum} "
            "(HIPAA documentation retention, 45 CFR 164.316(b)(2)); pass --force to override"
        )
    engine = open_database(db)
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        doomed = scans_started_before(conn, cutoff)
        deleted = 0 if dry_run else delete_scans(conn, [row["id"] for row in doomed])
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {len(doomed) if dry_run else deleted} scan(s) started before {cutoff.date().isoformat()}")
    return 0
