"""The per-client throttle on the login form (issue 20), besides the per-username lock-out.

Each test client has its own address (`TestClient(client=...)`); usernames change on every guess, so the
per-username lock-out never triggers and only the throttle can refuse.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from staff_helpers import PASSWORD, Accounts, audit_actions, csrf_of

from bot.backend.models import StaffLoginThrottle
from bot.backend.services.login_throttle import client_key

LIMIT = 6  # smaller than the default (20) to keep the tests quick; the window keeps its default


@pytest.fixture(autouse=True)
def _small_limit(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    assert app.state.settings.staff_login_client_failures == 20  # the default
    monkeypatch.setattr(app.state.settings, "staff_login_client_failures", LIMIT)


def _client(app: FastAPI, host: str) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False, client=(host, 40000))


@pytest.fixture
def attacker(app: FastAPI) -> Iterator[TestClient]:
    with _client(app, "203.0.113.7") as test_client:
        yield test_client


def _try(client: TestClient, username: str, password: str) -> tuple[int, str]:
    token = csrf_of(client.get("/staff/login").text)
    response = client.post(
        "/staff/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return response.status_code, response.text


def _fail(client: TestClient, times: int, prefix: str = "guess") -> list[int]:
    return [_try(client, f"{prefix}{i}", "not the password")[0] for i in range(times)]


def test_many_failures_from_one_client_refuse_it_whatever_the_username(
    app: FastAPI, attacker: TestClient, accounts: Accounts, session: Session
) -> None:
    assert _fail(attacker, LIMIT - 1) == [401] * (LIMIT - 1)
    status, page = _try(attacker, "guess-last", "not the password")
    assert status == 429 and "Vanaf dit apparaat of netwerk is te vaak verkeerd ingelogd" in page
    status, page = _try(attacker, "sanne", PASSWORD)  # even the right password of a real account
    assert status == 429 and "Wacht 15 minuten" in page
    assert attacker.get("/staff/overdrachten").status_code == 303  # not logged in
    token = csrf_of(attacker.get("/staff/login").text)
    refused = attacker.post(
        "/staff/login", data={"username": "bea", "password": PASSWORD, "csrf_token": token}
    )
    assert refused.status_code == 429 and refused.headers["retry-after"] == "900"
    actions = [action for _, action in audit_actions(session)]
    assert actions.count("staff.login_failed") == LIMIT and actions.count("staff.login_throttled") == 2
    with _client(app, "198.51.100.9") as colleague:  # another client is not affected
        assert _try(colleague, "sanne", PASSWORD)[0] == 303


def test_the_throttle_ends_with_its_window(
    attacker: TestClient, accounts: Accounts, session: Session
) -> None:
    _fail(attacker, LIMIT)
    assert _try(attacker, "sanne", PASSWORD)[0] == 429
    session.execute(
        update(StaffLoginThrottle).values(window_start=datetime.now(UTC) - timedelta(minutes=15, seconds=1))
    )
    session.commit()
    assert _try(attacker, "sanne", PASSWORD)[0] == 303
    session.expire_all()  # the address is personal data: gone once its window ended
    assert session.scalars(select(StaffLoginThrottle)).first() is None


def test_a_successful_login_does_not_reset_the_client_count(
    attacker: TestClient, accounts: Accounts, session: Session
) -> None:
    _fail(attacker, LIMIT - 1)
    assert _try(attacker, "bea", PASSWORD)[0] == 303  # the attacker's own account
    attacker.cookies.clear()
    assert _try(attacker, "guess-after", "not the password")[0] == 429
    row = session.scalars(select(StaffLoginThrottle).where(StaffLoginThrottle.client == "203.0.113.7")).one()
    assert row.failures == LIMIT


def test_ipv6_clients_count_per_64(app: FastAPI, accounts: Accounts) -> None:
    with _client(app, "2001:db8:1:2::1") as first, _client(app, "2001:db8:1:2:ffff::9") as second:
        _fail(first, LIMIT // 2, "a")
        _fail(second, LIMIT // 2 - 1, "b")
        assert _try(second, "b-last", "not the password")[0] == 429
    with _client(app, "2001:db8:1:3::1") as other_network:
        assert _try(other_network, "sanne", PASSWORD)[0] == 303


def test_client_keys() -> None:
    assert client_key("203.0.113.7") == "203.0.113.7"
    assert client_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_key("testclient") == client_key(None) == client_key("") == "unknown"
