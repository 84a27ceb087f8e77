"""municipalities: one installation serves several municipalities (issue 23)

New tables `municipalities`, `municipality_places` (postcodes and place names for the lookup) and
`staff_municipalities` (which municipalities a staff member works for). Locations, handovers, callback
requests and conversations get a `municipality_id`; bookings follow their slot's location.

The migration creates the default municipality (`DEFAULT_MUNICIPALITY`, default `voorbeeldstad`) and gives
it every existing location, handover, callback request, conversation and staff member.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 09:00:00.000000
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables that get a municipality, each with the indexes a SQLite table copy must make again.
TABLES = ("locations", "handovers", "callback_requests", "conversations")
#: The inbox's index with a DESC column (0007): SQLite's table copy makes it again without DESC.
CLOSED_INDEX = "ix_handovers_status_closed_at"
_SLUG = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def default_slug() -> str:
    slug = (os.environ.get("DEFAULT_MUNICIPALITY") or "voorbeeldstad").strip().lower()
    if not _SLUG.match(slug):
        raise ValueError(f"DEFAULT_MUNICIPALITY is no slug (a-z, 0-9, -): {slug!r}")
    return slug


def name_of(slug: str) -> str:
    return " ".join(part.capitalize() for part in slug.split("-"))


def upgrade() -> None:
    op.create_table(
        "municipalities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipalities")),
        sa.UniqueConstraint("slug", name=op.f("uq_municipalities_slug")),
    )
    op.create_table(
        "municipality_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "postcode", "place", name="place_kind", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),  # fmt: skip
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_municipality_places_municipality_id_municipalities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality_places")),
        sa.UniqueConstraint("kind", "key", name="uq_municipality_places_kind_key"),
    )
    op.create_index(
        op.f("ix_municipality_places_municipality_id"), "municipality_places", ["municipality_id"]
    )
    op.create_table(
        "staff_municipalities",
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_staff_municipalities_municipality_id_municipalities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_municipalities_staff_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_user_id", "municipality_id", name=op.f("pk_staff_municipalities")),
    )
    op.create_index(
        op.f("ix_staff_municipalities_municipality_id"), "staff_municipalities", ["municipality_id"]
    )

    slug = default_slug()
    municipalities = sa.table(
        "municipalities", sa.column("id"), sa.column("slug"), sa.column("name"), sa.column("created_at")
    )
    op.bulk_insert(municipalities, [{"slug": slug, "name": name_of(slug), "created_at": datetime.now(UTC)}])
    default_id = op.get_bind().scalar(sa.select(municipalities.c.id).where(municipalities.c.slug == slug))

    for table in TABLES:
        # Nullable first, filled, then required: a table copy on SQLite (batch), ALTERs on PostgreSQL.
        op.add_column(table, sa.Column("municipality_id", sa.Integer(), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET municipality_id = :id").bindparams(id=default_id))
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("municipality_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_municipality_id_municipalities"),
                "municipalities",
                ["municipality_id"],
                ["id"],
            )
            batch_op.create_index(op.f(f"ix_{table}_municipality_id"), ["municipality_id"])
    _restore_closed_index()
    op.execute(
        sa.text(
            "INSERT INTO staff_municipalities (staff_user_id, municipality_id) "
            "SELECT id, :id FROM staff_users"
        ).bindparams(id=default_id)
    )


def _restore_closed_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index(CLOSED_INDEX, table_name="handovers")
        op.create_index(CLOSED_INDEX, "handovers", ["status", sa.text("closed_at DESC"), "id"])


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(op.f(f"ix_{table}_municipality_id"))
            batch_op.drop_constraint(op.f(f"fk_{table}_municipality_id_municipalities"), type_="foreignkey")
            batch_op.drop_column("municipality_id")
    _restore_closed_index()
    op.drop_index(op.f("ix_staff_municipalities_municipality_id"), table_name="staff_municipalities")
    op.drop_table("staff_municipalities")
    op.drop_index(op.f("ix_municipality_places_municipality_id"), table_name="municipality_places")
    op.drop_table("municipality_places")
    op.drop_table("municipalities")
