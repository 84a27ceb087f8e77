"""Working days and callback due dates (weekends and closures for every location are skipped)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from bot.backend.services.callbacks import callback_due_date
from bot.backend.services.workdays import add_working_days
from tests.app.backend_helpers import Database, Factory, make_settings

MONDAY = date(2026, 12, 21)  # Christmas week: Friday 25 and Saturday 26 December


def test_add_working_days_skips_weekends(session: Session) -> None:
    assert add_working_days(session=session, start=MONDAY, days=0) == MONDAY
    assert add_working_days(session=session, start=MONDAY, days=3) == date(2026, 12, 24)
    assert add_working_days(session=session, start=date(2026, 12, 18), days=1) == MONDAY  # Friday -> Monday
    saturday = date(2026, 12, 19)
    assert add_working_days(session=session, start=saturday, days=0) == MONDAY
    assert add_working_days(session=session, start=saturday, days=1) == MONDAY


def test_general_closures_are_not_working_days(session: Session, make: Factory) -> None:
    make.closure(date(2026, 12, 25), None, "Eerste Kerstdag")
    location = make.location("Alleen hier dicht (test)")
    make.closure(date(2026, 12, 28), location, "Studiedag")  # one location only: still a working day
    assert add_working_days(session=session, start=date(2026, 12, 24), days=1) == date(2026, 12, 28)
    assert add_working_days(session=session, start=date(2026, 12, 24), days=2) == date(2026, 12, 29)


def test_callback_due_dates(session: Session, database: Database, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database.url, callback_working_days=3, callback_urgent_working_days=1)
    normal = callback_due_date(session=session, today=MONDAY, urgent=False, settings=settings)
    urgent = callback_due_date(session=session, today=MONDAY, urgent=True, settings=settings)
    assert normal == date(2026, 12, 24)
    assert urgent == date(2026, 12, 22)
    # The eviction is tomorrow: call today.
    soon = callback_due_date(
        session=session, today=MONDAY, urgent=True, threat_date=date(2026, 12, 22), settings=settings
    )
    assert soon == MONDAY


def test_urgent_term_may_not_exceed_the_legal_three_days(tmp_path: Path) -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        make_settings(tmp_path, "sqlite://", callback_urgent_working_days=4, callback_working_days=5)
    with pytest.raises(ValidationError):
        make_settings(tmp_path, "sqlite://", callback_urgent_working_days=3, callback_working_days=2)
