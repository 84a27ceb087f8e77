"""The dashboard's figures of closed days, kept in `dashboard_days`, so that a period's cost does not grow
with the rows of its past days (issue 21; docs/staff-volume-benchmark.md, "A summary per closed day").

**Which days are kept.** A day is *closed* once it ended `SETTLE` ago in the wijkteam's time zone. Every
row the dashboard counts is stamped with the moment it is written (`first_seen_at`, `created_at`) and its
transaction commits within seconds, so no new row falls on a closed day. Today (and yesterday, in the
hour after midnight) is counted live on every view. The first view that needs a closed day without a
kept row computes it from the rows (`summaries`) and keeps it.

**How a kept day stays right.** What still changes about a closed day afterwards:
- a conversation first reported that day gets its first handover (`handed_over`, services/handovers.py),
  or a later report changes its topic or sets `misunderstood` (services/conversations.py);
- retention deletes rows of any day (services/retention.py).
Each of these writes adds a `DashboardChange` in the same transaction (`mark_changed`): the conversation's
`first_seen_at`, or None for every day (retention also deletes the kept days at once). Before the
dashboard reads kept days it takes the changes that fall on closed days and drops the kept days they fall
on; those are computed again from the rows. Changes of a day not yet closed wait until it is. The
conversations that count through a handover only (services/dashboard.py) depend on the period, so a kept
day holds just the ids of those that can count on it (a handover that day, and no report that day or
later) and the dashboard counts them live with their handovers and reports as they are now. Bookings and
callback requests are counted on the day they were made, which never changes. Anything else that changes
rows of the past (a data migration, a repair by hand) must add a change with `at` None, or empty
`dashboard_days`.

**Writes at the same time.** A change commits with the write it marks, so whoever sees the change sees the
write. The dashboard takes changes with DELETE ... RETURNING, exactly those it sees, before it computes;
a day it keeps includes every change it took, and a change it did not see stays for the next view. Views
that fill days take a lock first (PostgreSQL: an advisory lock; SQLite lets one writer through anyway),
so two of them never keep the same day twice, and a view that reads without it has seen no change waiting.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select, text
from sqlalchemy.orm import Session

from bot.backend.models import DashboardChange, DashboardDay

#: A day is kept once it ended this long ago: longer than any write takes from its timestamp to its commit,
#: and than the clocks of several backends differ.
SETTLE = timedelta(hours=1)


@dataclass(frozen=True)
class DaySummary:
    """One closed day's figures (services/dashboard.py)."""

    day: date
    #: (topic as reported, with a person, misunderstood, count) of the conversations first reported that day.
    conversations: list[tuple[str | None, bool, bool, int]]
    #: Conversations that can count on this day through a handover (see the module docstring).
    handover_only: list[str]
    bookings: int
    callbacks: int


#: Computes the summaries of days[first:last], a run of consecutive days.
Compute = Callable[[int, int], list[DaySummary]]


def mark_changed(*, session: Session, at: datetime | None) -> None:
    """Say that the dashboard's figures of the day of `at` (None: of every day) changed."""
    session.add(DashboardChange(at=at))


def closed_count(ends: Sequence[datetime], now: datetime) -> int:
    """How many of a period's days (their ends, in order) are closed at `now`: the first ones."""
    return bisect_right(ends, now - SETTLE)


def summaries(
    *,
    session: Session,
    timezone: str,
    days: Sequence[date],
    bounds: Sequence[tuple[datetime, datetime]],
    compute: Compute,
) -> list[DaySummary]:
    """The summaries of `days` (closed, consecutive, with their bounds in UTC): the kept ones, and the
    others computed and kept."""
    if not days:
        return []
    kept = _kept(session, days, timezone)
    if len(kept) == len(days) and not _changes_waiting(session, before=bounds[-1][1]):
        return [kept[day] for day in days]
    _lock(session)
    _take_changes(session, before=bounds[-1][1], timezone=timezone)
    kept = _kept(session, days, timezone)
    for first, last in _missing_runs(days, kept):
        for index, summary in enumerate(compute(first, last), start=first):
            assert summary.day == days[index]
            start, end = bounds[index]
            session.add(
                DashboardDay(
                    day=summary.day,
                    timezone=timezone,
                    starts_at=start,
                    ends_at=end,
                    conversations=[list(row) for row in summary.conversations],
                    handover_only=summary.handover_only,
                    bookings=summary.bookings,
                    callbacks=summary.callbacks,
                )
            )
            kept[summary.day] = summary
    session.flush()
    return [kept[day] for day in days]


def _kept(session: Session, days: Sequence[date], timezone: str) -> dict[date, DaySummary]:
    rows = session.execute(
        select(
            DashboardDay.day,
            DashboardDay.conversations,
            DashboardDay.handover_only,
            DashboardDay.bookings,
            DashboardDay.callbacks,
        ).where(DashboardDay.day >= days[0], DashboardDay.day <= days[-1], DashboardDay.timezone == timezone)
    )
    return {
        row.day: DaySummary(
            day=row.day,
            conversations=[(topic, bool(w), bool(m), int(n)) for topic, w, m, n in row.conversations],
            handover_only=list(row.handover_only),
            bookings=row.bookings,
            callbacks=row.callbacks,
        )
        for row in rows
    }


def _waiting(before: datetime) -> ColumnElement[bool]:
    return or_(DashboardChange.at.is_(None), DashboardChange.at < before)


def _changes_waiting(session: Session, *, before: datetime) -> bool:
    """Whether a change falls on a day that ended before `before` (later ones wait until theirs closes)."""
    return session.scalar(select(DashboardChange.id).where(_waiting(before)).limit(1)) is not None


def _lock(session: Session) -> None:
    """On PostgreSQL, one view at a time fills days, until its transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('dashboard_days', 21))"))


def _take_changes(session: Session, *, before: datetime, timezone: str) -> None:
    """Delete the waiting changes and the kept days they fall on (all, for a change of every day)."""
    taken = session.scalars(
        delete(DashboardChange)
        .where(_waiting(before))
        .returning(DashboardChange.at)
        .execution_options(synchronize_session=False)
    ).all()
    if any(at is None for at in taken):
        session.execute(delete(DashboardDay).execution_options(synchronize_session=False))
        return
    session.execute(
        delete(DashboardDay)
        .where(DashboardDay.timezone != timezone)
        .execution_options(synchronize_session=False)
    )
    if not taken:
        return
    moments = sorted(at for at in taken if at is not None)
    hit = []
    for day, start, end in session.execute(
        select(DashboardDay.day, DashboardDay.starts_at, DashboardDay.ends_at)
    ):
        index = bisect_left(moments, start)
        if index < len(moments) and moments[index] < end:
            hit.append(day)
    if hit:
        session.execute(
            delete(DashboardDay).where(DashboardDay.day.in_(hit)).execution_options(synchronize_session=False)
        )


def _missing_runs(days: Sequence[date], kept: dict[date, DaySummary]) -> list[tuple[int, int]]:
    """The runs of consecutive days without a kept row, as index ranges [first, last)."""
    runs: list[tuple[int, int]] = []
    for index, day in enumerate(days):
        if day in kept:
            continue
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs
