"""booking lookups: attempts, limits and change tickets (issue 20)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 17:39:10.932091
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Booking codes grow from VD-7K3P to VD-7K3P-X9QA: 12 characters, the column's length already.
    op.create_table(
        "booking_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("ticket_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_lookups")),
        sa.UniqueConstraint("ticket_hash", name=op.f("uq_booking_lookups_ticket_hash")),
    )
    with op.batch_alter_table("booking_lookups", schema=None) as batch_op:
        batch_op.create_index("ix_booking_lookups_client_at", ["client", "created_at"], unique=False)
        batch_op.create_index("ix_booking_lookups_code_at", ["code", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_lookups_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("booking_lookups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_lookups_created_at"))
        batch_op.drop_index("ix_booking_lookups_code_at")
        batch_op.drop_index("ix_booking_lookups_client_at")
    op.drop_table("booking_lookups")
