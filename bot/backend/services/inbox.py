"""The staff inbox of handovers: filters and the order of urgency.

Urgency, most urgent first:
1. status: open, then in behandeling, then afgerond;
2. among open and in-behandeling handovers, topic `veiligheid` (safety at home) before other topics;
3. open and in behandeling: the oldest first (the resident has waited longest);
   afgerond: the most recently closed first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session, selectinload

from bot.backend.models import CaseStatus, Handover
from bot.backend.topics import TOPICS

_CHANNEL = re.compile(r"^[a-z][a-z0-9_\-]{0,29}$")
INBOX_LIMIT = 200


@dataclass(frozen=True)
class InboxFilter:
    status: CaseStatus | None = None
    topic: str | None = None
    channel: str | None = None

    @classmethod
    def parse(cls, status: str, topic: str, channel: str) -> tuple[InboxFilter, bool]:
        """From query strings; unknown values are dropped. Returns the filter and whether one was dropped."""
        dropped = False
        parsed_status = None
        if status:
            try:
                parsed_status = CaseStatus(status)
            except ValueError:
                dropped = True
        if topic and topic not in TOPICS:
            topic, dropped = "", True
        if channel and not _CHANNEL.match(channel):
            channel, dropped = "", True
        return cls(parsed_status, topic or None, channel or None), dropped


def list_inbox(*, session: Session, filters: InboxFilter, limit: int = INBOX_LIMIT) -> list[Handover]:
    status_rank = case(
        (Handover.status == CaseStatus.OPEN, 0), (Handover.status == CaseStatus.IN_PROGRESS, 1), else_=2
    )
    safety_rank = case((and_(Handover.topic == "veiligheid", Handover.status != CaseStatus.DONE), 0), else_=1)
    waiting_since = case((Handover.status != CaseStatus.DONE, Handover.created_at), else_=None)
    query = (
        select(Handover)
        .options(selectinload(Handover.assignee))
        .order_by(status_rank, safety_rank, waiting_since.asc(), Handover.closed_at.desc(), Handover.id)
        .limit(limit)
    )
    if filters.status is not None:
        query = query.where(Handover.status == filters.status)
    if filters.topic is not None:
        query = query.where(Handover.topic == filters.topic)
    if filters.channel is not None:
        query = query.where(Handover.channel == filters.channel)
    return list(session.scalars(query))


def known_channels(*, session: Session) -> list[str]:
    return sorted(session.scalars(select(Handover.channel).distinct()))
