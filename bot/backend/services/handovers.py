"""Handovers: conversations the bot hands to a person, with their status, assignee and notes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, selectinload

from bot.backend.models import CaseStatus, Conversation, Handover, HandoverNote, StaffUser
from bot.backend.services import audit
from bot.backend.services.abuse_limits import AbuseLimits, checked_client, too_many_handovers
from bot.backend.services.dashboard_days import mark_changed
from bot.backend.services.errors import NotFound, invalid
from bot.backend.services.municipalities import resolve
from bot.backend.validation import clean_text
from bot.shared.fields import SUMMARY_MAX
from bot.shared.topics import TOPICS

_CHANNEL = re.compile(r"^[a-z][a-z0-9_\-]{0,29}$")
_CONVERSATION_ID = re.compile(r"^[\w.:@+\-]{1,200}$")
CONTACT_MAX = 500
NOTE_MAX = 2000
REASON_MAX = 200


def checked_conversation_id(conversation_id: str | None) -> str | None:
    """The id as given, or a ServiceError when it does not look like a conversation id (None passes)."""
    if conversation_id is not None and not _CONVERSATION_ID.match(conversation_id):
        raise invalid("conversation_id", "Dit gesprek-id klopt niet (letters, cijfers en - _ . : @ +).")
    return conversation_id


def _checked(conversation_id: str, channel: str, topic: str | None) -> None:
    checked_conversation_id(conversation_id)
    if not _CHANNEL.match(channel):
        raise invalid("channel", "Dit kanaal klopt niet, bijvoorbeeld website of telegram.")
    if topic is not None and topic not in TOPICS:
        raise invalid("topic", f"Onbekend onderwerp. Kies uit: {', '.join(TOPICS)}.")


def _text(
    value: str | None, *, field: str, max_length: int, label: str, required: bool = False
) -> str | None:
    try:
        return clean_text(value, max_length=max_length, label=label, required=required)
    except ValueError as error:
        raise invalid(field, str(error)) from None


def create_handover(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    reason: str,
    topic: str | None = None,
    summary: str | None = None,
    contact_request: str | None = None,
    client: str | None = None,
    limits: AbuseLimits | None = None,
    municipality: str | None = None,
    default_municipality: str | None = None,
    actor: str = "api",
) -> Handover:
    """Record a handover with status open, or raise a ServiceError (nothing written).

    See `open_or_create_handover`; this returns only the handover.
    """
    handover, _created = open_or_create_handover(
        session=session, conversation_id=conversation_id, channel=channel, reason=reason, topic=topic,
        summary=summary, contact_request=contact_request, client=client, limits=limits,
        municipality=municipality, default_municipality=default_municipality, actor=actor,
    )  # fmt: skip
    return handover


def open_handover_of(*, session: Session, conversation_id: str) -> Handover | None:
    """The conversation's handover that is not afgerond yet (the oldest, should there be several)."""
    query = (
        select(Handover)
        .where(Handover.conversation_id == conversation_id, Handover.status != CaseStatus.DONE)
        .order_by(Handover.id)
        .limit(1)
    )
    return session.scalars(query).first()


def _lock_conversation(session: Session, conversation_id: str) -> None:
    """On PostgreSQL, serialise handover creation per conversation until the transaction ends.

    Without it two requests at once could each find no open handover and both write one. (SQLite lets one
    writer at a time through anyway.)
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 21))"),
                        {"key": f"handover:{conversation_id}"})  # fmt: skip


def open_or_create_handover(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    reason: str,
    topic: str | None = None,
    summary: str | None = None,
    contact_request: str | None = None,
    client: str | None = None,
    limits: AbuseLimits | None = None,
    municipality: str | None = None,
    default_municipality: str | None = None,
    actor: str = "api",
) -> tuple[Handover, bool]:
    """The conversation's open handover if it has one (False), else a new one with status open (True).

    At most one handover per conversation is open or in behandeling: asking for a person again in the
    same conversation reaches the same case, and makes no second row in the inbox. A new handover counts
    against the client's hourly limit (`client`, the channel's hashed address; issue 21) when `limits`
    are given; over it, `too_many_handovers` (429) and nothing is written.
    """
    _checked(conversation_id, channel, topic)
    if client is not None:
        checked_client(client)
    clean_reason = _text(reason, field="reason", max_length=REASON_MAX, label="de reden", required=True)
    clean_summary = _text(summary, field="summary", max_length=SUMMARY_MAX, label="de samenvatting")
    clean_contact = _text(
        contact_request, field="contact_request", max_length=CONTACT_MAX, label="het contactverzoek"
    )
    place = resolve(session=session, slug=municipality, default=default_municipality)
    _lock_conversation(session, conversation_id)
    existing = open_handover_of(session=session, conversation_id=conversation_id)
    if existing is not None:
        return existing, False
    if limits is not None and client is not None:
        verdict = limits.allow_handover(client)
        if not verdict.allowed:
            raise too_many_handovers(verdict.retry_after)
    handover = Handover(
        conversation_id=conversation_id,
        channel=channel,
        reason=clean_reason or "",
        topic=topic,
        summary=clean_summary or "",
        contact_request=clean_contact,
        status=CaseStatus.OPEN,
        municipality_id=place.id,
    )
    session.add(handover)
    # The dashboard counts the conversation as one with a person from now on (services/dashboard.py), also
    # on the day the bot first reported it, which may be summarised already (services/dashboard_days.py).
    first_seen = session.scalar(
        update(Conversation)
        .where(Conversation.conversation_id == conversation_id, Conversation.handed_over.is_(False))
        .values(handed_over=True)
        .returning(Conversation.first_seen_at)
    )
    if first_seen is not None:
        mark_changed(session=session, at=first_seen)
    session.flush()
    audit.record(session=session, actor=actor, action="handover.create", entity="handover",
                 entity_id=handover.id, channel=channel)  # fmt: skip
    return handover, True


def get_handover(*, session: Session, handover_id: int) -> Handover:
    handover = session.scalars(
        select(Handover).options(selectinload(Handover.notes)).where(Handover.id == handover_id)
    ).first()
    if handover is None:
        raise NotFound("handover_not_found", "Deze overdracht bestaat niet.")
    return handover


def list_handovers(
    *,
    session: Session,
    status: CaseStatus | None = None,
    conversation_id: str | None = None,
    limit: int = 100,
) -> list[Handover]:
    query = select(Handover).options(selectinload(Handover.notes))
    if status is not None:
        query = query.where(Handover.status == status)
    if conversation_id is not None:
        query = query.where(Handover.conversation_id == conversation_id)
    return list(session.scalars(query.order_by(Handover.created_at.desc(), Handover.id.desc()).limit(limit)))


def update_handover(
    *,
    session: Session,
    handover_id: int,
    status: CaseStatus | None = None,
    assignee_id: int | None = None,
    unassign: bool = False,
    note: str | None = None,
    actor: str = "api",
) -> Handover:
    """Change status and/or assignee and/or add an internal note. Validates everything before writing."""
    handover = get_handover(session=session, handover_id=handover_id)
    clean_note = _text(note, field="note", max_length=NOTE_MAX, label="de notitie")
    if assignee_id is not None:
        assignee = session.get(StaffUser, assignee_id)
        if assignee is None or not assignee.active:
            raise NotFound("staff_not_found", "Deze medewerker bestaat niet.")
    if status is not None and status is not handover.status:
        audit.record(session=session, actor=actor, action="handover.status", entity="handover",
                     entity_id=handover.id, old=handover.status.value, new=status.value)  # fmt: skip
        handover.status = status
        handover.closed_at = datetime.now(UTC) if status is CaseStatus.DONE else None
    if unassign and handover.assignee_id is not None:
        audit.record(session=session, actor=actor, action="handover.unassign", entity="handover",
                     entity_id=handover.id)  # fmt: skip
        handover.assignee_id = None
    elif assignee_id is not None and assignee_id != handover.assignee_id:
        audit.record(session=session, actor=actor, action="handover.assign", entity="handover",
                     entity_id=handover.id, assignee_id=assignee_id)  # fmt: skip
        handover.assignee_id = assignee_id
    if clean_note:
        handover.notes.append(HandoverNote(author=actor[:100], text=clean_note))
        audit.record(session=session, actor=actor, action="handover.note", entity="handover",
                     entity_id=handover.id)  # fmt: skip
    handover.updated_at = datetime.now(UTC)
    session.flush()
    return handover
