"""conversations: handed_over set for every conversation that has a handover (the dashboard reads only it)

Until now a conversation reported before its handover kept handed_over false; the dashboard made up for
it with an EXISTS over all handovers for every conversation of the period, its slowest part at 100,000
handovers (docs/staff-volume-benchmark.md). Creating a handover now sets the flag.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 00:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE conversations SET handed_over = true WHERE handed_over = false AND EXISTS "
        "(SELECT 1 FROM handovers WHERE handovers.conversation_id = conversations.conversation_id)"
    )


def downgrade() -> None:
    pass  # the flag stays true: it was right, only not kept before
