"""Deliver one scheduled message: to Rasa (which sends it on the resident's channel) or by e-mail.

Rasa's `trigger_intent` runs the message's action in the resident's conversation and sends its reply on
`output_channel` (our Telegram and WhatsApp channels can reach a resident outside a chat's request):
- a reminder: intent `EXTERNAL_booking_reminder`, entities booking_code and scheduled_message_id
- a check-in: intent `EXTERNAL_checkin`, entities scheduled_message_id, topic and plan_id
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.backend.models import BookingStatus, MessageKind, MessageStatus, ScheduledMessage
from bot.backend.services import scheduled_messages
from bot.backend.services.quiet_hours import QuietHours
from bot.backend.settings import BackendSettings
from bot.backend.staff_web.rasa_client import RasaClient

log = logging.getLogger(__name__)

REMINDER_INTENT = "EXTERNAL_booking_reminder"
CHECKIN_INTENT = "EXTERNAL_checkin"
#: A failed send is tried again after this many minutes times the attempts so far.
RETRY_MINUTES = 5


class DeliveryFailed(Exception):
    """The channel did not take the message; it is tried again later."""


@dataclass(frozen=True)
class Outcome:
    status: MessageStatus
    reason: str = ""


def trigger_for(message: ScheduledMessage) -> tuple[str, dict[str, str]]:
    """The intent and entities that make Rasa send this message."""
    if message.kind == MessageKind.REMINDER:
        code = message.booking.code if message.booking is not None else ""
        return REMINDER_INTENT, {"booking_code": code, "scheduled_message_id": str(message.id)}
    return CHECKIN_INTENT, {
        "scheduled_message_id": str(message.id),
        "topic": message.topic or "",
        "plan_id": message.plan_id or "",
    }


def _obsolete(session: Session, message: ScheduledMessage, now: datetime, tz: ZoneInfo) -> str:
    """Why the message should not go out any more, or ''."""
    if message.conversation_id and scheduled_messages.is_opted_out(session, message.conversation_id):
        return "the resident said stop berichten"
    booking = message.booking
    if message.kind == MessageKind.REMINDER:
        if booking is None or booking.status != BookingStatus.CONFIRMED:
            return "the booking was cancelled"
        starts = datetime.combine(booking.slot.date, booking.slot.start_time, tzinfo=tz)
        if starts <= now:
            return "the spreekuur has begun"
    return ""


def send(session: Session, message: ScheduledMessage, settings: BackendSettings) -> None:
    """Hand the message to its channel; raises DeliveryFailed when the channel did not take it."""
    if message.channel == "email":
        try:
            email_reminders = importlib.import_module("bot.backend.jobs.email_reminders")
        except ImportError as error:  # until e-mail reminders exist
            raise DeliveryFailed("e-mail reminders are not available") from error
        email_reminders.send_booking_reminder(session, message, settings)
        return
    if not message.conversation_id:
        raise DeliveryFailed("no conversation to send to")
    intent, entities = trigger_for(message)
    try:
        RasaClient.from_settings(settings).trigger_intent(
            message.conversation_id, intent, entities, output_channel=message.channel
        )
    except Exception as error:  # RasaUnavailable and anything the channel raised
        raise DeliveryFailed(str(error)) from error


def deliver(session: Session, message_id: int, now: datetime, settings: BackendSettings) -> Outcome:
    """Send one claimed message as at `now` (the moment it was dispatched: tests move that clock)."""
    message = session.get(ScheduledMessage, message_id, populate_existing=True)
    if message is None or message.status != MessageStatus.CLAIMED:
        return Outcome(message.status if message is not None else MessageStatus.CANCELLED, "not claimed")
    reason = _obsolete(session, message, now, settings.tz)
    if reason:
        scheduled_messages.mark_cancelled(session, message_id)
        return Outcome(MessageStatus.CANCELLED, reason)
    quiet = QuietHours.parse(settings.quiet_hours)
    if not quiet.allows(now.astimezone(settings.tz)):
        later = quiet.allowed_moment(now, settings.tz)
        status = scheduled_messages.release_for_retry(
            session, message_id, retry_at=later, max_attempts=settings.message_max_attempts + 1
        )
        return Outcome(status, "quiet hours")
    try:
        send(session, message, settings)
    except DeliveryFailed as error:
        retry_at = quiet.allowed_moment(
            now + timedelta(minutes=RETRY_MINUTES * message.attempts), settings.tz
        )
        status = scheduled_messages.release_for_retry(
            session, message_id, retry_at=retry_at, max_attempts=settings.message_max_attempts
        )
        log.warning(
            "scheduled message %s (%s, %s) not delivered: %s",
            message_id,
            message.kind.value,
            message.channel,
            error,
        )
        return Outcome(status, str(error))
    scheduled_messages.mark_sent(session, message_id, now)
    return Outcome(MessageStatus.SENT)
