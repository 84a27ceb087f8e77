"""Abuse limits of the public channels in the backend (issue 21, item 7): new conversations and handovers
per client per hour, at most one open handover per conversation, in memory and in Redis.

The Redis tests use the real Redis on 127.0.0.1:6379 and fail (never skip) when it is not running.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.models import CaseStatus, Handover
from bot.backend.services.abuse_limits import AbuseLimits
from bot.backend.services.errors import ServiceError
from bot.backend.services.handovers import create_handover, open_or_create_handover, update_handover
from bot.backend.services.inbox import InboxFilter, inbox_page
from tests.app.backend_helpers import AUTH, Database

REDIS_URL = "redis://127.0.0.1:6379/0"
LIMIT = 3


def client_key() -> str:
    """A fresh client key in the channels' shape (32 hex characters)."""
    return secrets.token_hex(16)


def handover_body(conversation_id: str, client: str | None) -> dict[str, object]:
    body: dict[str, object] = {
        "conversation_id": conversation_id,
        "channel": "socketio",
        "reason": "De bewoner vroeg om een medewerker.",
        "summary": "Vraag over huur",
    }
    if client is not None:
        body["client"] = client
    return body


@pytest.fixture
def small_limits(client: TestClient) -> Iterator[AbuseLimits]:
    """The API with limits of 3 per hour in memory, for this test only."""
    limits = AbuseLimits("memory://", conversations_per_hour=LIMIT, handovers_per_hour=LIMIT)
    client.app.state.abuse_limits = limits  # type: ignore[attr-defined]
    yield limits
    del client.app.state.abuse_limits  # type: ignore[attr-defined]


def handover_count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Handover)) or 0


# --- The limiter itself, in memory and in Redis -----------------------------------------------------------


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def limits(request: pytest.FixtureRequest) -> AbuseLimits:
    url = "memory://" if request.param == "memory" else REDIS_URL
    made = AbuseLimits(url, conversations_per_hour=LIMIT, handovers_per_hour=2)
    assert made.storage.check(), f"{url} cannot be reached"  # fails loudly when Redis is not running
    return made


def test_a_client_gets_its_limit_of_conversations_and_then_a_retry_time(limits: AbuseLimits) -> None:
    flooder, other = client_key(), client_key()
    verdicts = [limits.allow_conversation(flooder) for _ in range(LIMIT + 2)]
    assert [verdict.allowed for verdict in verdicts] == [True] * LIMIT + [False, False]
    assert 3500 <= verdicts[-1].retry_after <= 3600  # the first of the hour's conversations ends the wait
    assert limits.allow_conversation(other).allowed  # another client is not affected
    assert limits.allow_handover(flooder).allowed  # conversations and handovers are counted apart


def test_handovers_are_limited_per_client(limits: AbuseLimits) -> None:
    flooder = client_key()
    assert [limits.allow_handover(flooder).allowed for _ in range(3)] == [True, True, False]
    assert limits.allow_handover(client_key()).allowed


def test_a_limit_of_zero_is_off() -> None:
    limits = AbuseLimits("memory://", conversations_per_hour=0, handovers_per_hour=0)
    flooder = client_key()
    assert all(limits.allow_conversation(flooder).allowed for _ in range(200))
    assert all(limits.allow_handover(flooder).allowed for _ in range(200))


@pytest.mark.redis
def test_backends_sharing_redis_share_the_counts() -> None:
    """Two backend processes (two limiter objects, two connections) count one client together."""
    first = AbuseLimits(REDIS_URL, conversations_per_hour=LIMIT, handovers_per_hour=LIMIT)
    second = AbuseLimits(REDIS_URL, conversations_per_hour=LIMIT, handovers_per_hour=LIMIT)
    assert first.storage.check() and second.storage.check()
    flooder = client_key()
    allowed = [(first if index % 2 else second).allow_conversation(flooder).allowed for index in range(5)]
    assert allowed == [True, True, True, False, False]
    # Memory counts are per process: a second process knows nothing of the first one's counts.
    alone = AbuseLimits("memory://", conversations_per_hour=LIMIT, handovers_per_hour=LIMIT)
    assert alone.allow_conversation(flooder).allowed


def test_an_unreachable_store_lets_residents_through_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    limits = AbuseLimits("redis://127.0.0.1:1/0", conversations_per_hour=1, handovers_per_hour=1)
    flooder = client_key()
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="bot.backend.services.abuse_limits"):
        assert all(limits.allow_conversation(flooder).allowed for _ in range(3))
        assert limits.allow_handover(flooder).allowed
    assert time.monotonic() - started < 10
    assert "the redis store failed" in caplog.text and "127.0.0.1:1" not in caplog.text


# --- The API the channels ask ------------------------------------------------------------------------------


def test_the_conversation_endpoint_answers_a_verdict(client: TestClient, small_limits: AbuseLimits) -> None:
    flooder = client_key()
    answers = [
        client.post("/api/limits/conversations", json={"client": flooder, "channel": "rest"}, headers=AUTH)
        for _ in range(LIMIT + 1)
    ]
    assert [answer.status_code for answer in answers] == [200] * (LIMIT + 1)
    assert [answer.json()["allowed"] for answer in answers] == [True] * LIMIT + [False]
    assert answers[0].json()["retry_after"] == 0 and answers[-1].json()["retry_after"] > 3000
    other = client.post("/api/limits/conversations", json={"client": client_key(), "channel": "socketio"},
                        headers=AUTH)  # fmt: skip
    assert other.json() == {"allowed": True, "retry_after": 0}


@pytest.mark.parametrize(
    "body",
    [
        {"client": "203.0.113.7", "channel": "rest"},  # an address, not a key
        {"client": "ab" * 40, "channel": "rest"},
        {"client": "not-hex-not-hex-not-hex", "channel": "rest"},
        {"client": "0123456789abcdef", "channel": "REST!"},
        {"channel": "rest"},
    ],
)
def test_the_conversation_endpoint_refuses_bad_input(
    client: TestClient, small_limits: AbuseLimits, body: dict[str, str]
) -> None:
    answer = client.post("/api/limits/conversations", json=body, headers=AUTH)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_input"


def test_the_conversation_endpoint_needs_the_service_token(client: TestClient) -> None:
    body = {"client": client_key(), "channel": "rest"}
    assert client.post("/api/limits/conversations", json=body).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.post("/api/limits/conversations", json=body, headers=wrong).status_code == 401


# --- Handovers ---------------------------------------------------------------------------------------------


def test_a_handover_flood_is_capped_and_another_client_still_reaches_the_top_of_the_inbox(
    client: TestClient, session: Session, small_limits: AbuseLimits
) -> None:
    flooder, resident = client_key(), client_key()
    before = handover_count(session)
    answers = [
        client.post("/api/handovers", json=handover_body(f"flood-{index}", flooder), headers=AUTH)
        for index in range(LIMIT + 5)
    ]
    assert [answer.status_code for answer in answers] == [201] * LIMIT + [429] * 5
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "too_many_handovers"
    assert "Probeer het over" in refused.json()["error"]["message"]
    assert 3000 < int(refused.headers["Retry-After"]) <= 3600
    assert refused.json()["error"]["retry_after"] == int(refused.headers["Retry-After"])
    assert handover_count(session) == before + LIMIT  # nothing written for the refused ones

    own = client.post("/api/handovers", json=handover_body("resident-1", resident), headers=AUTH)
    assert own.status_code == 201, own.text
    page = inbox_page(session=session, filters=InboxFilter(status=CaseStatus.OPEN))
    listed = [handover.conversation_id for handover in page.items]
    assert "resident-1" in listed  # on the first page, after at most LIMIT of the flooder's
    assert sum(conversation.startswith("flood-") for conversation in listed) == LIMIT


def test_asking_twice_in_one_conversation_keeps_one_handover(
    client: TestClient, session: Session, small_limits: AbuseLimits
) -> None:
    resident = client_key()
    first = client.post("/api/handovers", json=handover_body("twice-1", resident), headers=AUTH)
    again = [client.post("/api/handovers", json=handover_body("twice-1", resident), headers=AUTH)
             for _ in range(LIMIT + 2)]  # fmt: skip
    assert first.status_code == 201
    assert {answer.status_code for answer in again} == {200}
    assert {answer.json()["id"] for answer in again} == {first.json()["id"]}
    rows = session.scalars(select(Handover).where(Handover.conversation_id == "twice-1")).all()
    assert len(rows) == 1
    # Asking again did not use up the client's limit: LIMIT - 1 new conversations still get a handover.
    others = [client.post("/api/handovers", json=handover_body(f"twice-{n}", resident), headers=AUTH)
              for n in range(2, LIMIT + 2)]  # fmt: skip
    assert [answer.status_code for answer in others] == [201] * (LIMIT - 1) + [429]


def test_a_closed_handover_lets_the_conversation_ask_again(session: Session) -> None:
    first = create_handover(session=session, conversation_id="again-1", channel="rest", reason="mens")
    update_handover(session=session, handover_id=first.id, status=CaseStatus.IN_PROGRESS)
    assert create_handover(session=session, conversation_id="again-1", channel="rest", reason="mens") == first
    update_handover(session=session, handover_id=first.id, status=CaseStatus.DONE)
    second, created = open_or_create_handover(session=session, conversation_id="again-1", channel="rest",
                                              reason="mens")  # fmt: skip
    assert created and second.id != first.id


def test_handovers_without_a_client_are_not_counted(client: TestClient, small_limits: AbuseLimits) -> None:
    """Telegram and the integrations send no client key: only one open handover per conversation holds."""
    answers = [client.post("/api/handovers", json=handover_body(f"telegram-{n}", None), headers=AUTH)
               for n in range(LIMIT + 2)]  # fmt: skip
    assert {answer.status_code for answer in answers} == {201}


def test_a_bad_client_key_is_refused_and_nothing_is_written(
    client: TestClient, session: Session, small_limits: AbuseLimits
) -> None:
    before = handover_count(session)
    answer = client.post("/api/handovers", json=handover_body("bad-key", "10.0.0.1"), headers=AUTH)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_input"
    with pytest.raises(ServiceError):
        create_handover(session=session, conversation_id="bad-key", channel="rest", reason="mens", client="x")
    assert handover_count(session) == before


@pytest.mark.postgres
def test_simultaneous_requests_of_one_conversation_make_one_handover_on_postgres(
    fresh_postgres: Database,
) -> None:
    """Ten requests of one conversation at the same moment, each in its own transaction: one row."""
    barrier = threading.Barrier(10)
    results: list[tuple[int, bool]] = []

    def ask() -> None:
        with Session(fresh_postgres.engine) as session, session.begin():
            barrier.wait()
            handover, created = open_or_create_handover(session=session, conversation_id="same-moment",
                                                        channel="rest", reason="mens")  # fmt: skip
            results.append((handover.id, created))

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 10
    assert len({handover_id for handover_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
