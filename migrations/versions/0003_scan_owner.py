"""Scan owner: host, boot id, pid and process start time, so a dead scan reads as abandoned.

A scan killed outright (SIGKILL, out of memory, power cut) cannot mark itself; its row stays
``running``. With its owner recorded, the owner's machine can tell the process is gone
(``auditor.store.owner``). Rows of scans recorded before this revision have no owner and are
never judged dead.

Revision ID: 0003_scan_owner
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_scan_owner"
down_revision = "0002"  # migrations/versions/0002_reports.py
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns: ALTER TABLE ADD COLUMN on both SQLite and PostgreSQL, no table copy.
    op.add_column("scans", sa.Column("owner_host", sa.Text(), nullable=True))
    op.add_column("scans", sa.Column("owner_boot_id", sa.String(length=64), nullable=True))
    op.add_column("scans", sa.Column("owner_pid", sa.Integer(), nullable=True))
    op.add_column("scans", sa.Column("owner_started", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scans") as batch:  # SQLite drops columns by copying the table
        batch.drop_column("owner_started")
        batch.drop_column("owner_pid")
        batch.drop_column("owner_boot_id")
        batch.drop_column("owner_host")
