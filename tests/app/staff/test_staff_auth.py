"""Login, lock-out, logout, session cookie, CSRF, login required and roles on the staff pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from staff_helpers import PASSWORD, Accounts, audit_actions, csrf_of, login

from bot.backend.models import StaffLoginFailure, StaffUser


def _try(client: TestClient, username: str, password: str) -> int:
    token = csrf_of(client.get("/staff/login").text)
    form = {"username": username, "password": password, "csrf_token": token}
    return client.post("/staff/login", data=form).status_code


def test_login_sets_a_strict_http_only_secure_cookie_and_is_audited(
    client: TestClient, accounts: Accounts, session: Session
) -> None:
    page = client.get("/staff/login")
    assert page.status_code == 200 and '<html lang="nl">' in page.text and "Inloggen" in page.text
    cookie = page.headers["set-cookie"].lower()
    assert (
        "httponly" in cookie
        and "samesite=strict" in cookie
        and "secure" in cookie
        and "path=/staff" in cookie
    )
    assert "content-security-policy" in page.headers and page.headers["x-frame-options"] == "DENY"
    before = csrf_of(page.text)
    after = login(client, "Sanne")  # usernames are not case sensitive
    assert after != before  # the CSRF token (and session) is new after logging in
    assert ("staff:sanne", "staff.login") in audit_actions(session)
    assert session.scalars(select(StaffUser).where(StaffUser.username == "sanne")).one().last_login_at


def test_a_wrong_password_is_refused_in_dutch_and_audited(
    client: TestClient, accounts: Accounts, session: Session
) -> None:
    token = csrf_of(client.get("/staff/login").text)
    response = client.post(
        "/staff/login", data={"username": "sanne", "password": "wrong password!", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "combinatie van gebruikersnaam en wachtwoord klopt niet" in response.text
    assert ("login", "staff.login_failed") in audit_actions(session)
    assert client.get("/staff/overdrachten").status_code == 303


def test_five_failures_lock_the_username_for_fifteen_minutes(
    client: TestClient, accounts: Accounts, session: Session
) -> None:
    assert [_try(client, "sanne", f"wrong password {i}") for i in range(4)] == [401] * 4
    assert _try(client, "sanne", "wrong password 5") == 429
    assert _try(client, "sanne", PASSWORD) == 429  # even the right password, while locked
    row = session.scalars(select(StaffLoginFailure).where(StaffLoginFailure.username == "sanne")).one()
    assert row.failures == 5 and row.locked_until is not None
    assert 14 * 60 < (row.locked_until - row.last_failure_at).total_seconds() <= 15 * 60
    actions = [action for _, action in audit_actions(session)]
    assert actions.count("staff.login_failed") == 5 and "staff.login_locked" in actions
    assert _try(client, "bea", PASSWORD) == 303  # another account is not affected


def test_unknown_usernames_are_counted_too(client: TestClient, accounts: Accounts, session: Session) -> None:
    for i in range(5):
        _try(client, "nobody", f"guess {i}")
    assert (
        session.scalars(select(StaffLoginFailure).where(StaffLoginFailure.username == "nobody"))
        .one()
        .locked_until
    )


def test_success_resets_the_count(client: TestClient, accounts: Accounts, session: Session) -> None:
    for i in range(3):
        _try(client, "sanne", f"wrong {i}")
    login(client, "sanne")
    session.expire_all()
    assert (
        session.scalars(select(StaffLoginFailure).where(StaffLoginFailure.username == "sanne")).first()
        is None
    )


def test_logout_ends_the_session(client: TestClient, accounts: Accounts, session: Session) -> None:
    token = login(client, "sanne")
    response = client.post("/staff/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/login")
    assert client.get("/staff/overdrachten").status_code == 303
    assert ("staff:sanne", "staff.logout") in audit_actions(session)


def test_without_login_get_goes_to_the_login_page_and_post_is_refused(
    client: TestClient, accounts: Accounts, row_counts
) -> None:
    for path in [
        "/staff/",
        "/staff/overdrachten",
        "/staff/vandaag",
        "/staff/dashboard",
        "/staff/beheer/medewerkers",
    ]:
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/staff/login"), path
    assert (
        client.get("/staff/overdrachten/1").headers["location"]
        == "/staff/login?volgende=/staff/overdrachten/1"
    )
    before = row_counts()
    token = csrf_of(client.get("/staff/login").text)  # a valid anonymous token does not help
    for path in ["/staff/overdrachten/1/notitie", "/staff/beheer/medewerkers", "/staff/terugbellen/1/klaar"]:
        response = client.post(path, data={"csrf_token": token, "tekst": "x"})
        assert response.status_code == 401 and "niet (meer) ingelogd" in response.text, path
    assert row_counts() == before


def test_a_forged_cookie_is_not_a_session(client: TestClient, accounts: Accounts) -> None:
    client.cookies.set("voordeur_staff", "eyJ1IjoxfQ.forged.signature", domain="testserver", path="/staff")
    assert client.get("/staff/overdrachten").status_code == 303


def test_posts_without_or_with_a_wrong_csrf_token_get_a_dutch_403(
    client: TestClient, accounts: Accounts, session: Session, row_counts
) -> None:
    token = login(client, "bea")
    before = row_counts()
    form = {"username": "nieuw", "display_name": "Nieuw", "role": "medewerker", "password": PASSWORD}
    missing = client.post("/staff/beheer/medewerkers", data=form)
    wrong = client.post("/staff/beheer/medewerkers", data={**form, "csrf_token": token[:-2] + "xx"})
    for response in (missing, wrong):
        assert response.status_code == 403 and "Formulier niet geaccepteerd" in response.text
    assert row_counts() == before
    assert client.post("/staff/beheer/medewerkers", data={**form, "csrf_token": token}).status_code == 303


def test_the_login_form_needs_its_csrf_token_too(client: TestClient, accounts: Accounts) -> None:
    client.get("/staff/login")
    response = client.post("/staff/login", data={"username": "sanne", "password": PASSWORD})
    assert response.status_code == 403


def test_a_csrf_token_of_another_session_is_refused(
    client: TestClient, other_client: TestClient, accounts: Accounts
) -> None:
    login(client, "sanne")
    foreign = login(other_client, "bea")
    assert client.post("/staff/logout", data={"csrf_token": foreign}).status_code == 403


def test_a_medewerker_gets_403_on_beheerder_pages(client: TestClient, accounts: Accounts, row_counts) -> None:
    token = login(client, "sanne")
    for path in ["/staff/beheer/medewerkers", "/staff/beheer/spreekuren", "/staff/beheer/spreekuren/nieuw"]:
        response = client.get(path)
        assert response.status_code == 403 and "alleen voor beheerders" in response.text, path
    before = row_counts()
    form = {
        "username": "nieuw",
        "display_name": "N",
        "role": "beheerder",
        "password": PASSWORD,
        "csrf_token": token,
    }
    assert client.post("/staff/beheer/medewerkers", data=form).status_code == 403
    assert (
        client.post(
            f"/staff/beheer/medewerkers/{accounts.staff_id}/rol",
            data={"role": "beheerder", "csrf_token": token},
        ).status_code
        == 403
    )
    assert row_counts() == before
    assert "Medewerkers</a>" not in client.get("/staff/overdrachten").text


def test_a_deactivated_or_reset_account_loses_its_session(
    client: TestClient, other_client: TestClient, accounts: Accounts
) -> None:
    login(client, "sanne")
    admin_token = login(other_client, "bea")
    other_client.post(
        f"/staff/beheer/medewerkers/{accounts.staff_id}/wachtwoord",
        data={"password": "a whole new password", "csrf_token": admin_token},
    )
    assert client.get("/staff/overdrachten").status_code == 303
    login(client, "sanne", "a whole new password")
    other_client.post(
        f"/staff/beheer/medewerkers/{accounts.staff_id}/actief",
        data={"active": "nee", "csrf_token": admin_token},
    )
    assert client.get("/staff/overdrachten").status_code == 303
    assert _try(client, "sanne", "a whole new password") == 401


def test_the_next_page_after_login_stays_on_the_staff_pages(client: TestClient, accounts: Accounts) -> None:
    for given, expected in [
        ("/staff/vandaag", "/staff/vandaag"),
        ("https://evil.example/", "/staff/overdrachten"),
        ("//evil.example", "/staff/overdrachten"),
        ("/staff//evil", "/staff/overdrachten"),
    ]:
        client.cookies.clear()
        token = csrf_of(client.get("/staff/login").text)
        response = client.post(
            "/staff/login",
            data={"username": "sanne", "password": PASSWORD, "csrf_token": token, "volgende": given},
        )
        assert response.headers["location"] == expected
