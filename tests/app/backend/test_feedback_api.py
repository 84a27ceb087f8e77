"""Feedback on answers and missed messages through the API the action server uses (issue 23), on SQLite
and PostgreSQL: shown answers counted, "Ja"/"Nee" on the latest showing, remarks masked and cut, missed
messages masked, the service token required, the staff role redacteur allowed by the database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import AnswerFeedback, MissedMessage, StaffRole
from bot.backend.services import feedback
from bot.backend.services.staff import create_staff_user
from tests.app.backend_helpers import AUTH, Factory

SHOWN = {
    "conversation_id": "abc123",
    "answer_id": "schulden_aanmaning",
    "channel": "rest",
    "content_version": "0123456789ab",
}


def post(client: TestClient, path: str, body: dict[str, object], status: int = 200) -> dict:
    response = client.post(path, json=body, headers=AUTH)
    assert response.status_code == status, response.text
    return response.json()


def rows(session: Session) -> list[AnswerFeedback]:
    session.expire_all()
    return list(session.scalars(select(AnswerFeedback).order_by(AnswerFeedback.id)))


def test_a_verdict_and_a_remark_land_on_the_latest_showing(
    client: TestClient, session: Session, make: Factory
) -> None:
    make.municipality("heideveen", "Heideveen")
    first = post(client, "/api/feedback/shown", SHOWN, 201)
    second = post(client, "/api/feedback/shown", {**SHOWN, "municipality": "heideveen"}, 201)
    assert first["municipality"] == "voorbeeldstad" and second["municipality"] == "heideveen"
    verdict = post(client, "/api/feedback", {**SHOWN, "helped": False})
    assert verdict["id"] == second["id"] and verdict["helped"] is False
    remark = "Mijn BSN 111222333 en 06-12345678: " + "te weinig over de kosten " * 30
    assert post(client, "/api/feedback/remark", {"conversation_id": "abc123", "text": remark}) == {
        "remark_stored": True
    }
    kept = rows(session)
    assert [row.helped for row in kept] == [None, False]
    stored = kept[1].remark or ""
    assert "111222333" not in stored and "12345678" not in stored and "[BSN verwijderd]" in stored
    assert len(stored) <= feedback.REMARK_MAX
    assert kept[1].conversation_key == feedback.conversation_key("abc123") != "abc123"
    assert kept[1].content_version == "0123456789ab" and kept[1].channel == "rest"


def test_a_remark_without_a_nee_is_not_kept_and_a_verdict_without_a_showing_makes_one(
    client: TestClient, session: Session
) -> None:
    post(client, "/api/feedback/shown", SHOWN, 201)
    assert post(client, "/api/feedback/remark", {"conversation_id": "abc123", "text": "x"}) == {
        "remark_stored": False
    }
    post(client, "/api/feedback", {**SHOWN, "answer_id": "plan:sch_post_openen", "helped": True})
    assert [(row.answer_id, row.helped) for row in rows(session)] == [
        ("schulden_aanmaning", None),
        ("plan:sch_post_openen", True),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {**SHOWN, "municipality": "nergensdorp"},
        {**SHOWN, "answer_id": "Robert'); DROP TABLE--"},
        {**SHOWN, "content_version": "x" * 41},
        {**SHOWN, "extra": 1},
    ],
)
def test_bad_reports_are_refused(client: TestClient, session: Session, body: dict[str, object]) -> None:
    response = client.post("/api/feedback/shown", json=body, headers=AUTH)
    assert response.status_code == 422
    assert rows(session) == []


@pytest.mark.parametrize(
    "path", ["/api/feedback/shown", "/api/feedback", "/api/feedback/remark", "/api/missed-messages"]
)
def test_the_service_token_is_required(client: TestClient, path: str) -> None:
    assert client.post(path, json={}).status_code == 401
    assert client.post(path, json={}, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_a_missed_message_is_masked_and_a_payload_is_not_kept(client: TestClient, session: Session) -> None:
    body = {
        "text": "mijn iban NL91ABNA0417164300 klopt niet, mail a@b.nl",
        "kind": "fallback",
        "channel": "rest",
        "guesses": ["schulden_aanmaning", "out_of_scope"],
    }
    kept = post(client, "/api/missed-messages", body, 201)
    assert post(client, "/api/missed-messages", {**body, "text": "/feedback_yes"}, 201) == {"id": None}
    session.expire_all()
    message = session.get(MissedMessage, kept["id"])
    assert message is not None and "NL91" not in message.text and "a@b.nl" not in message.text
    assert message.guesses == ["schulden_aanmaning", "out_of_scope"]
    assert message.municipality.slug == "voorbeeldstad"
    bad_kind = client.post("/api/missed-messages", json={**body, "kind": "anders"}, headers=AUTH)
    assert bad_kind.status_code == 422


def test_the_database_takes_the_role_redacteur(session: Session) -> None:
    user = create_staff_user(
        session=session,
        username="rita",
        display_name="Rita",
        password="correct horse battery",
        role=StaffRole.EDITOR,
    )
    session.commit()
    session.expire_all()
    assert session.get(type(user), user.id).role is StaffRole.EDITOR  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/feedback", {**SHOWN, "helped": True, "municipality": "AAA"}),
        ("/api/feedback/remark", {"conversation_id": "abc123", "answer_id": "AAA", "text": ""}),
        (
            "/api/missed-messages",
            {"text": "", "kind": "fallback", "channel": "rest", "municipality": "nergens"},
        ),
    ],
)
def test_an_unknown_municipality_or_answer_id_is_refused_also_where_nothing_would_be_written(
    client: TestClient, session: Session, path: str, body: dict[str, object]
) -> None:
    post(client, "/api/feedback/shown", SHOWN, 201)
    response = client.post(path, json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    assert [row.helped for row in rows(session)] == [None]
