"""The team dashboard's figures, per local day over a period ending today (docs/staff.md, "Dashboard").

One list of rows (the conversations of the period, counted per day, topic and outcome by the database);
the headline, the numbers behind it and both conversation charts add up these same rows, so they agree.

- **A conversation of the period** is a conversation the bot reported for the first time in the period
  (its day: `first_seen_at`), or a conversation with a handover created in the period that the bot never
  reported, or first reported before the period (its day: its first handover in the period). A handover
  always belongs to a conversation, also when the bot's report went missing.
- **With a person** ("met overdracht"): a handover exists for the conversation (any status, any time).
  **Settled without a person** ("afgehandeld zonder medewerker"): no handover exists. The headline's share
  is without / all conversations of the period; the pilot's intake desk settled about 1 in 4 (25%).
  The chart "Gesprekken per dag, met en zonder medewerker" stacks both per day.
- **Topic**: the last topic the bot reported (for a conversation it did not report in the period: its
  handovers' topic when it has none). Without a topic: "niet begrepen" when the bot reported that it did
  not understand a message (`misunderstood`, sent by its fallback), else "geen onderwerp" (only a
  greeting, or a question outside the topics, or a booking or a person asked for without naming a topic).
- Bookings and callback requests per day: created that day (`created_at`).

Closed days come from their kept summary (services/dashboard_days.py, which says how a summary stays
right); today is counted live. The figures of some municipalities only (`scope`: a medewerker's, or one
chosen by a regional beheerder) are counted live for every day: the kept summaries are of all
municipalities together (a conversation counts for its reported municipality, a handover for its own, a
booking for its location's). `build_figures(..., summarised=False)` counts every day live: the same
figures by definition, which the tests compare with the summary's.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select, text
from sqlalchemy.orm import Session

from bot.backend.models import Booking, CallbackRequest, Conversation, Handover, Location, Schedule, Slot
from bot.backend.services import dashboard_days
from bot.backend.services.dashboard_days import DaySummary
from bot.shared.topics import TOPICS, topic_label

#: An intake desk in a pilot settled about 1 in 4 questions directly (the comparison on the dashboard).
PILOT_SETTLED_SHARE = 0.25
PERIODS = (7, 14, 30, 90)
#: Topic-chart labels for conversations without a topic.
NOT_UNDERSTOOD = "Niet begrepen"
NO_TOPIC = "Geen onderwerp (bijv. alleen een groet)"
#: Above this many conversations that may count through a handover on the kept days, the dashboard looks
#: at every handover of the period instead of these (the same figures; e.g. the bot's reports failed).
MAX_HANDOVER_ONLY = 2000


@dataclass(frozen=True)
class ConversationRow:
    """Conversations of the period alike in what the dashboard counts: their day, topic and outcome."""

    day: date
    topic: str | None
    with_person: bool
    misunderstood: bool
    count: int = 1

    @property
    def category(self) -> str:
        """The bar of the topic chart these conversations are counted in."""
        if self.topic in TOPICS:
            return topic_label(self.topic)
        return NOT_UNDERSTOOD if self.misunderstood else NO_TOPIC


@dataclass(frozen=True)
class Figures:
    days: list[date]
    rows: list[ConversationRow]
    bookings_per_day: list[int]
    callbacks_per_day: list[int]

    @cached_property
    def conversations(self) -> int:
        return sum(row.count for row in self.rows)

    @cached_property
    def with_person(self) -> int:
        return sum(row.count for row in self.rows if row.with_person)

    @property
    def settled_without_person(self) -> int:
        return self.conversations - self.with_person

    @property
    def settled_share(self) -> float | None:
        return self.settled_without_person / self.conversations if self.conversations else None

    def without_person_in(self, category: str) -> int:
        """Conversations without a person in one topic-chart bar (e.g. NOT_UNDERSTOOD)."""
        return sum(row.count for row in self.rows if not row.with_person and row.category == category)

    @cached_property
    def with_person_per_day(self) -> list[int]:
        return self._per_day(True)

    @cached_property
    def without_person_per_day(self) -> list[int]:
        return self._per_day(False)

    @cached_property
    def conversations_per_topic(self) -> list[tuple[str, int]]:
        """Every topic (also at 0), then "niet begrepen" and "geen onderwerp" when they occur."""
        counts: Counter[str] = Counter()
        for row in self.rows:
            counts[row.category] += row.count
        labels = [topic_label(topic) for topic in TOPICS]
        labels += [label for label in (NOT_UNDERSTOOD, NO_TOPIC) if counts.get(label)]
        return [(label, counts.get(label, 0)) for label in labels]

    def _per_day(self, with_person: bool) -> list[int]:
        counts: Counter[date] = Counter()
        for row in self.rows:
            if row.with_person == with_person:
                counts[row.day] += row.count
        return [counts.get(day, 0) for day in self.days]


@dataclass(frozen=True)
class Period:
    """Local days and their bounds in UTC: `ends[i]` is the local midnight after `days[i]`."""

    days: list[date]
    start: datetime
    ends: list[datetime]

    @classmethod
    def ending(cls, today: date, days: int, tz: ZoneInfo) -> Period:
        day_list = [today - timedelta(days=days - 1 - i) for i in range(days)]
        start = datetime.combine(day_list[0], time.min, tz).astimezone(UTC)
        ends = [datetime.combine(day + timedelta(days=1), time.min, tz).astimezone(UTC) for day in day_list]
        return cls(day_list, start, ends)

    @property
    def end(self) -> datetime:
        return self.ends[-1]

    @property
    def bounds(self) -> list[tuple[datetime, datetime]]:
        """Each day's start and end in UTC."""
        starts = [self.start, *self.ends[:-1]] if self.ends else []
        return list(zip(starts, self.ends, strict=True))

    def part(self, first: int, last: int) -> Period:
        """The days first..last-1 of this period."""
        start = self.start if first == 0 else self.ends[first - 1]
        return Period(self.days[first:last], start, self.ends[first:last])

    def contains(self, column: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        return column >= self.start, column < self.end

    def day_index(self, column: Any) -> ColumnElement[int]:
        """The index of the local day a timestamp of the period falls on, computed by the database (the
        same on SQLite and PostgreSQL: comparisons with the days' bounds, no time-zone functions).

        A binary search of nested CASEs: about 7 comparisons per row for 90 days instead of up to 90.
        """

        def within(first: int, last: int) -> Any:
            if first == last:
                return literal(first)
            middle = (first + last) // 2
            return case((column < self.ends[middle], within(first, middle)), else_=within(middle + 1, last))

        return within(0, len(self.ends) - 1)


def _known(topic: str | None) -> str | None:
    return topic if topic in TOPICS else None


def _reported(
    session: Session, period: Period, scope: frozenset[int] | None = None
) -> list[tuple[int, str | None, bool, bool, int]]:
    """The conversations the bot reported first in the period, alike in what the dashboard counts:
    (day index, topic as reported, with a person, misunderstood, count)."""
    # `handed_over` is set when a handover is made (services/handovers.py) or the conversation is reported
    # after one (services/conversations.py); migration 0008 set it for the rows before.
    reported = select(
        period.day_index(Conversation.first_seen_at).label("day"),
        Conversation.topic.label("topic"),
        Conversation.handed_over.label("with_person"),
        Conversation.misunderstood.label("misunderstood"),
    ).where(*period.contains(Conversation.first_seen_at))
    if scope is not None:
        reported = reported.where(Conversation.municipality_id.in_(scope))
    by_kind = reported.subquery()
    return [
        (row.day, row.topic, bool(row.with_person), bool(row.misunderstood), row.number)
        for row in session.execute(select(by_kind, func.count().label("number")).group_by(*by_kind.c))
    ]


def _handover_only(
    session: Session,
    period: Period,
    among: ColumnElement[bool] | None = None,
    scope: frozenset[int] | None = None,
) -> list[ConversationRow]:
    """The conversations of the period counted through a handover: handovers of the period whose
    conversation the bot did not report in the period, one conversation each (on its first handover).

    `among` narrows the handovers looked at; it must let through every handover of the period of each
    conversation that counts (`_among`).
    """
    # An anti-join on the conversations of the period (an index look-up each), then the few rows' reports.
    counted = exists().where(
        Conversation.conversation_id == Handover.conversation_id, *period.contains(Conversation.first_seen_at)
    )
    narrowed = [among] if among is not None else []
    if scope is not None:
        narrowed.append(Handover.municipality_id.in_(scope))
    handed_over_only = (
        select(
            Handover.conversation_id,
            func.min(Handover.created_at).label("first_handover"),
            func.max(Handover.topic).label("handover_topic"),
        )
        .where(*period.contains(Handover.created_at), ~counted, *narrowed)
        .group_by(Handover.conversation_id)
        .subquery()
    )
    per_conversation = select(
        handed_over_only.c.first_handover,
        Conversation.topic.label("reported_topic"),
        handed_over_only.c.handover_topic,
        Conversation.misunderstood,
    ).outerjoin(Conversation, Conversation.conversation_id == handed_over_only.c.conversation_id)
    # Few rows (the day in Python: a CASE over 90 days costs more to build than these rows to count).
    counts: Counter[tuple[date, str | None, bool]] = Counter()
    for row in session.execute(per_conversation):
        day = period.days[bisect_right(period.ends, row.first_handover)]
        counts[(day, _known(row.reported_topic) or _known(row.handover_topic), bool(row.misunderstood))] += 1
    return [
        ConversationRow(day=day, topic=topic, with_person=True, misunderstood=misunderstood, count=count)
        for (day, topic, misunderstood), count in counts.items()
    ]


def _may_count_through_a_handover(session: Session, period: Period) -> list[tuple[int, str]]:
    """(day index, conversation id) of the period's handovers whose conversation the bot had not reported
    on that day or later. Only these can count through a handover on that day, in any period: one that
    counts is not reported in the period, which starts on or before the day of its first handover in it."""
    day = period.day_index(Handover.created_at)
    reported_before_that_day = or_(
        Conversation.first_seen_at < period.start,
        and_(Conversation.first_seen_at < period.end, period.day_index(Conversation.first_seen_at) < day),
    )
    query = (
        select(day.label("day"), Handover.conversation_id)
        .outerjoin(Conversation, Conversation.conversation_id == Handover.conversation_id)
        .where(
            *period.contains(Handover.created_at), or_(Conversation.id.is_(None), reported_before_that_day)
        )
        .distinct()
    )
    return [(row.day, row.conversation_id) for row in session.execute(query)]


def _per_day(session: Session, period: Period, column: Any, scope: frozenset[int] | None = None) -> list[int]:
    day = period.day_index(column).label("day")
    query = select(day, func.count()).where(*period.contains(column))
    if scope is not None and column is Booking.created_at:  # a booking's municipality: its location's
        query = (
            query.select_from(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(Location, Location.id == Schedule.location_id)
            .where(Location.municipality_id.in_(scope))
        )
    elif scope is not None:
        query = query.where(CallbackRequest.municipality_id.in_(scope))
    counts = dict(session.execute(query.group_by(day)).tuples().all())
    return [counts.get(index, 0) for index in range(len(period.days))]


def _summarise(session: Session, period: Period) -> list[DaySummary]:
    """The summaries of the period's days (closed days, services/dashboard_days.py), from the rows."""
    conversations: list[list[tuple[str | None, bool, bool, int]]] = [[] for _ in period.days]
    for index, topic, with_person, misunderstood, count in _reported(session, period):
        conversations[index].append((topic, with_person, misunderstood, count))
    handover_only: list[set[str]] = [set() for _ in period.days]
    for index, conversation_id in _may_count_through_a_handover(session, period):
        handover_only[index].add(conversation_id)
    bookings = _per_day(session, period, Booking.created_at)
    callbacks = _per_day(session, period, CallbackRequest.created_at)
    return [
        DaySummary(day, conversations[i], sorted(handover_only[i]), bookings[i], callbacks[i])
        for i, day in enumerate(period.days)
    ]


def _among(kept: list[DaySummary], live: Period) -> list[ColumnElement[bool]] | None:
    """Where the handovers that can make a conversation count through a handover are: those of the kept
    days' candidates, and those of the live days ([]: none; None: too many candidates, look at all).

    A conversation that counts has its first handover of the period on a kept day, where it is a
    candidate (all its handovers pass), or on a live day, after which all its handovers of the period are.
    """
    candidates = sorted({conversation_id for summary in kept for conversation_id in summary.handover_only})
    if len(candidates) > MAX_HANDOVER_ONLY:
        return None
    conditions: list[ColumnElement[bool]] = []
    if candidates:
        conditions.append(Handover.conversation_id.in_(candidates))
    if live.days:
        conditions.append(Handover.created_at >= live.start)
    return conditions


def build_figures(
    *,
    session: Session,
    today: date,
    days: int,
    tz: ZoneInfo,
    summarised: bool = True,
    now: datetime | None = None,
    scope: frozenset[int] | None = None,
) -> Figures:
    """The figures of the `days` days ending `today`: closed days from their kept summary, the rest live.

    `summarised=False` counts every day live (the definition; the tests compare both). `scope`: only these
    municipalities (ids), counted live (None: all).
    """
    if scope is not None:
        summarised = False
    if session.get_bind().dialect.name == "postgresql":
        # The 90-day queries' estimated cost switches PostgreSQL's JIT on: compiling them took 220 of 310 ms
        # (EXPLAIN ANALYZE at 100,000 handovers, docs/staff-volume-benchmark.md); they run in 90 ms without.
        session.execute(text("SET LOCAL jit = off"))
    period = Period.ending(today, days, tz)
    closed = dashboard_days.closed_count(period.ends, now or datetime.now(UTC)) if summarised else 0
    kept_days, live = period.part(0, closed), period.part(closed, len(period.days))
    kept = dashboard_days.summaries(
        session=session,
        timezone=tz.key,
        days=kept_days.days,
        bounds=kept_days.bounds,
        compute=lambda first, last: _summarise(session, kept_days.part(first, last)),
    )
    rows = [
        ConversationRow(summary.day, _known(topic), with_person, misunderstood, count)
        for summary in kept
        for topic, with_person, misunderstood, count in summary.conversations
    ]
    bookings = [summary.bookings for summary in kept]
    callbacks = [summary.callbacks for summary in kept]
    if live.days:
        rows += [
            ConversationRow(live.days[index], _known(topic), with_person, misunderstood, count)
            for index, topic, with_person, misunderstood, count in _reported(session, live, scope)
        ]
        bookings += _per_day(session, live, Booking.created_at, scope)
        callbacks += _per_day(session, live, CallbackRequest.created_at, scope)
    among = _among(kept, live) if summarised else None
    if among is None or among:
        rows += _handover_only(session, period, or_(*among) if among else None, scope)
    return Figures(days=period.days, rows=rows, bookings_per_day=bookings, callbacks_per_day=callbacks)
