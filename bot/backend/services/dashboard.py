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
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, case, cast, exists, func, literal, select, text
from sqlalchemy.orm import Session

from bot.backend.models import Booking, CallbackRequest, Conversation, Handover
from bot.shared.topics import TOPICS, topic_label

#: An intake desk in a pilot settled about 1 in 4 questions directly (the comparison on the dashboard).
PILOT_SETTLED_SHARE = 0.25
PERIODS = (7, 14, 30, 90)
#: Topic-chart labels for conversations without a topic.
NOT_UNDERSTOOD = "Niet begrepen"
NO_TOPIC = "Geen onderwerp (bijv. alleen een groet)"


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


def conversation_rows(*, session: Session, period: Period) -> list[ConversationRow]:
    """The conversations of the period (module docstring), counted per day, topic and outcome."""
    # `handed_over` is set when a handover is made (services/handovers.py) or the conversation is reported
    # after one (services/conversations.py); migration 0008 set it for the rows before.
    reported = select(
        period.day_index(Conversation.first_seen_at).label("day"),
        Conversation.topic.label("topic"),
        Conversation.misunderstood.label("misunderstood"),
        Conversation.handed_over.label("with_person"),
    ).where(*period.contains(Conversation.first_seen_at))
    by_kind = reported.subquery()
    rows = [
        ConversationRow(
            day=period.days[row.day],
            topic=_known(row.topic),
            with_person=bool(row.with_person),
            misunderstood=bool(row.misunderstood),
            count=row.count,
        )
        for row in session.execute(select(by_kind, func.count().label("count")).group_by(*by_kind.c))
    ]
    # Handovers of the period whose conversation is not counted above: one conversation each. An anti-join
    # on the conversations of the period (an index look-up each), then the few rows' own reports.
    counted = exists().where(
        Conversation.conversation_id == Handover.conversation_id, *period.contains(Conversation.first_seen_at)
    )
    handed_over_only = (
        select(
            Handover.conversation_id,
            func.min(Handover.created_at).label("first_handover"),
            func.max(Handover.topic).label("handover_topic"),
        )
        .where(*period.contains(Handover.created_at), ~counted)
        .group_by(Handover.conversation_id)
        .subquery()
    )
    per_conversation = (
        select(
            handed_over_only.c.first_handover,
            Conversation.topic.label("reported_topic"),
            handed_over_only.c.handover_topic,
            cast(Conversation.misunderstood, Integer).label("misunderstood"),
        )
        .outerjoin(Conversation, Conversation.conversation_id == handed_over_only.c.conversation_id)
        .subquery()
    )
    unreported = select(
        period.day_index(per_conversation.c.first_handover).label("day"),
        per_conversation.c.reported_topic,
        per_conversation.c.handover_topic,
        per_conversation.c.misunderstood,
    ).subquery()
    rows += [
        ConversationRow(
            day=period.days[row.day],
            topic=_known(row.reported_topic) or _known(row.handover_topic),
            with_person=True,
            misunderstood=bool(row.misunderstood),
            count=row.count,
        )
        for row in session.execute(select(unreported, func.count().label("count")).group_by(*unreported.c))
    ]
    return rows


def _per_day(session: Session, period: Period, column: Any) -> list[int]:
    day = period.day_index(column).label("day")
    counts = dict(
        session.execute(select(day, func.count()).where(*period.contains(column)).group_by(day))
        .tuples()
        .all()
    )
    return [counts.get(index, 0) for index in range(len(period.days))]


def build_figures(*, session: Session, today: date, days: int, tz: ZoneInfo) -> Figures:
    if session.get_bind().dialect.name == "postgresql":
        # The 90-day queries' estimated cost switches PostgreSQL's JIT on: compiling them took 220 of 310 ms
        # (EXPLAIN ANALYZE at 100,000 handovers, docs/staff-volume-benchmark.md); they run in 90 ms without.
        session.execute(text("SET LOCAL jit = off"))
    period = Period.ending(today, days, tz)
    return Figures(
        days=period.days,
        rows=conversation_rows(session=session, period=period),
        bookings_per_day=_per_day(session, period, Booking.created_at),
        callbacks_per_day=_per_day(session, period, CallbackRequest.created_at),
    )
