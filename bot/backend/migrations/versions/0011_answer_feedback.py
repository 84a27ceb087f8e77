"""answer_feedback, missed_messages, reviewed_examples; the staff role redacteur (issue 23)

Feedback on answers ("Heeft dit geholpen?"), the messages the bot did not understand (a fallback or a
clarifying question) and the queue of reviewed NLU examples made from them, for the review page. The
role check of staff_users gets `redacteur`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 08:00:00.000000
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE_CHECK = "ck_staff_users_staff_role"


def _set_roles(*roles: str) -> None:
    """The role column's CHECK allows exactly `roles`: ALTERs on PostgreSQL; on SQLite the table's stored
    definition is edited in place (SQLite's documented way to change a CHECK that the rows satisfy: a
    table copy would drop staff_users, and with foreign keys on that deletes the staff members'
    municipalities and sessions, and fails on handovers assigned to them)."""
    allowed = "role IN (" + ", ".join(f"'{role}'" for role in roles) + ")"
    constraint = f"CONSTRAINT {ROLE_CHECK} CHECK ({allowed})"
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.execute(sa.text(f"ALTER TABLE staff_users DROP CONSTRAINT {ROLE_CHECK}"))
        op.execute(sa.text(f"ALTER TABLE staff_users ADD {constraint}"))
        return
    table_sql = bind.scalar(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'staff_users'")
    )
    new_sql, found = re.subn(
        rf"CONSTRAINT {ROLE_CHECK} CHECK \(role IN \([^)]*\)\)", constraint, str(table_sql)
    )
    if found != 1:
        raise RuntimeError("staff_users has no role CHECK to change")
    version = int(bind.scalar(sa.text("PRAGMA schema_version")) or 0)
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'staff_users'"),
        {"sql": new_sql},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.String(length=100), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("content_version", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("conversation_key", sa.String(length=64), nullable=False),
        sa.Column("helped", sa.Boolean(), nullable=True),
        sa.Column("remark", sa.String(length=300), nullable=True),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_answer_feedback_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
    )
    op.create_index(
        "ix_answer_feedback_conversation_answer", "answer_feedback", ["conversation_key", "answer_id"]
    )
    op.create_index(
        "ix_answer_feedback_answer_municipality", "answer_feedback", ["answer_id", "municipality_id"]
    )
    op.create_index(op.f("ix_answer_feedback_municipality_id"), "answer_feedback", ["municipality_id"])
    op.create_index(op.f("ix_answer_feedback_shown_at"), "answer_feedback", ["shown_at"])

    op.create_table(
        "missed_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "fallback",
                "verduidelijking",
                name="missed_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("guesses", sa.JSON(), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_missed_messages_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missed_messages")),
    )
    op.create_index(op.f("ix_missed_messages_municipality_id"), "missed_messages", ["municipality_id"])
    op.create_index(op.f("ix_missed_messages_created_at"), "missed_messages", ["created_at"])

    op.create_table(
        "reviewed_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("missed_message_id", sa.Integer(), nullable=True),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_reviewed_examples_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewed_examples")),
    )
    op.create_index(op.f("ix_reviewed_examples_intent"), "reviewed_examples", ["intent"])
    op.create_index(op.f("ix_reviewed_examples_municipality_id"), "reviewed_examples", ["municipality_id"])
    _set_roles("medewerker", "beheerder", "redacteur")


def downgrade() -> None:
    op.execute(sa.text("UPDATE staff_users SET role = 'medewerker' WHERE role = 'redacteur'"))
    _set_roles("medewerker", "beheerder")
    op.drop_table("reviewed_examples")
    op.drop_table("missed_messages")
    op.drop_table("answer_feedback")
