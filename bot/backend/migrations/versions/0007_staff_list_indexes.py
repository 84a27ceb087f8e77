"""indexes for the staff lists at volume (issue 21 item 2; docs/staff-volume-benchmark.md)

B-tree indexes on every database: the creation time of handovers, bookings and callback requests (the
bookings list's "alle" order, the dashboard's periods); the handovers per status, most recently closed
first (the inbox's afgerond part, services/inbox.py) and per channel (the channel filter's choices); the
callback queue (the requests still to make, by due date); the audit log per kind and per action, newest
first.

PostgreSQL only: trigram indexes (`pg_trgm`, GIN) for the searches of the staff lists, which look for a
piece of text anywhere in a column (`ILIKE '%fatima%'`): without them each search read the whole table,
three times per page (the rows, the count, the counts per status). `pg_trgm` ships with PostgreSQL and
is a trusted extension (PostgreSQL 13+): the database's owner may create it. When it cannot be created,
the migration says so and goes on without these indexes (the searches still work, more slowly).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 01:00:00.000000
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.runtime.migration")

#: (table, columns) of the B-tree indexes; names follow the models' convention.
BTREE = (
    ("handovers", ("created_at",)),
    ("handovers", ("channel",)),
    ("bookings", ("created_at",)),
    ("callback_requests", ("created_at",)),
    ("audit_log", ("entity", "at")),
    ("audit_log", ("action", "at")),
)
#: The inbox's afgerond part: most recently closed first, then by id (services/inbox.py, `_segment_query`).
CLOSED_INDEX = "ix_handovers_status_closed_at"
#: The callback queue: requests not yet done, by due date (a partial index: the done ones are most).
QUEUE_INDEX = "ix_callback_requests_queue"
#: The columns each staff search looks in (bot/backend/services/inbox.py, booking_list.py, audit_log.py).
TRIGRAM = {
    "handovers": ("summary", "reason", "contact_request", "conversation_id"),
    "bookings": ("first_name", "code", "email", "question"),
    "audit_log": ("actor", "entity_id"),
}


def _btree_name(table: str, columns: tuple[str, ...]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def _trigram_name(table: str, column: str) -> str:
    return f"ix_{table}_{column}_trgm"


def _trigram_available() -> bool:
    """pg_trgm is there, or this role may create it (in a savepoint, so a refusal does not end the run)."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        return True
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        logger.warning(
            "pg_trgm cannot be created (%s); the staff searches work without their trigram indexes, more "
            "slowly. Create it as the database's owner (CREATE EXTENSION pg_trgm) and run this revision "
            "again (downgrade 0006, upgrade head).",
            type(error.orig).__name__,
        )
        return False
    return True


def upgrade() -> None:
    for table, columns in BTREE:
        op.create_index(_btree_name(table, columns), table, list(columns))
    op.create_index(CLOSED_INDEX, "handovers", ["status", sa.text("closed_at DESC"), "id"])
    op.create_index(
        QUEUE_INDEX,
        "callback_requests",
        ["due_date", "urgent", "id"],
        postgresql_where=sa.text("status <> 'afgerond'"),
        sqlite_where=sa.text("status <> 'afgerond'"),
    )
    if _trigram_available():
        for table, columns in TRIGRAM.items():
            for column in columns:
                op.create_index(
                    _trigram_name(table, column),
                    table,
                    [column],
                    postgresql_using="gin",
                    postgresql_ops={column: "gin_trgm_ops"},
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in TRIGRAM.items():
            for column in columns:
                op.execute(f"DROP INDEX IF EXISTS {_trigram_name(table, column)}")
    op.drop_index(QUEUE_INDEX, table_name="callback_requests")
    op.drop_index(CLOSED_INDEX, table_name="handovers")
    for table, columns in reversed(BTREE):
        op.drop_index(_btree_name(table, columns), table_name=table)
