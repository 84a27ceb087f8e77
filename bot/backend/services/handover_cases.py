"""What happened around a handover since it was made: the bookings and callback requests of its conversation.

A handover's summary is written once, when the bot hands over; a booking may be cancelled later and a
callback request filled in after it (issue 21). The handover page therefore shows these as they are now,
read from the database: the rows made in the same conversation (`conversation_id`) and, for rows made
before bookings carried a conversation id, the booking codes named in the summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from bot.backend.models import Booking, CallbackRequest, Handover, Schedule, Slot
from bot.shared.booking_codes import written_codes

#: A conversation rarely makes more than a few; the page shows at most this many of each.
LIMIT = 20


@dataclass(frozen=True)
class HandoverCases:
    bookings: list[Booking]
    callbacks: list[CallbackRequest]


def cases_of(*, session: Session, handover: Handover) -> HandoverCases:
    """The conversation's bookings (newest first, with slot and location) and callback requests."""
    codes = sorted(set(written_codes(handover.summary or "")))
    booking_match = Booking.conversation_id == handover.conversation_id
    bookings = session.scalars(
        select(Booking)
        .options(selectinload(Booking.slot).selectinload(Slot.schedule).selectinload(Schedule.location))
        .where(or_(booking_match, Booking.code.in_(codes)) if codes else booking_match)
        .order_by(Booking.created_at.desc(), Booking.id.desc())
        .limit(LIMIT)
    )
    callbacks = session.scalars(
        select(CallbackRequest)
        .where(CallbackRequest.conversation_id == handover.conversation_id)
        .order_by(CallbackRequest.created_at.desc(), CallbackRequest.id.desc())
        .limit(LIMIT)
    )
    return HandoverCases(list(bookings), list(callbacks))


def first_names(*, session: Session, conversation_ids: list[str]) -> dict[str, str]:
    """The first name a resident gave in each conversation (a callback request or a booking), if any."""
    if not conversation_ids:
        return {}
    found: dict[str, str] = {}
    for model in (Booking, CallbackRequest):
        rows = session.execute(
            select(model.conversation_id, model.first_name)
            .where(model.conversation_id.in_(conversation_ids))
            .order_by(model.created_at)
        )
        for conversation_id, first_name in rows:
            if conversation_id is not None:  # always: the query asks for these ids
                found.setdefault(conversation_id, first_name)
    return found
