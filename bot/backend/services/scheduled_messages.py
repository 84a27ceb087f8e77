"""Messages the assistant sends later (issue 24): booking reminders and follow-up check-ins.

A `ScheduledMessage` row is the truth about a later message; the job queue only carries the work of
sending it. Workers claim due rows with a conditional UPDATE (`gepland` -> `bezig`), so with several
workers, or a periodic dispatch that runs on each of them, every message goes out once. A resident who
said "stop berichten" (in this conversation or one linked to it) gets nothing more.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.backend.models import (
    ConversationLink,
    FollowUpSource,
    MessageKind,
    MessageOptOut,
    MessageStatus,
    ScheduledMessage,
)
from bot.backend.services.quiet_hours import QuietHours
from bot.backend.settings import get_settings


def linked_conversation_ids(session: Session, conversation_id: str) -> list[str]:
    """The conversation itself and every conversation linked to it (the same resident on another channel)."""
    key = session.scalar(
        select(ConversationLink.resident_key).where(ConversationLink.conversation_id == conversation_id)
    )
    if key is None:
        return [conversation_id]
    linked = session.scalars(
        select(ConversationLink.conversation_id).where(ConversationLink.resident_key == key)
    ).all()
    return [conversation_id, *sorted(set(linked) - {conversation_id})]


def is_opted_out(session: Session, conversation_id: str) -> bool:
    """Whether the resident said "stop berichten" here or in a linked conversation."""
    ids = linked_conversation_ids(session, conversation_id)
    found = session.scalar(select(MessageOptOut.id).where(MessageOptOut.conversation_id.in_(ids)).limit(1))
    return found is not None


def schedule_message(
    session: Session,
    *,
    kind: MessageKind,
    channel: str,
    conversation_id: str | None,
    due_at: datetime,
    tz: ZoneInfo,
    quiet_hours: QuietHours | None = None,
    booking_id: int | None = None,
    source: FollowUpSource | None = None,
    source_id: int | None = None,
    topic: str | None = None,
    plan_id: str | None = None,
    municipality_id: int | None = None,
) -> ScheduledMessage | None:
    """Plan a message; its time moves forward out of quiet hours. None when the resident opted out."""
    if conversation_id is not None and is_opted_out(session, conversation_id):
        return None
    message = ScheduledMessage(
        kind=kind,
        channel=channel,
        conversation_id=conversation_id,
        due_at=(quiet_hours or get_settings().quiet).allowed_moment(due_at, tz),
        booking_id=booking_id,
        source=source,
        source_id=source_id,
        topic=topic,
        plan_id=plan_id,
        municipality_id=municipality_id,
    )
    session.add(message)
    session.flush()
    return message


def cancel_pending(
    session: Session,
    *,
    booking_id: int | None = None,
    conversation_ids: Collection[str] | None = None,
    kind: MessageKind | None = None,
) -> int:
    """Cancel the messages not yet sent of a booking and/or of conversations; returns how many."""
    if booking_id is None and conversation_ids is None:
        raise ValueError("name a booking or conversations")
    query = update(ScheduledMessage).where(
        ScheduledMessage.status.in_([MessageStatus.PENDING, MessageStatus.CLAIMED])
    )
    if booking_id is not None:
        query = query.where(ScheduledMessage.booking_id == booking_id)
    if conversation_ids is not None:
        query = query.where(ScheduledMessage.conversation_id.in_(list(conversation_ids)))
    if kind is not None:
        query = query.where(ScheduledMessage.kind == kind)
    result = session.execute(
        query.values(status=MessageStatus.CANCELLED).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def opt_out(session: Session, conversation_id: str) -> int:
    """ "stop berichten": remember it for this conversation and cancel what was planned for this resident
    (on every linked conversation too). Returns how many messages were cancelled."""
    if (
        session.scalar(select(MessageOptOut.id).where(MessageOptOut.conversation_id == conversation_id))
        is None
    ):
        session.add(MessageOptOut(conversation_id=conversation_id))
        session.flush()
    return cancel_pending(session, conversation_ids=linked_conversation_ids(session, conversation_id))


def claim_due(
    session: Session, now: datetime, *, claim_minutes: int, max_attempts: int, limit: int = 100
) -> list[int]:
    """Claim the messages due at `now` (and those whose earlier claim went stale: a worker that died);
    each id is returned to exactly one caller, however many workers ask at once."""
    stale = now - timedelta(minutes=claim_minutes)
    candidates = session.scalars(
        select(ScheduledMessage.id)
        .where(
            ScheduledMessage.due_at <= now,
            ScheduledMessage.attempts < max_attempts,
            or_(
                ScheduledMessage.status == MessageStatus.PENDING,
                (ScheduledMessage.status == MessageStatus.CLAIMED) & (ScheduledMessage.claimed_at <= stale),
            ),
        )
        .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
        .limit(limit)
    ).all()
    claimed: list[int] = []
    for message_id in candidates:
        result = session.execute(
            update(ScheduledMessage)
            .where(
                ScheduledMessage.id == message_id,
                or_(
                    ScheduledMessage.status == MessageStatus.PENDING,
                    (ScheduledMessage.status == MessageStatus.CLAIMED)
                    & (ScheduledMessage.claimed_at <= stale),
                ),
            )
            .values(
                status=MessageStatus.CLAIMED,
                claimed_at=now,
                attempts=ScheduledMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(message_id)
    return claimed


def mark_sent(session: Session, message_id: int, now: datetime) -> None:
    session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id == message_id, ScheduledMessage.status == MessageStatus.CLAIMED)
        .values(status=MessageStatus.SENT, sent_at=now)
        .execution_options(synchronize_session=False)
    )


def release_for_retry(
    session: Session, message_id: int, *, retry_at: datetime, max_attempts: int
) -> MessageStatus:
    """Sending failed: try again at `retry_at`, or give up after `max_attempts` (status `mislukt`)."""
    message = session.get(ScheduledMessage, message_id, populate_existing=True)
    if message is None or message.status != MessageStatus.CLAIMED:
        return message.status if message is not None else MessageStatus.CANCELLED
    if message.attempts >= max_attempts:
        message.status = MessageStatus.FAILED
    else:
        message.status, message.due_at = MessageStatus.PENDING, retry_at
    return message.status


def postpone(session: Session, message_id: int, *, due_at: datetime) -> MessageStatus:
    """Not now, and not a failure (a medewerker has the conversation): due again at `due_at`; the claim's
    attempt is given back."""
    message = session.get(ScheduledMessage, message_id, populate_existing=True)
    if message is None or message.status != MessageStatus.CLAIMED:
        return message.status if message is not None else MessageStatus.CANCELLED
    message.status, message.due_at = MessageStatus.PENDING, due_at
    message.attempts = max(message.attempts - 1, 0)
    return message.status


def mark_cancelled(session: Session, message_id: int) -> None:
    """Nothing to send any more (the booking was cancelled meanwhile, the resident opted out, ...)."""
    session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id == message_id)
        .values(status=MessageStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
