"""The staff inbox of handovers: filters and the order of urgency.

Urgency, most urgent first:
1. status: open, then in behandeling, then afgerond;
2. among open and in-behandeling handovers, topic `veiligheid` (safety at home) before other topics;
3. open and in behandeling: the oldest first (the resident has waited longest);
   afgerond: the most recently closed first.

The list is shown a page at a time (`PAGE_SIZE`), with the true number of matches and the true number per
status, so that no handover drops silently off a full list (issue 21). A search finds text in the
summary (the resident's first question, first name and booking code), the reason, the contact request and
the conversation id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.backend.models import CaseStatus, Handover
from bot.backend.services.paging import PAGE_SIZE, Page
from bot.shared.topics import TOPICS

_CHANNEL = re.compile(r"^[a-z][a-z0-9_\-]{0,29}$")
SEARCH_MAX = 100
PREVIEW_MAX = 90
#: The summary's header above the resident's own words (actions/handover.py, `conversation_summary`).
_RESIDENT_WROTE = "De bewoner schreef"


@dataclass(frozen=True)
class InboxFilter:
    status: CaseStatus | None = None
    topic: str | None = None
    channel: str | None = None
    search: str | None = None
    #: The municipalities (ids) whose handovers are listed (the staff member's); None: all.
    scope: frozenset[int] | None = None

    @classmethod
    def parse(cls, status: str, topic: str, channel: str, search: str = "") -> tuple[InboxFilter, bool]:
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
        search = " ".join(search.split())[:SEARCH_MAX]
        return cls(parsed_status, topic or None, channel or None, search or None), dropped

    def without_status(self) -> InboxFilter:
        return replace(self, status=None)

    def within(self, scope: frozenset[int] | None) -> InboxFilter:
        return replace(self, scope=scope)

    def apply(self, query: Select) -> Select:  # type: ignore[type-arg]
        if self.scope is not None:
            query = query.where(Handover.municipality_id.in_(self.scope))
        if self.status is not None:
            query = query.where(Handover.status == self.status)
        if self.topic is not None:
            query = query.where(Handover.topic == self.topic)
        if self.channel is not None:
            query = query.where(Handover.channel == self.channel)
        if self.search is not None:
            pattern = "%" + self.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                or_(
                    *(
                        column.ilike(pattern, escape="\\")
                        for column in (
                            Handover.summary,
                            Handover.reason,
                            Handover.contact_request,
                            Handover.conversation_id,
                        )
                    )
                )
            )
        return query


def inbox_page(
    *,
    session: Session,
    filters: InboxFilter,
    page: int = 1,
    size: int = PAGE_SIZE,
    counts: dict[CaseStatus, int] | None = None,
) -> Page[Handover]:
    """One page of the inbox in the order of urgency, with the true number of matches.

    The order starts with the status, so the page is cut from the statuses' own lists, each in its own
    order (`status_counts` says where each begins): the open and in-behandeling handovers are a few
    thousand at most, and the afgerond ones are read newest-closed first along an index. Ordering all
    100,000 rows by the CASE expressions of `inbox_query` to reach page 1,000 cost half a second
    (docs/staff-volume-benchmark.md). `counts` are `status_counts` for these filters, when the caller
    has them already. The result is the same as paging `inbox_query`.
    """
    counts = counts if counts is not None else status_counts(session=session, filters=filters)
    statuses = [filters.status] if filters.status is not None else list(_STATUS_ORDER)
    total = sum(counts[status] for status in statuses)
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    start, wanted, ids = (page - 1) * size, size, []
    for status in statuses:
        if wanted == 0:
            break
        if start >= counts[status]:
            start -= counts[status]
            continue
        segment = _segment_query(filters, status).offset(start).limit(wanted)
        found = list(session.scalars(segment))
        ids += found
        wanted -= len(found)
        start = 0
    loaded = session.scalars(
        select(Handover).options(selectinload(Handover.assignee)).where(Handover.id.in_(ids))
    )
    by_id = {handover.id: handover for handover in loaded} if ids else {}
    items = [by_id[number] for number in ids if number in by_id]
    first = (page - 1) * size + 1 if items else 0
    return Page(items, total, page, pages, first, first + len(items) - 1 if items else 0)


#: The statuses in the inbox's order (the first key of `inbox_query`).
_STATUS_ORDER = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.DONE)


def _segment_query(filters: InboxFilter, status: CaseStatus) -> Select[int]:
    """The ids of one status's handovers in the order `inbox_query` gives them within that status."""
    query = replace(filters, status=status).apply(select(Handover.id))
    if status is CaseStatus.DONE:  # no safety rank, no waiting time: the most recently closed first
        return query.order_by(Handover.closed_at.desc(), Handover.id)
    safety_first = case((Handover.topic == "veiligheid", 0), else_=1)
    return query.order_by(safety_first, Handover.created_at, Handover.closed_at.desc(), Handover.id)


def status_counts(*, session: Session, filters: InboxFilter) -> dict[CaseStatus, int]:
    """How many handovers of each status match the other filters (all of them, not a page)."""
    query = (
        filters.without_status()
        .apply(select(Handover.status, func.count(Handover.id)))
        .group_by(Handover.status)
    )
    found = dict(session.execute(query).tuples().all())
    return {status: found.get(status, 0) for status in CaseStatus}


def inbox_query(filters: InboxFilter) -> Select[Handover]:
    """The handovers that match, most urgent first (the module's docstring)."""
    status_rank = case(
        (Handover.status == CaseStatus.OPEN, 0), (Handover.status == CaseStatus.IN_PROGRESS, 1), else_=2
    )
    safety_rank = case((and_(Handover.topic == "veiligheid", Handover.status != CaseStatus.DONE), 0), else_=1)
    waiting_since = case((Handover.status != CaseStatus.DONE, Handover.created_at), else_=None)
    query = (
        select(Handover)
        .options(selectinload(Handover.assignee))
        .order_by(status_rank, safety_rank, waiting_since.asc(), Handover.closed_at.desc(), Handover.id)
    )
    return filters.apply(query)


def known_channels(*, session: Session, scope: frozenset[int] | None = None) -> list[str]:
    query = select(Handover.channel).distinct()
    if scope is not None:
        query = query.where(Handover.municipality_id.in_(scope))
    return sorted(session.scalars(query))


def question_preview(summary: str) -> str:
    """The resident's first own line in a handover summary, shortened at a word; else its first line."""
    lines = [line.strip() for line in (summary or "").splitlines() if line.strip()]
    after_header = False
    first = lines[0] if lines else ""
    for line in lines:
        if line.startswith(_RESIDENT_WROTE):
            after_header = True
        elif after_header and line.startswith("- "):
            first = line[2:]
            break
    if len(first) <= PREVIEW_MAX:
        return first
    return first[:PREVIEW_MAX].rsplit(" ", 1)[0] + " …"


def waiting_label(since: datetime, now: datetime | None = None) -> str:
    """How long a resident has waited, in Dutch: "12 min", "3 uur", "2 dagen"."""
    now = now or datetime.now(UTC)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} uur"
    return f"{minutes // (24 * 60)} dagen"
