"""dashboard_days and dashboard_changes: the dashboard's figures per closed day (issue 21)

The 90-day dashboard counted every conversation, handover, booking and callback request of the period on
each view (171 ms p50 at 100,000 handovers, docs/staff-volume-benchmark.md). A closed day's figures are
now kept in `dashboard_days`, made when the dashboard first needs them; `dashboard_changes` says which
kept days a later write changed (services/dashboard_days.py). Both start empty: the dashboard fills them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dashboard_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=60), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversations", sa.JSON(), nullable=False),
        sa.Column("handover_only", sa.JSON(), nullable=False),
        sa.Column("bookings", sa.Integer(), nullable=False),
        sa.Column("callbacks", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_dashboard_days")),
    )
    op.create_table(
        "dashboard_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_changes")),
    )


def downgrade() -> None:
    op.drop_table("dashboard_changes")
    op.drop_table("dashboard_days")
