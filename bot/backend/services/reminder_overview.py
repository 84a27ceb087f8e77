"""What the staff page shows of a booking's reminders and the resident's answer (issue 24).

Per booking: each reminder (channel, when it is or was due, its state) and the answer: "komt" (the
resident pressed Ik kom), "afgezegd" (cancelled by the reminder's button), or none yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.channels import channel_label
from bot.backend.models import AuditEntry, Booking, MessageKind, MessageStatus, ScheduledMessage

#: The actor of what the reminder's buttons do (services/reminder_answers.py).
REMINDER_ACTOR = "herinnering"
STATE_LABELS = {
    MessageStatus.PENDING: "gepland",
    MessageStatus.CLAIMED: "wordt verstuurd",
    MessageStatus.SENT: "verstuurd",
    MessageStatus.CANCELLED: "vervallen",
    MessageStatus.FAILED: "niet gelukt",
}


@dataclass(frozen=True)
class ReminderLine:
    channel: str
    state: str
    moment: datetime


@dataclass
class ReminderOverview:
    reminders: list[ReminderLine] = field(default_factory=list)
    #: "Komt" (with when), "Afgezegd via de herinnering", or "" (no answer).
    answer: str = ""
    answered_at: datetime | None = None


def _label(channel: str) -> str:
    return "E-mail" if channel == "email" else channel_label(channel)


def reminder_overview(*, session: Session, bookings: Sequence[Booking]) -> dict[int, ReminderOverview]:
    """The reminders and answer of each booking (two queries for the whole page)."""
    overview = {booking.id: ReminderOverview() for booking in bookings}
    if not overview:
        return overview
    messages = session.scalars(
        select(ScheduledMessage)
        .where(ScheduledMessage.booking_id.in_(overview), ScheduledMessage.kind == MessageKind.REMINDER)
        .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
    )
    for message in messages:
        assert message.booking_id is not None
        moment = (
            message.sent_at if message.status is MessageStatus.SENT and message.sent_at else message.due_at
        )
        overview[message.booking_id].reminders.append(
            ReminderLine(_label(message.channel), STATE_LABELS[message.status], moment)
        )
    by_code = {booking.code: booking for booking in bookings}
    cancelled = session.execute(
        select(AuditEntry.entity_id, AuditEntry.at).where(
            AuditEntry.action == "booking.cancel",
            AuditEntry.actor == REMINDER_ACTOR,
            AuditEntry.entity_id.in_(list(by_code)),
        )
    )
    for code, at in cancelled:
        if code in by_code:
            overview[by_code[code].id].answer = "Afgezegd via de herinnering"
            overview[by_code[code].id].answered_at = at
    for booking in bookings:
        if booking.attendance_confirmed_at is not None and not overview[booking.id].answer:
            overview[booking.id].answer = "Komt (Ik kom)"
            overview[booking.id].answered_at = booking.attendance_confirmed_at
    return overview
