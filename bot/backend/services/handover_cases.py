"""What happened around a handover since it was made: the bookings and callback requests of its conversation.

A handover's summary is written once, when the bot hands over; a booking may be cancelled later and a
callback request filled in after it (issue 21). The handover page therefore shows these as they are now,
read from the database: the rows made in the same conversation (`conversation_id`) and, for rows made
before bookings carried a conversation id, the booking codes named in the summary. With a staff member's
`scope` (municipality ids, issue 23) only the rows of those municipalities: a resident who chose another
municipality in the same conversation made the others, and that municipality's staff handle them.

A resident who went on in another channel with a link code (issue 24, services/resident_links.py) is one
resident: the rows of every linked conversation are shown, and the other handovers of those conversations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from bot.backend.models import Booking, CallbackRequest, Handover, Location, Schedule, Slot
from bot.backend.services.resident_links import linked_conversations
from bot.shared.booking_codes import written_codes

#: A conversation rarely makes more than a few; the page shows at most this many of each.
LIMIT = 20


@dataclass(frozen=True)
class HandoverCases:
    bookings: list[Booking]
    callbacks: list[CallbackRequest]
    #: Other handovers of the same resident (of the linked conversations), newest first.
    handovers: tuple[Handover, ...] = ()
    #: (conversation id, channel) of every conversation of this resident; one entry when it is not linked.
    conversations: tuple[tuple[str, str], ...] = ()


def _booking_in_scope(scope: frozenset[int]) -> Any:
    """Bookings at a location of a municipality in `scope`."""
    return Booking.slot_id.in_(
        select(Slot.id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .join(Location, Location.id == Schedule.location_id)
        .where(Location.municipality_id.in_(scope))
    )


def cases_of(*, session: Session, handover: Handover, scope: frozenset[int] | None = None) -> HandoverCases:
    """The conversation's bookings (newest first, with slot and location) and callback requests; of the
    municipalities in `scope` only, when given."""
    codes = sorted(set(written_codes(handover.summary or "")))
    conversations = linked_conversations(session=session, conversation_id=handover.conversation_id)
    if conversations == [(handover.conversation_id, "")]:
        conversations = [(handover.conversation_id, handover.channel)]
    ids = [conversation_id for conversation_id, _channel in conversations]
    booking_match = Booking.conversation_id.in_(ids)
    booking_query = (
        select(Booking)
        .options(selectinload(Booking.slot).selectinload(Slot.schedule).selectinload(Schedule.location))
        .where(or_(booking_match, Booking.code.in_(codes)) if codes else booking_match)
    )
    callback_query = select(CallbackRequest).where(CallbackRequest.conversation_id.in_(ids))
    handover_query = select(Handover).where(Handover.conversation_id.in_(ids), Handover.id != handover.id)
    if scope is not None:
        booking_query = booking_query.where(_booking_in_scope(scope))
        callback_query = callback_query.where(CallbackRequest.municipality_id.in_(scope))
        handover_query = handover_query.where(Handover.municipality_id.in_(scope))
    bookings = session.scalars(
        booking_query.order_by(Booking.created_at.desc(), Booking.id.desc()).limit(LIMIT)
    )
    callbacks = session.scalars(
        callback_query.order_by(CallbackRequest.created_at.desc(), CallbackRequest.id.desc()).limit(LIMIT)
    )
    others = (
        list(session.scalars(handover_query.order_by(Handover.created_at.desc()).limit(LIMIT)))
        if len(ids) > 1
        else []
    )
    return HandoverCases(list(bookings), list(callbacks), tuple(others), tuple(conversations))


def first_names(
    *, session: Session, conversation_ids: list[str], scope: frozenset[int] | None = None
) -> dict[str, str]:
    """The first name a resident gave in each conversation (a callback request or a booking), if any;
    from the rows of the municipalities in `scope` only, when given."""
    if not conversation_ids:
        return {}
    found: dict[str, str] = {}
    for model in (Booking, CallbackRequest):
        query = (
            select(model.conversation_id, model.first_name)
            .where(model.conversation_id.in_(conversation_ids))
            .order_by(model.created_at)
        )
        if scope is not None:
            query = query.where(
                _booking_in_scope(scope) if model is Booking else CallbackRequest.municipality_id.in_(scope)
            )
        rows = session.execute(query)
        for conversation_id, first_name in rows:
            if conversation_id is not None:  # always: the query asks for these ids
                found.setdefault(conversation_id, first_name)
    return found
