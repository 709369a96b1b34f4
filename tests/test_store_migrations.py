"""Alembic owns the schema: models and migrations agree, and migrations round-trip, on both backends."""

from __future__ import annotations

import shutil

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from support.store import BACKENDS, database_url

import auditor.store.schema as schema
from auditor.errors import SchemaOutdatedError
from auditor.resources import resource_dir
from auditor.store import open_database
from auditor.store.engine import make_engine, resolve_url
from auditor.store.tables import Base

TABLES = {"scans", "scan_packs", "sources", "findings", "flows", "flow_findings", "flow_rules", "waivers"}


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    with database_url(request.param, tmp_path) as url:
        yield url


def differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_the_code_names_the_migrations_head():
    assert schema.SCHEMA_REVISION == schema.migrations_head()


def test_models_and_migrations_agree(url):
    engine = make_engine(resolve_url(url), create_file=True)
    schema.upgrade(engine)
    assert differences(engine) == []
    engine.dispose()


def test_upgrade_downgrade_upgrade_round_trips(url):
    engine = make_engine(resolve_url(url), create_file=True)
    assert schema.upgrade(engine) == (None, schema.SCHEMA_REVISION)
    assert set(inspect(engine).get_table_names()) >= TABLES
    schema.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) & TABLES == set()
    assert schema.upgrade(engine) == (None, schema.SCHEMA_REVISION)
    assert differences(engine) == []
    assert schema.upgrade(engine) == (schema.SCHEMA_REVISION, schema.SCHEMA_REVISION)  # idempotent
    engine.dispose()


def test_the_first_scan_into_a_new_sqlite_file_creates_its_schema_through_alembic(tmp_path):
    engine = open_database(str(tmp_path / "new" / "findings.db"), write=True)
    with engine.connect() as conn:
        assert schema.current_revision(conn) == schema.SCHEMA_REVISION
    engine.dispose()


def test_a_database_behind_the_code_says_run_db_upgrade(tmp_path, monkeypatch):
    """A newer auditor (one more migration on top of today's head) meets a database made by this one."""
    db = str(tmp_path / "findings.db")
    open_database(db, write=True).dispose()
    newer = tmp_path / "migrations"
    shutil.copytree(resource_dir("migrations"), newer)
    current = schema.SCHEMA_REVISION
    (newer / "versions" / "9000_note.py").write_text(
        f'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "9000"\ndown_revision = "{current}"\n'
        "branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n"
        '    with op.batch_alter_table("scans") as batch:\n        batch.add_column(sa.Column("note", sa.Text()))\n\n\n'
        'def downgrade():\n    with op.batch_alter_table("scans") as batch:\n        batch.drop_column("note")\n'
    )
    monkeypatch.setattr(schema, "resource_dir", lambda name: newer)
    monkeypatch.setattr(schema, "SCHEMA_REVISION", "9000")
    with pytest.raises(
        SchemaOutdatedError, match=rf"at revision {current}, this auditor needs 9000: run `auditor db upgrade`"
    ):
        open_database(db)
    with pytest.raises(SchemaOutdatedError):
        open_database(db, write=True)  # a scan does not migrate behind the user's back either
    engine = make_engine(resolve_url(db))
    assert schema.upgrade(engine) == (current, "9000")
    engine.dispose()
    open_database(db).dispose()


def test_a_database_ahead_of_the_code_says_upgrade_auditor(tmp_path):
    db = str(tmp_path / "findings.db")
    open_database(db, write=True).dispose()
    raw = create_engine(f"sqlite:///{db}")
    with raw.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    raw.dispose()
    with pytest.raises(Exception, match="newer than this auditor: upgrade auditor"):
        open_database(db)
