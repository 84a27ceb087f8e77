"""Deliver one scheduled message: to Rasa (which sends it on the resident's channel) or by e-mail.

Rasa's `trigger_intent` runs the message's action in the resident's conversation and sends its reply on
`output_channel` (our Telegram and WhatsApp channels can reach a resident outside a chat's request):
- a reminder: intent `EXTERNAL_booking_reminder`, entities booking_code and scheduled_message_id
- a check-in: intent `EXTERNAL_checkin`, entities scheduled_message_id, topic and plan_id
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.backend.models import BookingStatus, MessageKind, MessageStatus, ScheduledMessage
from bot.backend.services import scheduled_messages
from bot.backend.settings import BackendSettings
from bot.backend.staff_web.rasa_client import RasaClient

log = logging.getLogger(__name__)

REMINDER_INTENT = "EXTERNAL_booking_reminder"
CHECKIN_INTENT = "EXTERNAL_checkin"
#: A failed send is tried again after this many minutes times the attempts so far.
RETRY_MINUTES = 5
#: What `trigger` answers when a medewerker has the conversation (the bot is paused: Rasa would drop the
#: message), or when the resident is filling in a form right now (the form would take the message for
#: its answer). Either way the message waits, without using up an attempt: WAIT_MINUTES is one more than
#: Rasa's session expiry (domain/general.yml), after which a form left half-way no longer counts.
PAUSED = "a person has the conversation"
IN_FORM = "the resident is filling in a form"
WAIT_MINUTES = 61


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


@dataclass(frozen=True)
class RasaTrigger:
    """What makes Rasa send one message; called outside any database transaction, because the action Rasa
    runs calls this backend back (the reminder's booking), and on SQLite an open write transaction
    (`BEGIN IMMEDIATE`) would keep that call waiting until it times out."""

    conversation_id: str
    intent: str
    entities: dict[str, str]
    channel: str


def send_email(session: Session, message: ScheduledMessage, settings: BackendSettings) -> None:
    """An e-mail reminder over SMTP; raises DeliveryFailed when the server did not take it."""
    from bot.backend.jobs.email_reminders import send_booking_reminder  # it imports DeliveryFailed from here

    send_booking_reminder(session, message, settings)


def trigger(step: RasaTrigger, settings: BackendSettings, now: datetime) -> str:
    """Ask Rasa to send the message on its channel; '' when it did, else why not."""
    client = RasaClient.from_settings(settings)
    try:
        state = client.state(step.conversation_id)
        if state.paused:
            return PAUSED
        recent = state.latest_event_at is not None and now - state.latest_event_at < timedelta(
            minutes=WAIT_MINUTES
        )
        if state.active_loop and recent:
            return IN_FORM
        client.trigger_intent(step.conversation_id, step.intent, step.entities, output_channel=step.channel)
    except Exception as error:  # RasaUnavailable and anything the channel raised
        return str(error) or type(error).__name__
    return ""


def prepare(
    session: Session, message_id: int, now: datetime, settings: BackendSettings
) -> Outcome | RasaTrigger:
    """Check a claimed message as at `now` (the moment it was dispatched: tests move that clock): an
    Outcome when it is settled here (obsolete, quiet hours, an e-mail sent or failed), else the Rasa call
    to make after this transaction, and `finish` after that."""
    message = session.get(ScheduledMessage, message_id, populate_existing=True)
    if message is None or message.status != MessageStatus.CLAIMED:
        return Outcome(message.status if message is not None else MessageStatus.CANCELLED, "not claimed")
    reason = _obsolete(session, message, now, settings.tz)
    if reason:
        scheduled_messages.mark_cancelled(session, message_id)
        return Outcome(MessageStatus.CANCELLED, reason)
    quiet = settings.quiet
    if not quiet.allows(now.astimezone(settings.tz)):
        later = quiet.allowed_moment(now, settings.tz)
        status = scheduled_messages.release_for_retry(
            session, message_id, retry_at=later, max_attempts=settings.message_max_attempts + 1
        )
        return Outcome(status, "quiet hours")
    if message.channel == "email":
        try:
            send_email(session, message, settings)
        except DeliveryFailed as error:
            return finish(session, message_id, now, settings, str(error))
        return finish(session, message_id, now, settings, "")
    if not message.conversation_id:
        return finish(session, message_id, now, settings, "no conversation to send to")
    intent, entities = trigger_for(message)
    return RasaTrigger(message.conversation_id, intent, entities, message.channel)


def finish(
    session: Session, message_id: int, now: datetime, settings: BackendSettings, error: str
) -> Outcome:
    """Record the sending: sent, or tried again later (given up after MESSAGE_MAX_ATTEMPTS)."""
    if not error:
        scheduled_messages.mark_sent(session, message_id, now)
        return Outcome(MessageStatus.SENT)
    quiet = settings.quiet
    if error in (PAUSED, IN_FORM):
        later = quiet.allowed_moment(now + timedelta(minutes=WAIT_MINUTES), settings.tz)
        return Outcome(scheduled_messages.postpone(session, message_id, due_at=later), error)
    message = session.get(ScheduledMessage, message_id, populate_existing=True)
    attempts = message.attempts if message is not None else 1
    retry_at = quiet.allowed_moment(now + timedelta(minutes=RETRY_MINUTES * attempts), settings.tz)
    status = scheduled_messages.release_for_retry(
        session, message_id, retry_at=retry_at, max_attempts=settings.message_max_attempts
    )
    if message is not None:
        log.warning("scheduled message %s (%s, %s) not delivered: %s",
                    message_id, message.kind.value, message.channel, error)  # fmt: skip
    return Outcome(status, error)
