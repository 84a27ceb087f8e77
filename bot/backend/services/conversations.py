"""Conversations as the bot reports them (`PUT /api/conversations/{id}`): the dashboard's source."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.backend.models import Conversation, Handover
from bot.backend.services import audit
from bot.backend.services.dashboard_days import mark_changed
from bot.backend.services.handovers import _checked
from bot.backend.services.municipalities import resolve


def _handed_over(session: Session, conversation_id: str) -> bool:
    return bool(session.scalar(select(exists().where(Handover.conversation_id == conversation_id))))


def upsert_conversation(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    topic: str | None,
    misunderstood: bool = False,
    municipality: str | None = None,
    default_municipality: str | None = None,
    actor: str = "api",
) -> Conversation:
    """Create or update the record; a report without a topic keeps the last known topic, and
    `misunderstood` stays true once reported (reports may arrive out of order).

    Validated like a handover (conversation id and channel patterns, topic in TOPICS) before anything is
    written. Two first reports at the same moment: the unique index decides, the loser updates.
    """
    _checked(conversation_id, channel, topic)
    # Named: this one (also a change, "ik woon in ..."); not named: the default at first, then unchanged.
    named = resolve(session=session, slug=municipality) if municipality is not None else None
    now = datetime.now(UTC)
    record = session.scalars(
        select(Conversation).where(Conversation.conversation_id == conversation_id)
    ).first()
    if record is None:
        try:
            with session.begin_nested():
                record = Conversation(
                    conversation_id=conversation_id,
                    channel=channel,
                    topic=topic,
                    # Reported after its handover; later handovers set the flag themselves
                    # (services/handovers.py), so later reports need not look.
                    handed_over=_handed_over(session, conversation_id),
                    misunderstood=misunderstood,
                    municipality_id=(
                        named or resolve(session=session, slug=None, default=default_municipality)
                    ).id,
                    first_seen_at=now,
                    last_seen_at=now,
                )
                session.add(record)
            audit.record(
                session=session,
                actor=actor,
                action="conversation.create",
                entity="conversation",
                entity_id=record.id,
                channel=channel,
            )
            return record
        except IntegrityError:
            record = session.scalars(
                select(Conversation).where(Conversation.conversation_id == conversation_id)
            ).one()
    record.channel = channel
    if (topic is not None and topic != record.topic) or (misunderstood and not record.misunderstood):
        # The dashboard's figures of the day it was first reported change (services/dashboard_days.py).
        mark_changed(session=session, at=record.first_seen_at)
    if topic is not None:
        record.topic = topic
    record.misunderstood = record.misunderstood or misunderstood
    if named is not None:
        record.municipality_id = named.id
    record.last_seen_at = now
    session.flush()
    return record
