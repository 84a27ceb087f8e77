"""keep_in_touch: scheduled messages, opt-outs, link codes, conversation links (issue 24)

Booking reminders and follow-up check-ins are rows of `scheduled_messages` (the worker claims each once);
"stop berichten" is a row of `message_opt_outs`; "Verder op Telegram" uses a one-time `link_codes` row
and joins the conversations in `conversation_links`. `bookings.attendance_confirmed_at` records "Ik kom".

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _check(name: str, column: str, values: Sequence[str]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)


def upgrade() -> None:
    op.create_table(
        "scheduled_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column(
            "booking_id",
            sa.Integer(),
            sa.ForeignKey(
                "bookings.id", ondelete="CASCADE", name="fk_scheduled_messages_booking_id_bookings"
            ),
            nullable=True,
        ),
        sa.Column("source", sa.String(20), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(30), nullable=True),
        sa.Column("plan_id", sa.String(60), nullable=True),
        sa.Column(
            "municipality_id",
            sa.Integer(),
            sa.ForeignKey("municipalities.id", name="fk_scheduled_messages_municipality_id_municipalities"),
            nullable=True,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _check("ck_scheduled_messages_message_kind", "kind", ("herinnering", "checkin")),
        _check(
            "ck_scheduled_messages_message_status",
            "status",
            ("gepland", "bezig", "verstuurd", "geannuleerd", "mislukt"),
        ),
        _check(
            "ck_scheduled_messages_follow_up_source",
            "source",
            ("stappenplan", "overdracht", "terugbelverzoek"),
        ),
        _check("ck_scheduled_messages_checkin_outcome", "outcome", ("goed", "lukt_niet", "iemand_spreken")),
        sa.PrimaryKeyConstraint("id", name="pk_scheduled_messages"),
    )
    op.create_index("ix_scheduled_messages_due", "scheduled_messages", ["status", "due_at"])
    for column in ("conversation_id", "booking_id", "municipality_id", "created_at"):
        op.create_index(f"ix_scheduled_messages_{column}", "scheduled_messages", [column])

    op.create_table(
        "message_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_message_opt_outs"),
        sa.UniqueConstraint("conversation_id", name="uq_message_opt_outs_conversation_id"),
    )
    op.create_index("ix_message_opt_outs_created_at", "message_opt_outs", ["created_at"])

    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_link_codes"),
        sa.UniqueConstraint("code_hash", name="uq_link_codes_code_hash"),
    )
    op.create_index("ix_link_codes_conversation_id", "link_codes", ["conversation_id"])
    op.create_index("ix_link_codes_expires_at", "link_codes", ["expires_at"])

    op.create_table(
        "conversation_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("resident_key", sa.String(40), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_links"),
        sa.UniqueConstraint("conversation_id", name="uq_conversation_links_conversation_id"),
    )
    op.create_index("ix_conversation_links_resident_key", "conversation_links", ["resident_key"])
    op.create_index("ix_conversation_links_linked_at", "conversation_links", ["linked_at"])

    op.add_column("bookings", sa.Column("attendance_confirmed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of `bookings` would break the foreign keys to it.
    op.drop_column("bookings", "attendance_confirmed_at")
    for table in ("conversation_links", "link_codes", "message_opt_outs", "scheduled_messages"):
        op.drop_table(table)
