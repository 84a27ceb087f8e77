"""Staff sessions live on the server (issue 20, item 6): a cookie copied before logout, a password reset or
switching the account off opens nothing afterwards; the cookie holds only a random token; sessions expire.

The replays send the copied cookie as a raw `Cookie` header from another client, as an attacker would.
One test does this over a real uvicorn server with httpx; the others use the ASGI test client.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from staff_helpers import PASSWORD, Accounts, csrf_of, login

from bot.backend.app import create_app
from bot.backend.db import make_session_factory
from bot.backend.models import StaffRole, StaffSessionRecord
from bot.backend.services.staff import create_staff_user
from tests.app.backend_helpers import (
    Database,
    make_settings,
    running_app,
)
from tests.ports import free_port

COOKIE = "voordeur_staff"
LIVE_SECRET = "live-staff-session-secret-0123456789abcdef"


def _saved_cookie(client: TestClient) -> str:
    value = client.cookies.get(COOKIE)
    assert value
    return value


def _opens_pages(client: TestClient, cookie: str) -> bool:
    """Does this cookie, sent by another browser, open a staff page?"""
    client.cookies.clear()
    response = client.get("/staff/overdrachten", headers={"Cookie": f"{COOKIE}={cookie}"})
    assert response.status_code in (200, 303)
    return response.status_code == 200


def _posts_with(client: TestClient, cookie: str, csrf: str) -> int:
    client.cookies.clear()
    response = client.post(
        "/staff/overdrachten/1/notitie",
        data={"csrf_token": csrf, "tekst": "x"},
        headers={"Cookie": f"{COOKIE}={cookie}"},
    )
    return response.status_code


def test_a_cookie_saved_before_logout_no_longer_opens_staff_pages(
    client: TestClient, other_client: TestClient, accounts: Accounts, session: Session
) -> None:
    csrf = login(client, "sanne")
    saved = _saved_cookie(client)
    assert _opens_pages(other_client, saved)  # the copy works while the session lives
    assert client.post("/staff/logout", data={"csrf_token": csrf}).status_code == 303
    assert not _opens_pages(other_client, saved)
    assert _posts_with(other_client, saved, csrf) == 401
    record = session.scalars(select(StaffSessionRecord)).one()
    assert record.revoked_at is not None


def test_logout_ends_only_that_session(
    client: TestClient, other_client: TestClient, app, accounts: Accounts
) -> None:
    csrf = login(client, "sanne")
    login(other_client, "sanne")  # a second device
    other_cookie = _saved_cookie(other_client)
    client.post("/staff/logout", data={"csrf_token": csrf})
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as third:
        assert _opens_pages(third, other_cookie)


@pytest.mark.parametrize("change", ["wachtwoord", "actief"])
def test_a_saved_cookie_stops_working_after_password_reset_or_deactivation(
    client: TestClient, other_client: TestClient, app, accounts: Accounts, change: str
) -> None:
    login(client, "sanne")
    saved = _saved_cookie(client)
    admin_csrf = login(other_client, "bea")
    form = {"password": "a whole new password"} if change == "wachtwoord" else {"active": "nee"}
    response = other_client.post(
        f"/staff/beheer/medewerkers/{accounts.staff_id}/{change}", data={**form, "csrf_token": admin_csrf}
    )
    assert response.status_code == 303
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as attacker:
        assert not _opens_pages(attacker, saved)
    assert client.get("/staff/overdrachten").status_code == 303
    if change == "actief":  # switched on again: the old session stays ended
        other_client.post(
            f"/staff/beheer/medewerkers/{accounts.staff_id}/actief",
            data={"active": "ja", "csrf_token": admin_csrf},
        )
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as attacker:
            assert not _opens_pages(attacker, saved)


def test_the_cookie_holds_only_a_random_token_and_the_database_only_its_hash(
    client: TestClient, app, accounts: Accounts, session: Session
) -> None:
    serializer = URLSafeTimedSerializer(
        app.state.settings.staff_session_secret, salt="voordeur-staff-session"
    )
    assert client.get("/staff/login").status_code == 200
    before = _saved_cookie(client)
    login(client, "sanne")
    after = _saved_cookie(client)
    payload = serializer.loads(after)
    assert set(payload) == {"s"} and len(payload["s"]) >= 40
    record = session.scalars(select(StaffSessionRecord)).one()
    assert record.token_hash == hashlib.sha256(payload["s"].encode()).hexdigest()
    assert payload["s"] not in record.token_hash
    old_token = serializer.loads(before)["s"]
    assert old_token != payload["s"]  # a login never keeps the token from before (session fixation)


def test_a_cookie_from_before_login_does_not_become_a_session(
    client: TestClient, other_client: TestClient, accounts: Accounts
) -> None:
    client.get("/staff/login")
    planted = _saved_cookie(client)  # an attacker plants this cookie, the victim logs in with it
    login(client, "sanne")
    assert not _opens_pages(other_client, planted)


def test_a_session_ends_when_it_expires(client: TestClient, accounts: Accounts, session: Session) -> None:
    login(client, "sanne")
    assert client.get("/staff/overdrachten").status_code == 200
    session.execute(update(StaffSessionRecord).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    session.commit()
    assert client.get("/staff/overdrachten").status_code == 303
    record = session.scalars(select(StaffSessionRecord)).one()
    assert record.expires_at - record.created_at <= timedelta(minutes=480)


def test_a_login_lasts_staff_session_minutes(
    client: TestClient, accounts: Accounts, session: Session
) -> None:
    login(client, "sanne")
    record = session.scalars(select(StaffSessionRecord)).one()
    assert record.expires_at - record.created_at == timedelta(minutes=480)
    assert "max-age=28800" in client.get("/staff/login").headers.get("set-cookie", "max-age=28800").lower()


# --- over a real uvicorn server and httpx, on a database of its own (committed data) -------------------


@pytest.fixture
def live_server(fresh_database: Database, tmp_path: Path, closed_rasa_url: str) -> Iterator[str]:
    settings = make_settings(
        tmp_path, fresh_database.url, staff_session_secret=LIVE_SECRET, rasa_url=closed_rasa_url
    )
    factory: sessionmaker[Session] = make_session_factory(fresh_database.engine)
    with factory.begin() as db:
        create_staff_user(session=db, username="sanne", display_name="Sanne", password=PASSWORD,
                          role=StaffRole.STAFF)  # fmt: skip
    with running_app(create_app(settings, session_factory=factory), free_port()) as base_url:
        yield base_url


def _cookie_from(response: httpx.Response) -> str:
    header = response.headers["set-cookie"]
    assert header.startswith(f"{COOKIE}=")
    return header.split(";", 1)[0].split("=", 1)[1]


def test_over_http_a_cookie_copied_before_logout_is_refused_afterwards(live_server: str) -> None:
    with httpx.Client(base_url=live_server, follow_redirects=False, timeout=30) as http:
        page = http.get("/staff/login")
        anonymous = _cookie_from(page)
        form = {"username": "sanne", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        response = http.post("/staff/login", data=form, headers={"Cookie": f"{COOKIE}={anonymous}"})
        assert response.status_code == 303
        copied = _cookie_from(response)
        as_copy = {"Cookie": f"{COOKIE}={copied}"}
        inbox = http.get("/staff/overdrachten", headers=as_copy)
        assert inbox.status_code == 200
        out = http.post("/staff/logout", data={"csrf_token": csrf_of(inbox.text)}, headers=as_copy)
        assert out.status_code == 303
        again = http.get("/staff/overdrachten", headers=as_copy)
        assert again.status_code == 303 and again.headers["location"].startswith("/staff/login")
        post = http.post("/staff/logout", data={"csrf_token": csrf_of(inbox.text)}, headers=as_copy)
        assert post.status_code == 401
