"""`PUT /api/conversations/{id}`: the bot's conversation reports for the dashboard."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bot.backend.services.handovers import create_handover
from tests.app.backend_helpers import AUTH


def test_put_creates_then_updates_and_keeps_the_last_topic(client: TestClient, session: Session) -> None:
    first = client.put("/api/conversations/abc-123", json={"channel": "website", "topic": None}, headers=AUTH)
    assert first.status_code == 200
    body = first.json()
    assert body["conversation_id"] == "abc-123" and body["channel"] == "website" and body["topic"] is None
    assert body["handed_over"] is False
    second = client.put(
        "/api/conversations/abc-123", json={"channel": "website", "topic": "schulden"}, headers=AUTH
    )
    third = client.put("/api/conversations/abc-123", json={"channel": "website", "topic": None}, headers=AUTH)
    assert second.json()["topic"] == "schulden" and third.json()["topic"] == "schulden"
    assert third.json()["first_seen_at"] == body["first_seen_at"]
    assert third.json()["last_seen_at"] >= body["last_seen_at"]
    create_handover(session=session, conversation_id="abc-123", channel="website", reason="mens")
    session.commit()
    assert client.put("/api/conversations/abc-123", json={"channel": "website"}, headers=AUTH).json()[
        "handed_over"
    ]


def test_a_misunderstanding_once_reported_stays(client: TestClient) -> None:
    """The fallback sends `misunderstood: true`; later reports without it (or out of order) keep it."""
    first = client.put("/api/conversations/nb-1", json={"channel": "socketio"}, headers=AUTH)
    assert first.json()["misunderstood"] is False
    for body in (
        {"channel": "socketio", "topic": None, "misunderstood": True},
        {"channel": "socketio", "topic": None, "misunderstood": False},
        {"channel": "socketio", "topic": "schulden"},
    ):
        response = client.put("/api/conversations/nb-1", json=body, headers=AUTH)
        assert response.status_code == 200 and response.json()["misunderstood"] is True
    assert response.json()["topic"] == "schulden"
    fresh = {"channel": "rest", "misunderstood": True}
    assert client.put("/api/conversations/nb-2", json=fresh, headers=AUTH).json()["misunderstood"] is True


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/conversations/abc", {"channel": "Website!", "topic": None}),
        ("/api/conversations/abc", {"channel": "website", "topic": "<script>"}),
        ("/api/conversations/abc", {"channel": "website", "topic": "onbekend"}),
        ("/api/conversations/abc", {"channel": 5}),
        ("/api/conversations/abc", {"channel": "website", "extra": 1}),
        ("/api/conversations/abc", {"channel": "website", "misunderstood": "misschien"}),
        ("/api/conversations/abc", {"channel": "website", "misunderstood": None}),
        ("/api/conversations/abc", {"topic": "schulden"}),
        ("/api/conversations/abc", {"channel": "x" * 50_000}),
        ("/api/conversations/a%20b'%3B%20DROP%20TABLE%20conversations", {"channel": "website"}),
        ("/api/conversations/" + "a" * 201, {"channel": "website"}),
        ("/api/conversations/abc", ["not", "an", "object"]),
    ],
)
def test_hostile_input_gets_a_4xx_and_writes_nothing(
    client: TestClient, row_counts, path: str, body: object
) -> None:
    before = row_counts()
    response = client.put(path, json=body, headers=AUTH)
    assert 400 <= response.status_code < 500 and "error" in response.json()
    assert row_counts() == before


def test_malformed_json_and_no_token_are_refused(client: TestClient, row_counts) -> None:
    before = row_counts()
    assert client.put(
        "/api/conversations/abc", content=b"{nope", headers={**AUTH, "content-type": "application/json"}
    ).status_code in (400, 422)
    assert client.put("/api/conversations/abc", json={"channel": "website"}).status_code == 401
    assert row_counts() == before
