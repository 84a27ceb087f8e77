"""Retention: delete personal data the wijkteam no longer needs, after configurable periods.

- **bookings** whose spreekuur date is more than `booking_days` days ago (cancelled ones too);
- **callback requests** that are done (afgerond) and were made more than `handover_days` days ago;
- **handovers** that are closed (afgerond) more than `handover_days` days ago, with their notes;
- **conversation rows** (the dashboard's per-conversation record) last seen more than
  `conversation_days` days ago;
- **booking lookups** (attempts to open a booking by code, services/booking_lookup.py) older than a week;
- **missed messages** and **answer feedback** (the review page, issue 23) older than `conversation_days`
  days; the reviewed examples an editor queued stay (masked training sentences, no conversation);
- **scheduled messages** (reminders, check-ins; issue 24) due more than `handover_days` days ago, whatever
  their state (a check-in's outcome is shown beside its handover or callback as long as those are kept),
  and those of the bookings this purge deletes;
- **"stop berichten"** (message opt-outs) older than `conversation_days` days whose conversation was not
  seen within that period: a conversation that old gets no new reminder or check-in;
- **link codes** whose 15 minutes have passed (used or not): they can never be used again;
- **conversation links**: every link of a resident none of whose linked conversations was seen, or linked,
  within `conversation_days` days.

Open handovers and callback requests stay, however old: someone still has to act on them. Slots,
schedules and the audit log hold no resident data and stay. The dashboard's kept figures of past days
(services/dashboard_days.py) go when a purge deleted rows it counts, and are computed again from the rows
that are left when the dashboard is next opened. A real run writes one audit entry with the counts; a
dry run only counts. Rasa's tracker store is purged on the Rasa side
(scripts/purge_conversations.py) just before; `make purge` passes its counts on, and they go into the
same audit entry. See docs/privacy.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeAlias

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from bot.backend.models import (
    AnswerFeedback,
    Booking,
    BookingLookup,
    CallbackRequest,
    CaseStatus,
    Conversation,
    ConversationLink,
    DashboardDay,
    Handover,
    HandoverNote,
    LinkCode,
    MessageOptOut,
    MissedMessage,
    ScheduledMessage,
    Slot,
)
from bot.backend.services import audit, booking_lookup
from bot.backend.services.dashboard_days import mark_changed

#: The rows a purge deletes.
Purged: TypeAlias = (
    Booking
    | CallbackRequest
    | HandoverNote
    | Handover
    | Conversation
    | BookingLookup
    | MissedMessage
    | AnswerFeedback
    | ScheduledMessage
    | MessageOptOut
    | LinkCode
    | ConversationLink
)
#: The kinds the dashboard counts (services/dashboard.py).
DASHBOARD_KINDS = ("bookings", "callback requests", "handovers", "conversations")


@dataclass(frozen=True)
class RetentionPeriods:
    """How many days each kind of record is kept (see BackendSettings.retention_*)."""

    conversation_days: int
    booking_days: int
    handover_days: int


@dataclass
class PurgeReport:
    """How many rows went (or, in a dry run, would go), per kind."""

    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        listed = ", ".join(f"{count} {kind}" for kind, count in self.counts.items())
        return f"purge{' (dry run)' if self.dry_run else ''}: {verb} {listed}"


def _count(session: Session, query: Select[int]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def purge(
    *,
    session: Session,
    periods: RetentionPeriods,
    today: date,
    now: datetime,
    dry_run: bool = False,
    actor: str = "retention",
    rasa_tracker: dict[str, int] | None = None,
) -> PurgeReport:
    """Delete (or count, with `dry_run`) everything older than its period, in the caller's transaction.

    `rasa_tracker`: what the Rasa side deleted from the tracker store just before (conversations,
    events, days), recorded in the same audit entry.
    """
    booking_cutoff = today - timedelta(days=periods.booking_days)
    case_cutoff = now - timedelta(days=periods.handover_days)
    conversation_cutoff = now - timedelta(days=periods.conversation_days)

    old_slots = select(Slot.id).where(Slot.date < booking_cutoff)
    bookings = select(Booking.id).where(Booking.slot_id.in_(old_slots))
    callbacks = select(CallbackRequest.id).where(
        CallbackRequest.status == CaseStatus.DONE, CallbackRequest.created_at < case_cutoff
    )
    handovers = select(Handover.id).where(
        Handover.status == CaseStatus.DONE,
        or_(
            Handover.closed_at < case_cutoff,
            Handover.closed_at.is_(None) & (Handover.updated_at < case_cutoff),
        ),
    )
    notes = select(HandoverNote.id).where(HandoverNote.handover_id.in_(handovers))
    conversations = select(Conversation.id).where(Conversation.last_seen_at < conversation_cutoff)
    lookups = select(BookingLookup.id).where(BookingLookup.created_at < now - booking_lookup.KEEP_ATTEMPTS)

    recent = select(Conversation.conversation_id).where(Conversation.last_seen_at >= conversation_cutoff)
    active_residents = select(ConversationLink.resident_key).where(
        or_(ConversationLink.linked_at >= conversation_cutoff, ConversationLink.conversation_id.in_(recent))
    )

    queries: dict[str, tuple[type[Purged], Select[int]]] = {
        "bookings": (Booking, bookings),
        "callback requests": (CallbackRequest, callbacks),
        "handover notes": (HandoverNote, notes),
        "handovers": (Handover, handovers),
        "conversations": (Conversation, conversations),
        "booking lookups": (BookingLookup, lookups),
        # The review page's residents' texts and feedback (issue 23) go with the conversations.
        "missed messages": (
            MissedMessage,
            select(MissedMessage.id).where(MissedMessage.created_at < conversation_cutoff),
        ),
        "answer feedback": (
            AnswerFeedback,
            select(AnswerFeedback.id).where(AnswerFeedback.shown_at < conversation_cutoff),
        ),
        "message opt-outs": (
            MessageOptOut,
            select(MessageOptOut.id).where(
                MessageOptOut.created_at < conversation_cutoff, MessageOptOut.conversation_id.not_in(recent)
            ),
        ),
        "scheduled messages": (
            ScheduledMessage,
            select(ScheduledMessage.id).where(
                or_(ScheduledMessage.due_at < case_cutoff, ScheduledMessage.booking_id.in_(bookings))
            ),
        ),
        "link codes": (LinkCode, select(LinkCode.id).where(LinkCode.expires_at < now)),
        "conversation links": (
            ConversationLink,
            select(ConversationLink.id).where(ConversationLink.resident_key.not_in(active_residents)),
        ),
    }
    report = PurgeReport(dry_run=dry_run)
    for kind, (_model, query) in queries.items():
        report.counts[kind] = _count(session, query)
    if dry_run:
        return report
    # Scheduled messages before their bookings (SQLite cascades only with its foreign-key pragma), notes
    # before their handovers.
    order = ["scheduled messages", *(kind for kind in queries if kind != "scheduled messages")]
    for kind in order:
        model, query = queries[kind]
        if report.counts[kind]:
            session.execute(
                delete(model).where(model.id.in_(query)).execution_options(synchronize_session=False)
            )
    if any(report.counts[kind] for kind in DASHBOARD_KINDS):
        # Days the dashboard kept lost rows: it computes them again (services/dashboard_days.py).
        session.execute(delete(DashboardDay).execution_options(synchronize_session=False))
        mark_changed(session=session, at=None)
    audit.record(
        session=session,
        actor=actor,
        action="retention.purge",
        entity="retention",
        counts=dict(report.counts),
        periods={
            "conversation_days": periods.conversation_days,
            "booking_days": periods.booking_days,
            "handover_days": periods.handover_days,
        },
        rasa_tracker=rasa_tracker,
    )
    session.flush()
    return report
