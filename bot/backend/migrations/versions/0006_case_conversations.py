"""bookings and callback requests: the conversation that made them (issue 21 item 3)

The handover page shows a conversation's bookings and callback requests as they are now.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 00:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("bookings", "callback_requests")


def upgrade() -> None:
    # Rows made before this revision have no conversation (NULL); the page finds old bookings by the
    # code in the handover's summary.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("conversation_id", sa.String(length=200), nullable=True))
            batch_op.create_index(f"ix_{table}_conversation_id", ["conversation_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_conversation_id")
            batch_op.drop_column("conversation_id")
