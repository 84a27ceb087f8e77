"""Scheduled messages (issue 24) on SQLite and PostgreSQL: planning out of quiet hours, "stop berichten"
across linked conversations, and claiming: each due message is claimed by one worker only, a stale claim
(a worker that died) is claimed again, and a message is given up after the last attempt."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.backend.models import (
    ConversationLink,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
)
from bot.backend.services import scheduled_messages as sm
from bot.backend.services.quiet_hours import QuietHours
from tests.app.backend_helpers import Database

AMS = ZoneInfo("Europe/Amsterdam")
QUIET = QuietHours.parse("20:00-09:00")
TUESDAY_10 = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam


def plan(
    session: Session, conversation_id: str = "tg-1", due_at: datetime = TUESDAY_10
) -> ScheduledMessage | None:
    return sm.schedule_message(
        session,
        kind=MessageKind.CHECKIN,
        channel="telegram",
        conversation_id=conversation_id,
        due_at=due_at,
        tz=AMS,
        quiet_hours=QUIET,
        topic="schulden",
    )


def test_a_message_planned_at_night_is_due_the_next_morning(session: Session) -> None:
    message = plan(session, due_at=datetime(2026, 12, 8, 22, 0, tzinfo=UTC))  # 23:00 local
    assert message is not None and message.status == MessageStatus.PENDING
    assert message.due_at.astimezone(AMS) == datetime(2026, 12, 9, 9, 0, tzinfo=AMS)


def test_stop_berichten_cancels_what_was_planned_on_linked_conversations_and_plans_nothing_more(
    session: Session,
) -> None:
    session.add_all(
        [
            ConversationLink(conversation_id="web-1", channel="socketio", resident_key="r1"),
            ConversationLink(conversation_id="tg-1", channel="telegram", resident_key="r1"),
        ]
    )
    kept = plan(session, conversation_id="someone-else")
    planned = plan(session, conversation_id="tg-1")
    assert kept is not None and planned is not None
    assert sm.opt_out(session, "web-1") == 1  # said on the web, the Telegram check-in stops too
    session.refresh(planned)
    session.refresh(kept)
    assert (planned.status, kept.status) == (MessageStatus.CANCELLED, MessageStatus.PENDING)
    assert plan(session, conversation_id="tg-1") is None
    assert sm.is_opted_out(session, "tg-1") and not sm.is_opted_out(session, "someone-else")
    assert sm.opt_out(session, "web-1") == 0  # saying it twice is fine


def test_only_due_messages_are_claimed_and_each_once(session: Session) -> None:
    due = [plan(session, conversation_id=f"tg-{n}") for n in range(3)]
    later = plan(session, conversation_id="tg-later", due_at=TUESDAY_10 + timedelta(days=1))
    assert later is not None
    claim = dict(claim_minutes=10, max_attempts=3)
    first = sm.claim_due(session, TUESDAY_10, **claim)
    assert sorted(first) == sorted(m.id for m in due if m is not None)
    assert sm.claim_due(session, TUESDAY_10, **claim) == []  # a second worker gets nothing
    assert sm.claim_due(session, TUESDAY_10 + timedelta(minutes=11), **claim) == sorted(first)  # stale: again
    sm.mark_sent(session, first[0], TUESDAY_10)
    assert later.id in sm.claim_due(session, TUESDAY_10 + timedelta(days=1), **claim)


def test_a_failing_message_is_retried_and_given_up_after_the_last_attempt(session: Session) -> None:
    message = plan(session)
    assert message is not None
    now = TUESDAY_10
    for attempt in (1, 2):
        assert sm.claim_due(session, now, claim_minutes=10, max_attempts=3) == [message.id]
        status = sm.release_for_retry(
            session, message.id, retry_at=now + timedelta(minutes=5), max_attempts=3
        )
        assert status == MessageStatus.PENDING, attempt
        now += timedelta(minutes=5)
    assert sm.claim_due(session, now, claim_minutes=10, max_attempts=3) == [message.id]
    assert sm.release_for_retry(session, message.id, retry_at=now, max_attempts=3) == MessageStatus.FAILED
    assert sm.claim_due(session, now + timedelta(hours=1), claim_minutes=10, max_attempts=3) == []


def test_workers_claiming_at_the_same_time_never_share_a_message(fresh_database: Database) -> None:
    """Eight threads, each its own connection, claim 60 due messages at once: every message once."""
    factory = sessionmaker(bind=fresh_database.engine, expire_on_commit=False)
    with factory.begin() as session:
        ids = {m.id for m in (plan(session, conversation_id=f"c-{n}") for n in range(60)) if m is not None}
    results: list[list[int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker() -> None:
        try:
            start.wait()
            mine: list[int] = []
            for _ in range(5):
                with factory.begin() as session:
                    mine += sm.claim_due(session, TUESDAY_10, claim_minutes=10, max_attempts=3, limit=20)
            results.append(mine)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    claimed = [message_id for mine in results for message_id in mine]
    assert sorted(claimed) == sorted(ids)  # all of them, none twice
    with factory() as session:
        statuses = set(session.scalars(select(ScheduledMessage.status)))
    assert statuses == {MessageStatus.CLAIMED}
