"""The resident's answer to a booking reminder: "Ik kom", "Afzeggen" or "Verzetten" (issue 24).

The buttons come with the reminder in the conversation that booked (or one linked to it), so that
conversation is the second factor: an answer from any other conversation is refused like an unknown
code. "Afzeggen" frees the place and cancels the reminders still pending; "Verzetten" gives a change
ticket for the move flow (the same ticket a lookup with the second factor gives); "Ik kom" is kept on
the booking for the staff page.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.backend.models import Booking
from bot.backend.services import audit, booking_lookup, bookings
from bot.backend.services.errors import NotFound
from bot.backend.services.scheduled_messages import linked_conversation_ids

ACTOR = "herinnering"
NOT_YOURS_MESSAGE = "Ik kan deze afspraak niet vinden in dit gesprek. Controleer de code in de herinnering."


class ReminderAnswer(str, enum.Enum):
    COMING = "komt"
    CANCEL = "afzeggen"
    MOVE = "verzetten"


@dataclass(frozen=True)
class AnswerResult:
    booking: Booking
    answer: ReminderAnswer
    #: Only for "verzetten": the change ticket the move needs.
    ticket: str | None = None


def booking_of_conversation(
    *, session: Session, code: str, conversation_id: str, for_update: bool = False
) -> Booking:
    """The booking with this code when this conversation (or one linked to it) made it; else NotFound,
    the same answer as for an unknown code."""
    try:
        booking = bookings.get_booking(session=session, code=code, for_update=for_update)
    except NotFound:
        raise NotFound("booking_not_found", NOT_YOURS_MESSAGE) from None
    if booking.conversation_id is None or booking.conversation_id not in linked_conversation_ids(
        session, conversation_id
    ):
        raise NotFound("booking_not_found", NOT_YOURS_MESSAGE)
    return booking


def answer_reminder(
    *,
    session: Session,
    code: str,
    conversation_id: str,
    answer: ReminderAnswer,
    tz: ZoneInfo | None = None,
    now: datetime | None = None,
) -> AnswerResult:
    """Apply the answer, or raise a ServiceError (nothing changed)."""
    now = now or datetime.now(UTC)
    booking = booking_of_conversation(
        session=session, code=code, conversation_id=conversation_id, for_update=True
    )
    bookings.check_changeable(booking, tz)
    if answer is ReminderAnswer.CANCEL:
        bookings.cancel_booking(session=session, code=booking.code, actor=ACTOR, tz=tz)  # and its reminders
        return AnswerResult(booking, answer)
    audit.record(session=session, actor=ACTOR, action="booking.reminder_answer", entity="booking",
                 entity_id=booking.code, answer=answer.value)  # fmt: skip
    if answer is ReminderAnswer.MOVE:
        ticket = booking_lookup.issue_ticket(
            session=session, booking=booking, client=conversation_id, now=now
        )
        return AnswerResult(booking, answer, ticket)
    if booking.attendance_confirmed_at is None:
        booking.attendance_confirmed_at = now
        session.flush()
    return AnswerResult(booking, answer)
