"""Retention: `purge` deletes what is older than its period, keeps the rest; a dry run deletes nothing.

On SQLite and PostgreSQL (the `session` and `fresh_database` fixtures are parametrised over both).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.__main__ import main
from bot.backend.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    CallbackRequest,
    CaseStatus,
    Conversation,
    Handover,
    HandoverNote,
)
from bot.backend.services.retention import RetentionPeriods, purge
from tests.app.backend_helpers import Database, Factory, count_rows, default_municipality_id, make_settings

NOW = datetime.now(UTC)
TODAY = NOW.date()
PERIODS = RetentionPeriods(conversation_days=30, booking_days=30, handover_days=90)


def populate(session: Session) -> None:
    """Old rows of every kind that must go, and rows that must stay (recent, or still open)."""
    make = Factory(session)
    location = make.location("Retentiehuis (test)")
    schedule = make.schedule(location)
    old_slot = make.slot(schedule, TODAY - timedelta(days=45))
    recent_slot = make.slot(schedule, TODAY - timedelta(days=5))
    future_slot = make.slot(schedule, TODAY + timedelta(days=5))

    def booking(slot_id: int, code: str, status: BookingStatus = BookingStatus.CONFIRMED) -> Booking:
        return Booking(code=code, slot_id=slot_id, topic="schulden", first_name="Anna", phone="+31612345678",
                       question="mijn vraag", status=status, created_at=NOW - timedelta(days=60))  # fmt: skip

    def callback(created_days_ago: int, status: CaseStatus) -> CallbackRequest:
        created = NOW - timedelta(days=created_days_ago)
        return CallbackRequest(topic="schulden", first_name="Bram", phone="+31612345678", question="bel me",
                               due_date=created.date(), status=status, created_at=created,
                               municipality_id=default_municipality_id(session))  # fmt: skip

    def handover(closed_days_ago: int | None, status: CaseStatus, conversation: str) -> Handover:
        closed = None if closed_days_ago is None else NOW - timedelta(days=closed_days_ago)
        item = Handover(conversation_id=conversation, channel="rest", reason="vraag", summary="samenvatting",
                        status=status, created_at=NOW - timedelta(days=400), updated_at=closed or NOW,
                        closed_at=closed, municipality_id=default_municipality_id(session))  # fmt: skip
        item.notes.append(HandoverNote(author="medewerker", text="notitie"))
        return item

    def conversation(conversation_id: str, last_seen_days_ago: int) -> Conversation:
        seen = NOW - timedelta(days=last_seen_days_ago)
        return Conversation(
            conversation_id=conversation_id,
            channel="rest",
            first_seen_at=seen,
            last_seen_at=seen,
            municipality_id=default_municipality_id(session),
        )

    old = [
        booking(old_slot.id, "VD-OLD1"),
        booking(old_slot.id, "VD-OLD2", BookingStatus.CANCELLED),
        callback(120, CaseStatus.DONE),
        handover(100, CaseStatus.DONE, "old-closed"),
        conversation("old-conversation", 31),
    ]
    keep = [
        booking(recent_slot.id, "VD-NEW1"),
        booking(future_slot.id, "VD-NEW2"),
        callback(120, CaseStatus.OPEN),  # old but still to be done
        callback(10, CaseStatus.DONE),  # done, but recently
        handover(None, CaseStatus.OPEN, "old-open"),  # old but still open
        handover(10, CaseStatus.DONE, "recent-closed"),
        conversation("recent-conversation", 2),
    ]
    session.add_all(old + keep)
    session.commit()


def test_purge_deletes_old_rows_and_keeps_recent_ones(session: Session) -> None:
    populate(session)
    before = count_rows(session)
    report = purge(session=session, periods=PERIODS, today=TODAY, now=NOW)
    session.commit()
    assert report.counts == {"bookings": 2, "callback requests": 1, "handover notes": 1, "handovers": 1,
                             "conversations": 1, "booking lookups": 0, "missed messages": 0,
                             "answer feedback": 0, "message opt-outs": 0, "scheduled messages": 0,
                             "link codes": 0, "conversation links": 0}  # fmt: skip
    after = count_rows(session)
    assert after["bookings"] == before["bookings"] - 2
    assert after["callback_requests"] == before["callback_requests"] - 1
    assert after["handovers"] == before["handovers"] - 1
    assert after["handover_notes"] == before["handover_notes"] - 1
    assert after["conversations"] == before["conversations"] - 1
    assert after["slots"] == before["slots"]  # no resident data: slots stay
    codes = set(session.scalars(select(Booking.code)))
    assert {"VD-NEW1", "VD-NEW2"} <= codes and not {"VD-OLD1", "VD-OLD2"} & codes
    assert set(session.scalars(select(Handover.conversation_id))) >= {"old-open", "recent-closed"}
    assert "old-closed" not in set(session.scalars(select(Handover.conversation_id)))
    assert set(session.scalars(select(Conversation.conversation_id))) >= {"recent-conversation"}
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "retention.purge")).all()
    assert entry.details["counts"]["bookings"] == 2 and entry.details["periods"]["handover_days"] == 90


def test_dry_run_deletes_nothing(session: Session) -> None:
    populate(session)
    before = count_rows(session)
    report = purge(session=session, periods=PERIODS, today=TODAY, now=NOW, dry_run=True)
    session.commit()
    assert report.counts["bookings"] == 2 and report.counts["handovers"] == 1
    assert report.summary().startswith("purge (dry run): would delete 2 bookings")
    assert count_rows(session) == before  # not even an audit entry


def test_longer_periods_keep_everything(session: Session) -> None:
    populate(session)
    before = count_rows(session)
    long = RetentionPeriods(conversation_days=3650, booking_days=3650, handover_days=3650)
    report = purge(session=session, periods=long, today=TODAY, now=NOW)
    assert set(report.counts.values()) == {0}
    after = count_rows(session)
    assert after["audit_log"] == before["audit_log"] + 1
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }


def test_purge_command_with_dry_run_and_settings(
    fresh_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(fresh_database.engine) as session:
        populate(session)
        before = count_rows(session)
    settings = make_settings(tmp_path, fresh_database.url, retention_booking_days=30,
                             retention_conversation_days=30, retention_handover_days=90)  # fmt: skip
    assert main(["purge", "--dry-run"], settings=settings) == 0
    assert "would delete 2 bookings, 1 callback requests, 1 handover notes, 1 handovers, 1 conversations" in (
        capsys.readouterr().out
    )
    with Session(fresh_database.engine) as session:
        assert count_rows(session) == before
    # A longer period from the command line keeps the bookings of 45 days ago.
    assert main(["purge", "--booking-days", "60"], settings=settings) == 0
    assert "deleted 0 bookings, 1 callback requests" in capsys.readouterr().out
    with Session(fresh_database.engine) as session:
        after = count_rows(session)
        assert after["bookings"] == before["bookings"] and after["handovers"] == before["handovers"] - 1
    assert main(["purge"], settings=settings) == 0
    assert "deleted 2 bookings, 0 callback requests" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["purge", "--booking-days", "0"], settings=settings)


def test_the_audit_entry_of_a_purge_holds_the_rasa_sides_counts(
    fresh_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, fresh_database.url)
    report = tmp_path / "rasa-purge.json"
    report.write_text('{"conversations": 2, "events": 6, "days": 30, "dry_run": false}')
    assert main(["purge", "--rasa-report", str(report)], settings=settings) == 0
    # Unreadable counts: the backend's own retention still runs, the entry leaves them out, with a warning.
    report.write_text("<geen json>")
    assert main(["purge", "--rasa-report", str(report)], settings=settings) == 0
    assert "Rasa's counts left out of the audit entry" in capsys.readouterr().err
    with Session(fresh_database.engine) as session:
        first, second = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "retention.purge").order_by(AuditEntry.id)
        ).all()
    assert first.details["rasa_tracker"] == {"conversations": 2, "events": 6, "days": 30}
    assert "rasa_tracker" not in second.details and "counts" in second.details


def test_settings_read_retention_periods_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETENTION_BOOKING_DAYS", "14")
    monkeypatch.setenv("RETENTION_HANDOVER_DAYS", "365")
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
    assert (settings.retention_booking_days, settings.retention_handover_days) == (14, 365)
    assert settings.retention_conversation_days == 30
    monkeypatch.setenv("RETENTION_BOOKING_DAYS", "0")
    with pytest.raises(ValueError):
        make_settings(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")


def test_the_period_boundary(session: Session) -> None:
    """A booking exactly `booking_days` ago stays; one day older goes."""
    make = Factory(session)
    schedule = make.schedule(make.location("Grenshuis (test)"))
    edge, past = (
        make.slot(schedule, TODAY - timedelta(days=30)),
        make.slot(schedule, TODAY - timedelta(days=31)),
    )
    session.add_all([
        Booking(code="VD-EDGE", slot_id=edge.id, topic="schulden", first_name="A", phone="+31612345678"),
        Booking(code="VD-PAST", slot_id=past.id, topic="schulden", first_name="B", phone="+31612345678"),
    ])  # fmt: skip
    session.commit()
    purge(session=session, periods=PERIODS, today=TODAY, now=NOW)
    codes = set(session.scalars(select(Booking.code)))
    assert "VD-EDGE" in codes and "VD-PAST" not in codes
