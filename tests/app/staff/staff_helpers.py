"""Helpers of the staff-page tests: log in through the form, read the CSRF token, read the audit log."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import AuditEntry

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Accounts:
    staff_id: int
    admin_id: int


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (from the next page)."""
    token = csrf_of(client.get("/staff/login").text)
    form = {"username": username, "password": password, "csrf_token": token}
    response = client.post("/staff/login", data=form)
    assert response.status_code == 303, response.text
    page = client.get("/staff/overdrachten")
    assert page.status_code == 200
    return csrf_of(page.text)


def audit_actions(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
