"""The team dashboard's figures, per local day over a period ending today.

Definitions (docs/staff.md):
- conversations per day: conversations the bot reported for the first time that day (`first_seen_at`);
- conversations per topic: the last topic the bot reported for them ("onbekend" when none);
- settled without a person: conversations of the period for which no handover exists (any status),
  as a share of all conversations of the period; the pilot's intake desk settled about 1 in 4 (25%);
- handovers, bookings and callback requests per day: created that day (`created_at`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.backend.models import Booking, CallbackRequest, Conversation, Handover
from bot.backend.topics import TOPICS, topic_label

#: An intake desk in a pilot settled about 1 in 4 questions directly (the comparison on the dashboard).
PILOT_SETTLED_SHARE = 0.25
PERIODS = (7, 14, 30, 90)


@dataclass(frozen=True)
class Figures:
    days: list[date]
    conversations_per_day: list[int]
    conversations_per_topic: list[tuple[str, int]]
    conversations: int
    settled_without_person: int
    handovers_per_day: list[int]
    bookings_per_day: list[int]
    callbacks_per_day: list[int]

    @property
    def settled_share(self) -> float | None:
        return self.settled_without_person / self.conversations if self.conversations else None


def _bounds(today: date, days: int, tz: ZoneInfo) -> tuple[list[date], datetime, datetime]:
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tz).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time.min, tz).astimezone(UTC)
    return [first + timedelta(days=i) for i in range(days)], start, end


def _per_day(stamps: list[datetime], days: list[date], tz: ZoneInfo) -> list[int]:
    counts = Counter(stamp.astimezone(tz).date() for stamp in stamps)
    return [counts.get(day, 0) for day in days]


def build_figures(*, session: Session, today: date, days: int, tz: ZoneInfo) -> Figures:
    day_list, start, end = _bounds(today, days, tz)
    in_period = (Conversation.first_seen_at >= start, Conversation.first_seen_at < end)
    handed_over = exists().where(Handover.conversation_id == Conversation.conversation_id)
    rows = session.execute(
        select(Conversation.first_seen_at, Conversation.topic, Conversation.handed_over, handed_over).where(
            *in_period
        )
    ).all()
    topics = Counter(row.topic if row.topic in TOPICS else None for row in rows)
    per_topic = [(topic_label(topic), topics.get(topic, 0)) for topic in TOPICS]
    if topics.get(None):
        per_topic.append(("onbekend", topics[None]))

    def stamps(column: InstrumentedAttribute[datetime]) -> list[datetime]:
        return list(session.scalars(select(column).where(column >= start, column < end)))

    return Figures(
        days=day_list,
        conversations_per_day=_per_day([row.first_seen_at for row in rows], day_list, tz),
        conversations_per_topic=per_topic,
        conversations=len(rows),
        settled_without_person=sum(1 for row in rows if not row[2] and not row[3]),
        handovers_per_day=_per_day(stamps(Handover.created_at), day_list, tz),
        bookings_per_day=_per_day(stamps(Booking.created_at), day_list, tz),
        callbacks_per_day=_per_day(stamps(CallbackRequest.created_at), day_list, tz),
    )
