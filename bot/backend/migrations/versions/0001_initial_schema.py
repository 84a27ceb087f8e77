"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 10:21:25.943064
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=30), nullable=False),
        sa.Column("first_name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column(
            "preferred_part_of_day",
            sa.Enum(
                "ochtend",
                "middag",
                "avond",
                name="part_of_day",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("question", sa.String(length=500), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column(
            "urgent_reason",
            sa.Enum(
                "ontruiming",
                "afsluiting",
                "zorgverzekering",
                name="urgent_reason",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("threat_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_behandeling",
                "afgerond",
                name="callback_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_requests")),
    )
    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_callback_requests_due_date"), ["due_date"], unique=False)

    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("wijk", sa.String(length=80), nullable=False),
        sa.Column("directions", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("name", name=op.f("uq_locations_name")),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_locations_wijk"), ["wijk"], unique=False)

    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "medewerker",
                "beheerder",
                name="staff_role",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("date_from <= date_to", name=op.f("ck_closures_date_range")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_closures_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closures")),
    )
    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_closures_date_from"), ["date_from"], unique=False)
        batch_op.create_index(batch_op.f("ix_closures_location_id"), ["location_id"], unique=False)

    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=30), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("contact_request", sa.String(length=500), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_behandeling",
                "afgerond",
                name="handover_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff_users.id"], name=op.f("fk_handovers_assignee_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handovers")),
    )
    with op.batch_alter_table("handovers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handovers_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_handovers_status"), ["status"], unique=False)

    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_schedules_capacity_positive")),
        sa.CheckConstraint(
            "slot_minutes IS NULL OR slot_minutes > 0", name=op.f("ck_schedules_slot_minutes_positive")
        ),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_schedules_start_before_end")),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_from <= valid_until", name=op.f("ck_schedules_valid_range")
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_schedules_weekday")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_schedules_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedules_location_id"), ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_topic"), ["topic"], unique=False)

    op.create_table(
        "handover_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["handovers.id"],
            name=op.f("fk_handover_notes_handover_id_handovers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_notes")),
    )
    with op.batch_alter_table("handover_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handover_notes_handover_id"), ["handover_id"], unique=False)

    op.create_table(
        "slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "booked >= 0 AND booked <= capacity", name=op.f("ck_slots_booked_within_capacity")
        ),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_slots_capacity_positive")),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedules.id"], name=op.f("fk_slots_schedule_id_schedules")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slots")),
        sa.UniqueConstraint("schedule_id", "date", "start_time", name="uq_slots_schedule_date_start"),
    )
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slots_date"), ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_slots_schedule_id"), ["schedule_id"], unique=False)

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=30), nullable=False),
        sa.Column("first_name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("question", sa.String(length=500), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "bevestigd",
                "geannuleerd",
                name="booking_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name=op.f("ck_bookings_has_contact")),
        sa.ForeignKeyConstraint(["slot_id"], ["slots.id"], name=op.f("fk_bookings_slot_id_slots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("code", name=op.f("uq_bookings_code")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_slot_status", ["slot_id", "status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_slot_status")

    op.drop_table("bookings")
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slots_schedule_id"))
        batch_op.drop_index(batch_op.f("ix_slots_date"))

    op.drop_table("slots")
    with op.batch_alter_table("handover_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handover_notes_handover_id"))

    op.drop_table("handover_notes")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedules_topic"))
        batch_op.drop_index(batch_op.f("ix_schedules_location_id"))

    op.drop_table("schedules")
    with op.batch_alter_table("handovers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handovers_status"))
        batch_op.drop_index(batch_op.f("ix_handovers_conversation_id"))

    op.drop_table("handovers")
    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closures_location_id"))
        batch_op.drop_index(batch_op.f("ix_closures_date_from"))

    op.drop_table("closures")
    op.drop_table("staff_users")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_wijk"))

    op.drop_table("locations")
    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callback_requests_due_date"))

    op.drop_table("callback_requests")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
