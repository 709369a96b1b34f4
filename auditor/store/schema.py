"""Alembic owns the schema: upgrade, what revision a database is at, and whether the code fits.

The migrations ship inside the package (``auditor/resources.py``), so ``auditor db upgrade``
works from a wheel as well as from a checkout. A new database gets its schema through the
same migrations (so its version table is right); a database behind the code is refused with
one line that says to run ``auditor db upgrade``.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from auditor.errors import ConfigError, SchemaOutdatedError
from auditor.resources import resource_dir
from auditor.store.engine import safe_url
from auditor.store.tables import Base

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# The revision this code reads and writes. Alembic is imported only to migrate, so a query
# command starts fast; tests/test_store_migrations.py checks this is the migrations' head.
SCHEMA_REVISION = "0004_runtime_flows"

# Any fixed 64-bit number: two first scans into one empty PostgreSQL database must not both
# create the schema.
_PG_SCHEMA_LOCK = 0x617564_69746F72


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration over the shipped migrations, bound to ``connection`` if given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision this code expects."""
    return SCHEMA_REVISION


def migrations_head() -> str | None:
    """The head of the shipped migrations (what SCHEMA_REVISION must name)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at, or None for a database without auditor's schema."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate the database to ``revision``; returns the revisions before and after."""
    from alembic import command

    with _write_connection(engine) as conn:
        before = current_revision(conn)
        _check_known(before, engine)
        if before is None:
            _refuse_foreign(conn, engine)
        command.upgrade(alembic_config(conn), revision)
        after = current_revision(conn)
    return before, after


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to ``revision`` (``base`` drops every table)."""
    from alembic import command

    with _write_connection(engine) as conn:
        command.downgrade(alembic_config(conn), revision)


def ensure_schema(engine: Engine, *, create: bool) -> None:
    """Check the database fits this code; with ``create``, give an empty database its schema.

    Raises SchemaOutdatedError (one line, run ``auditor db upgrade``) for a database behind
    the code, ConfigError for one ahead of it or without auditor's tables.
    """
    head = head_revision()
    with engine.connect() as conn:
        current = current_revision(conn)
    if current == head:
        return
    if current is None and create:
        from alembic import command

        with _write_connection(engine) as conn:
            if current_revision(conn) is None:  # re-read under the lock: another scan may have won
                if _has_auditor_tables(conn):
                    raise ConfigError(
                        f"database {safe_url(engine.url)} has auditor tables but no version: run `auditor db upgrade`"
                    )
                _refuse_foreign(conn, engine)
                command.upgrade(alembic_config(conn), "head")
        return
    if current is None:
        raise SchemaOutdatedError(f"database {safe_url(engine.url)} has no auditor schema: run `auditor db upgrade`")
    _check_known(current, engine)
    raise SchemaOutdatedError(
        f"database schema is at revision {current}, this auditor needs {head}: run `auditor db upgrade`"
    )


def _check_known(revision: str | None, engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    if revision is None or _exists(ScriptDirectory.from_config(alembic_config()), revision):
        return
    raise ConfigError(
        f"database {safe_url(engine.url)} is at schema revision {revision}, newer than this auditor: upgrade auditor"
    )


def _exists(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several types for an unknown revision id
        return False


def _refuse_foreign(conn: Connection, engine: Engine) -> None:
    """A database without auditor's schema but with other tables belongs to someone else."""
    existing = set(inspect(conn).get_table_names())
    foreign = existing - set(Base.metadata.tables) - {"alembic_version"}
    if foreign:
        raise ConfigError(
            f"database {safe_url(engine.url)} holds another application's tables ({len(foreign)}, e.g. "
            f"{sorted(foreign)[0]!r}) and no auditor schema: give auditor its own database"
        )


def _has_auditor_tables(conn: Connection) -> bool:
    existing = set(inspect(conn).get_table_names())
    return bool(existing & set(Base.metadata.tables))


class _write_connection:
    """A connection in one write transaction: BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Connection:
        self.conn = self.engine.connect().execution_options(sqlite_write=True)
        self.transaction = self.conn.begin()
        if self.engine.dialect.name == "postgresql":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK})
        return self.conn

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                self.transaction.commit()
            else:
                self.transaction.rollback()
        finally:
            self.conn.close()
