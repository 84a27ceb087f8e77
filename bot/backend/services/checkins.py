"""Follow-up check-ins ("vinger aan de pols", issue 24) and "stop berichten".

The resident agrees in the chat (actions/checkins.py) after a stappenplan, a closed handover or a done
callback; the check-in is a `ScheduledMessage` of kind `checkin`, due after `CHECKIN_WORKING_DAYS` working
days at `CHECKIN_TIME` local time (moved out of quiet hours by `schedule_message`). Only channels that can
reach the resident later take one. The answer ("goed", "lukt_niet", "iemand_spreken") is stored on the row
for the staff page. "stop berichten" records an opt-out and cancels what was planned, for this conversation
and the ones linked to it (services/scheduled_messages.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.backend.models import (
    CallbackRequest,
    CheckinOutcome,
    Conversation,
    FollowUpSource,
    Handover,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
)
from bot.backend.services import audit, scheduled_messages
from bot.backend.services.errors import Conflict, NotFound, invalid
from bot.backend.services.handovers import checked_conversation_id
from bot.backend.services.municipalities import resolve
from bot.backend.services.workdays import add_working_days
from bot.backend.settings import BackendSettings
from bot.shared.dutch_calendar import day_label
from bot.shared.topics import TOPICS

#: Channels on which the assistant can write to the resident days later (the widget cannot).
REACHABLE_CHANNELS = frozenset({"telegram", "whatsapp"})
PLAN_ID = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
#: The staff page shows at most this many check-ins of a conversation.
LIMIT = 20
OUTCOME_LABELS = {
    CheckinOutcome.GOOD: "Goed",
    CheckinOutcome.STUCK: "Het lukt niet",
    CheckinOutcome.PERSON: "Wil iemand spreken",
}
STATUS_LABELS = {
    MessageStatus.PENDING: "gepland",
    MessageStatus.CLAIMED: "wordt verstuurd",
    MessageStatus.SENT: "verstuurd",
    MessageStatus.CANCELLED: "geannuleerd",
    MessageStatus.FAILED: "niet gelukt",
}
SOURCE_LABELS = {
    FollowUpSource.PLAN: "na een stappenplan",
    FollowUpSource.HANDOVER: "na overdracht",
    FollowUpSource.CALLBACK: "na terugbelverzoek",
}


def checkin_due_at(*, session: Session, now: datetime, settings: BackendSettings) -> datetime:
    """`checkin_working_days` working days after `now`'s local day, at `checkin_time` local (UTC)."""
    tz = settings.tz
    day = add_working_days(
        session=session, start=now.astimezone(tz).date(), days=settings.checkin_working_days
    )
    return datetime.combine(day, time.fromisoformat(settings.checkin_time), tzinfo=tz).astimezone(UTC)


def _source_row_matches(
    session: Session, source: FollowUpSource, source_id: int | None, conversation_id: str
) -> bool:
    """A handover or callback check-in names a row of this resident's (or a linked) conversation."""
    if source is FollowUpSource.PLAN:
        return True
    model = Handover if source is FollowUpSource.HANDOVER else CallbackRequest
    row = session.get(model, source_id) if source_id is not None else None
    owner = getattr(row, "conversation_id", None)
    return owner is not None and owner in scheduled_messages.linked_conversation_ids(session, conversation_id)


def schedule_checkin(
    *,
    session: Session,
    settings: BackendSettings,
    conversation_id: str,
    channel: str,
    source: FollowUpSource | str,
    source_id: int | None = None,
    plan_id: str | None = None,
    topic: str | None = None,
    municipality: str | None = None,
    now: datetime | None = None,
    actor: str = "api",
) -> ScheduledMessage:
    """Plan the check-in the resident agreed to; the same one again returns the planned one.

    Refused: a channel that cannot reach the resident (422), an unknown plan id or topic (422), a handover
    or callback of another conversation (404), a resident who said "stop berichten" (409 `opted_out`)."""
    checked_conversation_id(conversation_id)
    if channel not in REACHABLE_CHANNELS:
        raise invalid("channel", "Via dit kanaal kan de assistent later geen bericht sturen.")
    try:
        kind = FollowUpSource(source)
    except ValueError:
        raise invalid("source", "Kies stappenplan, overdracht of terugbelverzoek.") from None
    if kind is FollowUpSource.PLAN and (plan_id is None or not PLAN_ID.match(plan_id)):
        raise invalid("plan_id", "Een check-in na een stappenplan noemt het stappenplan.")
    if topic is not None and topic not in TOPICS:
        raise invalid("topic", f"Onbekend onderwerp. Kies uit: {', '.join(TOPICS)}.")
    if not _source_row_matches(session, kind, source_id, conversation_id):
        raise NotFound(
            "source_not_found", "Deze overdracht of dit terugbelverzoek hoort niet bij dit gesprek."
        )
    place = resolve(session=session, slug=municipality, default=settings.default_municipality)
    planned = session.scalars(
        select(ScheduledMessage).where(
            ScheduledMessage.kind == MessageKind.CHECKIN,
            ScheduledMessage.conversation_id == conversation_id,
            ScheduledMessage.status == MessageStatus.PENDING,
            ScheduledMessage.source == kind,
            ScheduledMessage.source_id.is_(None)
            if source_id is None
            else ScheduledMessage.source_id == source_id,
            ScheduledMessage.plan_id.is_(None) if plan_id is None else ScheduledMessage.plan_id == plan_id,
        )
    ).first()
    if planned is not None:
        return planned
    message = scheduled_messages.schedule_message(
        session,
        kind=MessageKind.CHECKIN,
        channel=channel,
        conversation_id=conversation_id,
        due_at=checkin_due_at(session=session, now=now or datetime.now(UTC), settings=settings),
        tz=settings.tz,
        quiet_hours=settings.quiet,
        source=kind,
        source_id=source_id,
        topic=topic,
        plan_id=plan_id,
        municipality_id=place.id,
    )
    if message is None:
        raise Conflict("opted_out", "Deze inwoner wil geen berichten meer.")
    audit.record(session=session, actor=actor, action="checkin.schedule", entity="scheduled_message",
                 entity_id=message.id, source=kind.value, source_id=source_id)  # fmt: skip
    return message


def due_label(message: ScheduledMessage, tz: ZoneInfo) -> str:
    """ "dinsdag 15 december": the day the resident reads in the chat."""
    return day_label(message.due_at.astimezone(tz).date())


def record_answer(
    *,
    session: Session,
    message_id: int,
    conversation_id: str,
    outcome: CheckinOutcome | str,
    now: datetime | None = None,
    actor: str = "api",
) -> ScheduledMessage:
    """The resident's answer to a sent check-in, from its own (or a linked) conversation; a later answer
    replaces an earlier one (the staff page shows the latest)."""
    checked_conversation_id(conversation_id)
    try:
        answer = CheckinOutcome(outcome)
    except ValueError:
        raise invalid("outcome", "Kies goed, lukt_niet of iemand_spreken.") from None
    message = session.get(ScheduledMessage, message_id)
    if (
        message is None
        or message.kind is not MessageKind.CHECKIN
        or message.conversation_id is None
        or conversation_id not in scheduled_messages.linked_conversation_ids(session, message.conversation_id)
    ):
        raise NotFound("checkin_not_found", "Deze check-in bestaat niet.")
    if message.status not in (MessageStatus.SENT, MessageStatus.CLAIMED):
        raise Conflict("checkin_not_sent", "Deze check-in is niet verstuurd.")
    message.outcome, message.outcome_at = answer, now or datetime.now(UTC)
    session.flush()
    audit.record(session=session, actor=actor, action="checkin.answer", entity="scheduled_message",
                 entity_id=message.id, outcome=answer.value)  # fmt: skip
    return message


def stop_messages(*, session: Session, conversation_id: str, actor: str = "api") -> int:
    """ "stop berichten": no more reminders or check-ins for this resident; returns how many were
    cancelled."""
    checked_conversation_id(conversation_id)
    cancelled = scheduled_messages.opt_out(session, conversation_id)
    audit.record(session=session, actor=actor, action="messages.stop", entity="conversation",
                 cancelled=cancelled)  # fmt: skip
    return cancelled


@dataclass(frozen=True)
class CheckinRow:
    """One check-in as the staff page shows it."""

    id: int
    source: str
    due_at: datetime
    status: str
    outcome: str | None
    outcome_at: datetime | None
    plan_id: str | None
    needs_attention: bool


def checkins_of(
    *,
    session: Session,
    conversation_id: str,
    handover_id: int | None = None,
    callback_ids: list[int] | None = None,
    scope: frozenset[int] | None = None,
) -> list[CheckinRow]:
    """The check-ins of a conversation (and its linked ones), newest first: after its stappenplannen, after
    `handover_id` and after `callback_ids`; of the municipalities in `scope` only, when given."""
    ids = scheduled_messages.linked_conversation_ids(session, conversation_id)
    sources = [ScheduledMessage.source == FollowUpSource.PLAN]
    if handover_id is not None:
        sources.append(
            and_(
                ScheduledMessage.source == FollowUpSource.HANDOVER, ScheduledMessage.source_id == handover_id
            )
        )
    if callback_ids:
        sources.append(
            and_(
                ScheduledMessage.source == FollowUpSource.CALLBACK,
                ScheduledMessage.source_id.in_(callback_ids),
            )
        )
    query = select(ScheduledMessage).where(
        ScheduledMessage.kind == MessageKind.CHECKIN,
        ScheduledMessage.conversation_id.in_(ids),
        or_(*sources),
    )
    if scope is not None:
        query = query.where(ScheduledMessage.municipality_id.in_(scope))
    rows = session.scalars(
        query.order_by(ScheduledMessage.due_at.desc(), ScheduledMessage.id.desc()).limit(LIMIT)
    )
    return [
        CheckinRow(
            id=row.id,
            source=SOURCE_LABELS.get(row.source, "") if row.source is not None else "",
            due_at=row.due_at,
            status=STATUS_LABELS.get(row.status, row.status.value),
            outcome=OUTCOME_LABELS[row.outcome] if row.outcome is not None else None,
            outcome_at=row.outcome_at,
            plan_id=row.plan_id,
            needs_attention=row.outcome in (CheckinOutcome.STUCK, CheckinOutcome.PERSON),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CallbackFollowUp:
    """Where to tell the bot that a callback was done, so that it offers a check-in."""

    conversation_id: str
    channel: str
    callback_id: int


def callback_follow_up(*, session: Session, callback: CallbackRequest) -> CallbackFollowUp | None:
    """The callback's conversation, when it is on a channel the assistant can reach and the resident did
    not say "stop berichten"; None otherwise (nothing to offer)."""
    if callback.conversation_id is None:
        return None
    channel = session.scalar(
        select(Conversation.channel).where(Conversation.conversation_id == callback.conversation_id)
    )
    if channel not in REACHABLE_CHANNELS or scheduled_messages.is_opted_out(
        session, callback.conversation_id
    ):
        return None
    return CallbackFollowUp(callback.conversation_id, str(channel), callback.id)


#: The "Vandaag" page lists the answers that ask for the team of this many days back.
ATTENTION_DAYS = 14


@dataclass(frozen=True)
class AttentionRow:
    """A check-in answered "Het lukt niet" or "Ik wil iemand spreken": the team takes it up."""

    id: int
    source: str
    outcome: str
    outcome_at: datetime
    handover_id: int | None
    callback_id: int | None
    first_name: str | None
    phone: str | None


def answers_needing_attention(
    *, session: Session, now: datetime, scope: frozenset[int] | None = None, limit: int = 50
) -> list[AttentionRow]:
    """The latest answers "lukt niet" and "iemand spreken" of the last ATTENTION_DAYS days, newest first;
    with the callback's name and phone number when the check-in followed a callback."""
    query = select(ScheduledMessage).where(
        ScheduledMessage.kind == MessageKind.CHECKIN,
        ScheduledMessage.outcome.in_([CheckinOutcome.STUCK, CheckinOutcome.PERSON]),
        ScheduledMessage.outcome_at >= now - timedelta(days=ATTENTION_DAYS),
    )
    if scope is not None:
        query = query.where(ScheduledMessage.municipality_id.in_(scope))
    rows = list(session.scalars(query.order_by(ScheduledMessage.outcome_at.desc()).limit(limit)))
    callback_ids = [row.source_id for row in rows if row.source is FollowUpSource.CALLBACK and row.source_id]
    callbacks = {
        callback.id: callback
        for callback in session.scalars(select(CallbackRequest).where(CallbackRequest.id.in_(callback_ids)))
    }
    found = []
    for row in rows:
        callback = callbacks.get(row.source_id or 0) if row.source is FollowUpSource.CALLBACK else None
        found.append(
            AttentionRow(
                id=row.id,
                source=SOURCE_LABELS.get(row.source, "") if row.source is not None else "",
                outcome=OUTCOME_LABELS[row.outcome] if row.outcome is not None else "",
                outcome_at=row.outcome_at or now,
                handover_id=row.source_id if row.source is FollowUpSource.HANDOVER else None,
                callback_id=callback.id if callback is not None else None,
                first_name=callback.first_name if callback is not None else None,
                phone=callback.phone if callback is not None else None,
            )
        )
    return found
