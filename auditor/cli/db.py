"""``auditor db upgrade|current``: the findings database's schema, owned by Alembic."""

from __future__ import annotations

import click

from auditor.cli._listing import db_option


@click.group("db")
def db_command() -> None:
    """Create or migrate the findings database."""


@db_command.command("upgrade")
@db_option
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade_command(db: str | None, revision: str) -> int:
    """Create the schema, or migrate it to this auditor's version."""
    from auditor.store.engine import make_engine, resolve_url, safe_url
    from auditor.store.schema import upgrade

    url = resolve_url(db)
    engine = make_engine(url, create_file=True)
    before, after = upgrade(engine, revision)
    if before == after:
        click.echo(f"{safe_url(url)}: schema already at {after}")
    else:
        click.echo(f"{safe_url(url)}: schema upgraded from {before or 'empty'} to {after}")
    return 0


@db_command.command("current")
@db_option
def current_command(db: str | None) -> int:
    """Print the schema revision of the database and the one this auditor needs."""
    from auditor.store.engine import make_engine, resolve_url, safe_url
    from auditor.store.schema import current_revision, head_revision

    url = resolve_url(db)
    engine = make_engine(url)
    with engine.connect() as conn:
        current = current_revision(conn)
    head = head_revision()
    state = "up to date" if current == head else "run `auditor db upgrade`"
    click.echo(f"{safe_url(url)}: at {current or 'no schema'}, this auditor needs {head} ({state})")
    return 0
