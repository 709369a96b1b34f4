"""Tokens, cost and the guard's action on flows: logged requests carry their usage, and the
guard and the LiteLLM guardrail record each request they judge as a ``runtime`` flow.

Revision ID: 0004_runtime_flows
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_runtime_flows"
down_revision = "0003_scan_owner"
branch_labels = None
depends_on = None


def _columns() -> tuple[sa.Column, ...]:
    return (
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("day", sa.String(length=10), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=True),
        sa.Column("output_tokens", sa.Integer(), nullable=True),
        sa.Column("tokens_estimated", sa.Boolean(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("cost", sa.Numeric(precision=18, scale=8), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("price_id", sa.Text(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=True),
        sa.Column("routed_to", sa.String(length=64), nullable=True),
    )


def upgrade() -> None:
    with op.batch_alter_table("flows") as batch:
        for column in _columns():
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("flows") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
