"""When a booking's reminders go out, and on which channels (issue 24).

One reminder the day before the spreekuur at `REMINDER_TIME` (10:00) local time, moved back to the last
moment outside the quiet hours (Saturday for a Monday spreekuur); none when that moment has passed (a
booking for tomorrow made in the evening). It goes to the conversation that booked when its channel can
reach the resident later (Telegram), and by e-mail when the resident gave an address and SMTP is set up.
Moving a booking plans its reminders again; cancelling it cancels them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import Booking, Conversation, MessageKind, ScheduledMessage
from bot.backend.services import scheduled_messages
from bot.backend.settings import BackendSettings, get_settings

#: Channels on which the assistant can write to a resident days after the chat (WhatsApp would need an
#: approved template outside its 24-hour window: not yet).
REACHABLE_CHANNELS = frozenset({"telegram"})
EMAIL = "email"

log = logging.getLogger(__name__)
_said_off = False


def email_enabled(settings: BackendSettings) -> bool:
    """Whether e-mail reminders are on (SMTP_HOST set); says once in the log when they are off."""
    global _said_off
    if settings.smtp_host:
        return True
    if not _said_off:
        log.info("E-mail reminders are off: SMTP_HOST is empty")
        _said_off = True
    return False


def reminder_moment(booking: Booking, settings: BackendSettings) -> datetime:
    """The day before the spreekuur at REMINDER_TIME local (UTC); a day before that when the day before is
    a Sunday (Saturday for a Monday spreekuur), the last allowed moment before it when the time is quiet."""
    tz, quiet = settings.tz, settings.quiet
    at = time.fromisoformat(settings.reminder_time)
    for days_back in (1, 2, 3):
        candidate = datetime.combine(booking.slot.date - timedelta(days=days_back), at, tzinfo=tz)
        if quiet.allows(candidate):
            return candidate.astimezone(UTC)
    day_before = datetime.combine(booking.slot.date - timedelta(days=1), at, tzinfo=tz)
    return quiet.latest_allowed_before(day_before, tz)


def conversation_channel(session: Session, booking: Booking) -> str | None:
    """The channel of the conversation that booked: as the booking request said, or as its earlier
    reminders went, or as the bot reported the conversation."""
    if booking.conversation_id is None:
        return None
    earlier = session.scalar(
        select(ScheduledMessage.channel)
        .where(ScheduledMessage.booking_id == booking.id, ScheduledMessage.channel != EMAIL)
        .limit(1)
    )
    if earlier is not None:
        return earlier
    return session.scalar(
        select(Conversation.channel).where(Conversation.conversation_id == booking.conversation_id)
    )


def schedule_reminders(
    *,
    session: Session,
    booking: Booking,
    channel: str | None = None,
    settings: BackendSettings | None = None,
    now: datetime | None = None,
) -> list[ScheduledMessage]:
    """Plan the booking's reminders (after booking or moving it); returns what was planned."""
    settings = settings or get_settings()
    now = now or datetime.now(UTC)
    due = reminder_moment(booking, settings)
    if due <= now:
        return []
    channel = channel or conversation_channel(session, booking)
    channels = [channel] if channel in REACHABLE_CHANNELS and booking.conversation_id is not None else []
    if booking.email and email_enabled(settings):
        channels.append(EMAIL)
    municipality_id = booking.slot.schedule.location.municipality_id
    planned = [
        scheduled_messages.schedule_message(
            session,
            kind=MessageKind.REMINDER,
            channel=each,
            conversation_id=booking.conversation_id,
            due_at=due,
            tz=settings.tz,
            booking_id=booking.id,
            topic=booking.topic,
            municipality_id=municipality_id,
        )  # fmt: skip
        for each in channels
    ]
    return [message for message in planned if message is not None]


def reschedule_reminders(
    *,
    session: Session,
    booking: Booking,
    settings: BackendSettings | None = None,
    now: datetime | None = None,
) -> list[ScheduledMessage]:
    """After a move: the pending reminders of the old time go, those of the new time are planned."""
    channel = conversation_channel(session, booking)
    scheduled_messages.cancel_pending(session, booking_id=booking.id, kind=MessageKind.REMINDER)
    return schedule_reminders(session=session, booking=booking, channel=channel, settings=settings, now=now)


def cancel_reminders(*, session: Session, booking: Booking) -> int:
    return scheduled_messages.cancel_pending(session, booking_id=booking.id, kind=MessageKind.REMINDER)
