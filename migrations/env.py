"""Alembic environment: runs migrations on the connection auditor hands over.

``auditor.store.schema`` passes an open connection in ``config.attributes["connection"]``
(inside its own transaction and lock). For developers, ``alembic -x url=URL ...`` from the
repository root (see alembic.ini) works too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from auditor.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("auditor's migrations run online only: pass a database with -x url=URL")
run_migrations_online()
