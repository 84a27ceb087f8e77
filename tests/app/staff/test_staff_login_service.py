"""Logging in and out at the service level (services/staff_login.py), on SQLite and on PostgreSQL; the
pages around it are tested in test_staff_auth.py and test_login_throttle.py."""

from __future__ import annotations

from sqlalchemy.orm import Session
from staff_helpers import PASSWORD, Accounts, audit_actions

from bot.backend.services import staff_sessions
from bot.backend.services.staff_login import LoginOutcome, attempt_login, log_out
from bot.backend.settings import BackendSettings


def _attempt(
    session: Session, settings: BackendSettings, username: str, password: str, token: str
) -> LoginOutcome:
    outcome = attempt_login(session=session, username=username, password=password, client_host="203.0.113.7",
                            token=token, settings=settings)  # fmt: skip
    session.commit()
    return outcome


def test_a_login_starts_a_session_for_the_callers_token_and_logout_ends_it(
    session: Session, settings: BackendSettings, accounts: Accounts
) -> None:
    assert _attempt(session, settings, "Sanne", PASSWORD, "token-1") is LoginOutcome.OK
    user = staff_sessions.active_user(session=session, token="token-1")
    assert user is not None and user.id == accounts.staff_id
    log_out(session=session, token="token-1", user_id=user.id, actor="staff:sanne")
    session.commit()
    assert staff_sessions.active_user(session=session, token="token-1") is None
    assert audit_actions(session)[-2:] == [("staff:sanne", "staff.login"), ("staff:sanne", "staff.logout")]


def test_failures_lock_the_username_then_even_the_right_password_starts_no_session(
    session: Session, settings: BackendSettings, accounts: Accounts
) -> None:
    outcomes = [_attempt(session, settings, "sanne", f"wrong {i}", "token-2") for i in range(5)]
    assert outcomes == [LoginOutcome.WRONG] * 4 + [LoginOutcome.LOCKED]
    assert _attempt(session, settings, "sanne", PASSWORD, "token-2") is LoginOutcome.LOCKED
    assert staff_sessions.active_user(session=session, token="token-2") is None
    actions = [action for _, action in audit_actions(session)]
    assert actions.count("staff.login_failed") == 5 and actions[-1] == "staff.login_locked"


def test_a_throttled_client_is_refused_whatever_the_username(
    session: Session, settings: BackendSettings, accounts: Accounts
) -> None:
    limit = settings.staff_login_client_failures
    for i in range(limit):
        _attempt(session, settings, f"guess-{i}", "wrong", "token-3")
    assert _attempt(session, settings, "bea", PASSWORD, "token-3") is LoginOutcome.THROTTLED
    assert staff_sessions.active_user(session=session, token="token-3") is None
    assert audit_actions(session)[-1] == ("login", "staff.login_throttled")
