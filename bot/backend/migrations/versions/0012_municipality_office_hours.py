"""municipality_office_hours: each municipality can have its own office hours (issue 23)

A nullable text column `municipalities.office_hours`, written as the `OFFICE_HOURS` setting
(``ma-vr 09:00-17:00``); NULL means the setting, so existing municipalities keep today's hours.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("municipalities", sa.Column("office_hours", sa.Text(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it): a batch table copy would drop `municipalities`, which
    # other tables' foreign keys point at.
    op.drop_column("municipalities", "office_hours")
