"""One resident across channels (issue 24): link codes (15 minutes, one use, stored as SHA-256), the links
they make, "verwijder mijn gegevens" and retention of the four keep-in-touch tables.

On SQLite and PostgreSQL (the `session` and `client` fixtures are parametrised over both); the clock is
passed in, never waited for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import (
    Conversation,
    ConversationLink,
    LinkCode,
    MessageKind,
    MessageOptOut,
    MessageStatus,
    ScheduledMessage,
)
from bot.backend.services.errors import Conflict, NotFound
from bot.backend.services.resident_links import (
    LinkCodeExpired,
    create_link_code,
    forget_links,
    linked_conversations,
    redeem_link_code,
)
from bot.backend.services.retention import RetentionPeriods, purge
from bot.backend.services.scheduled_messages import is_opted_out, linked_conversation_ids, opt_out
from bot.shared.link_codes import normalise_link_code, shown
from tests.app.backend_helpers import AUTH, default_municipality_id

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
WEB = "web-7f3a9c"
TG = "424242"


def test_a_code_is_easy_to_type_and_only_its_hash_is_stored(session: Session) -> None:
    new = create_link_code(session=session, conversation_id=WEB, channel="socketio", now=NOW)
    assert len(new.code) == 6 and normalise_link_code(shown(new.code).lower()) == new.code
    assert new.expires_at == NOW + timedelta(minutes=15)
    row = session.scalars(select(LinkCode).where(LinkCode.conversation_id == WEB)).one()
    assert row.code_hash == hashlib.sha256(new.code.encode()).hexdigest()
    assert new.code not in (row.code_hash, row.conversation_id)


def test_redeeming_links_both_conversations_as_one_resident(session: Session) -> None:
    new = create_link_code(session=session, conversation_id=WEB, channel="socketio", now=NOW)
    typed = shown(new.code).lower().replace("-", " ")  # "k7p x9q": how a resident may type it
    redeemed = redeem_link_code(session=session, code=typed, conversation_id=TG, channel="telegram",
                                now=NOW + timedelta(minutes=14))  # fmt: skip
    assert (redeemed.conversation_id, redeemed.channel) == (WEB, "socketio")
    assert linked_conversations(session=session, conversation_id=TG) == [(WEB, "socketio"), (TG, "telegram")]
    assert sorted(linked_conversation_ids(session, WEB)) == sorted([WEB, TG])
    assert linked_conversation_ids(session, "someone-else") == ["someone-else"]


def test_a_code_works_once(session: Session) -> None:
    new = create_link_code(session=session, conversation_id=WEB, channel="socketio", now=NOW)
    redeem_link_code(session=session, code=new.code, conversation_id=TG, channel="telegram", now=NOW)
    with pytest.raises(Conflict) as used:
        redeem_link_code(session=session, code=new.code, conversation_id="999", channel="telegram", now=NOW)
    assert used.value.code == "link_code_used" and "al gebruikt" in used.value.message
    assert linked_conversation_ids(session, "999") == ["999"]


def test_a_code_expires_after_15_minutes(session: Session) -> None:
    new = create_link_code(session=session, conversation_id=WEB, channel="socketio", now=NOW)
    with pytest.raises(LinkCodeExpired) as expired:
        redeem_link_code(session=session, code=new.code, conversation_id=TG, channel="telegram",
                         now=NOW + timedelta(minutes=15))  # fmt: skip
    assert expired.value.status == 410 and "verlopen" in expired.value.message
    assert session.scalars(select(LinkCode)).one().used_at is None
    assert session.scalars(select(ConversationLink)).all() == []


@pytest.mark.parametrize("wrong", ["ACD-EF3", "hallo", "", "VD-7K3P-X9QA"])
def test_a_wrong_code_links_nothing(session: Session, wrong: str) -> None:
    create_link_code(session=session, conversation_id=WEB, channel="socketio", now=NOW)
    with pytest.raises(NotFound) as unknown:
        redeem_link_code(session=session, code=wrong, conversation_id=TG, channel="telegram", now=NOW)
    assert unknown.value.code == "link_code_unknown"
    assert session.scalars(select(ConversationLink)).all() == []


def test_a_conversation_cannot_redeem_its_own_code_and_a_new_code_replaces_the_old(session: Session) -> None:
    first = create_link_code(session=session, conversation_id=WEB, channel="socketio", now=NOW)
    with pytest.raises(Conflict):
        redeem_link_code(session=session, code=first.code, conversation_id=WEB, channel="socketio", now=NOW)
    second = create_link_code(session=session, conversation_id=WEB, channel="socketio", now=NOW)
    with pytest.raises(LinkCodeExpired):
        redeem_link_code(session=session, code=first.code, conversation_id=TG, channel="telegram", now=NOW)
    redeem_link_code(session=session, code=second.code, conversation_id=TG, channel="telegram", now=NOW)


def test_two_linked_residents_groups_become_one(session: Session) -> None:
    """Web -> Telegram, then a second web chat -> the same Telegram chat: one resident of three."""
    code = create_link_code(session=session, conversation_id=WEB, channel="socketio", now=NOW).code
    redeem_link_code(session=session, code=code, conversation_id=TG, channel="telegram", now=NOW)
    code = create_link_code(session=session, conversation_id="web-second", channel="socketio", now=NOW).code
    redeem_link_code(session=session, code=code, conversation_id="555", channel="telegram", now=NOW)
    code = create_link_code(session=session, conversation_id=TG, channel="telegram", now=NOW).code
    redeem_link_code(session=session, code=code, conversation_id="web-second", channel="socketio", now=NOW)
    assert sorted(linked_conversation_ids(session, "555")) == sorted([WEB, TG, "web-second", "555"])


def _message(conversation_id: str, status: MessageStatus, due: datetime) -> ScheduledMessage:
    return ScheduledMessage(kind=MessageKind.CHECKIN, channel="telegram", conversation_id=conversation_id,
                            due_at=due, status=status)  # fmt: skip


def test_forgetting_removes_links_codes_and_pending_messages_of_every_linked_conversation(
    session: Session,
) -> None:
    code = create_link_code(session=session, conversation_id=WEB, channel="socketio", now=NOW).code
    redeem_link_code(session=session, code=code, conversation_id=TG, channel="telegram", now=NOW)
    create_link_code(session=session, conversation_id=TG, channel="telegram", now=NOW)
    session.add_all(
        [
            _message(TG, MessageStatus.PENDING, NOW + timedelta(days=5)),
            _message(WEB, MessageStatus.PENDING, NOW + timedelta(days=1)),
            _message(TG, MessageStatus.SENT, NOW - timedelta(days=1)),  # history: its outcome is the staff's
            _message("stranger", MessageStatus.PENDING, NOW + timedelta(days=1)),
            MessageOptOut(conversation_id=TG),
        ]
    )
    session.flush()
    gone = forget_links(session=session, conversation_id=WEB)
    assert (gone.links, gone.codes, gone.scheduled_messages) == (2, 2, 2)
    left = session.scalars(select(ScheduledMessage)).all()
    assert sorted((m.conversation_id, m.status) for m in left) == [
        ("424242", MessageStatus.SENT), ("stranger", MessageStatus.PENDING)
    ]  # fmt: skip
    assert session.scalars(select(ConversationLink)).all() == []
    assert session.scalars(select(LinkCode)).all() == []
    assert session.scalars(select(MessageOptOut)).one().conversation_id == TG  # "stop berichten" stays


def test_retention_covers_scheduled_messages_opt_outs_codes_and_links(session: Session) -> None:
    now = datetime.now(UTC)
    periods = RetentionPeriods(conversation_days=30, booking_days=30, handover_days=90)
    old, recent = now - timedelta(days=40), now - timedelta(days=2)
    municipality = default_municipality_id(session)
    session.add_all(
        [
            Conversation(
                conversation_id="seen-lately",
                channel="telegram",
                first_seen_at=recent,
                last_seen_at=recent,
                municipality_id=municipality,
            ),
            _message("a", MessageStatus.SENT, now - timedelta(days=100)),  # goes
            _message("b", MessageStatus.PENDING, now - timedelta(days=95)),  # stuck long ago: goes
            _message("c", MessageStatus.SENT, now - timedelta(days=10)),  # stays
            _message("d", MessageStatus.PENDING, now + timedelta(days=3)),  # stays
            MessageOptOut(conversation_id="quiet-long-ago", created_at=old),  # goes
            MessageOptOut(conversation_id="seen-lately", created_at=old),  # stays: still talking
            MessageOptOut(conversation_id="new-stop", created_at=recent),  # stays
            LinkCode(
                code_hash="a" * 64,
                conversation_id="x",
                channel="socketio",
                expires_at=now - timedelta(minutes=1),
            ),
            LinkCode(
                code_hash="b" * 64,
                conversation_id="y",
                channel="socketio",
                expires_at=now + timedelta(minutes=5),
            ),
            ConversationLink(
                conversation_id="old-web", channel="socketio", resident_key="old", linked_at=old
            ),
            ConversationLink(conversation_id="old-tg", channel="telegram", resident_key="old", linked_at=old),
            ConversationLink(
                conversation_id="web-of-active", channel="socketio", resident_key="act", linked_at=old
            ),
            ConversationLink(
                conversation_id="seen-lately", channel="telegram", resident_key="act", linked_at=old
            ),
        ]
    )
    session.flush()
    dry = purge(session=session, periods=periods, today=now.date(), now=now, dry_run=True)
    expected = {"scheduled messages": 2, "message opt-outs": 1, "link codes": 1, "conversation links": 2}
    assert {kind: dry.counts[kind] for kind in expected} == expected
    assert len(session.scalars(select(ScheduledMessage)).all()) == 4
    report = purge(session=session, periods=periods, today=now.date(), now=now)
    assert {kind: report.counts[kind] for kind in expected} == expected
    session.expire_all()
    assert sorted(m.conversation_id or "" for m in session.scalars(select(ScheduledMessage))) == ["c", "d"]
    assert sorted(o.conversation_id for o in session.scalars(select(MessageOptOut))) == [
        "new-stop", "seen-lately"
    ]  # fmt: skip
    assert [c.conversation_id for c in session.scalars(select(LinkCode))] == ["y"]
    assert sorted(link.conversation_id for link in session.scalars(select(ConversationLink))) == [
        "seen-lately", "web-of-active"
    ]  # fmt: skip


# --- the API ---


@pytest.fixture
def rasa_down(client: TestClient) -> Iterator[None]:
    """The app's settings with a Rasa URL nothing listens on (the discard port)."""
    state = client.app.state  # type: ignore[attr-defined]
    settings = state.settings
    state.settings = settings.model_copy(update={"rasa_url": "http://127.0.0.1:9"})
    yield
    state.settings = settings


@pytest.mark.usefixtures("rasa_down")
def test_api_creates_and_redeems_a_code(client: TestClient) -> None:
    created = client.post(
        "/api/link-codes", json={"conversation_id": WEB, "channel": "socketio"}, headers=AUTH
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["shown"] == shown(body["code"])
    redeem = {"code": body["shown"], "conversation_id": TG, "channel": "telegram", "slots": ["gemeente"]}
    redeemed = client.post("/api/link-codes/redeem", json=redeem, headers=AUTH)
    assert redeemed.status_code == 200, redeemed.text
    # Rasa cannot be reached: linked all the same, without the slots to carry on.
    assert redeemed.json() == {"linked_conversation_id": WEB, "linked_channel": "socketio", "slots": {}}
    again = client.post("/api/link-codes/redeem", json=redeem, headers=AUTH)
    assert again.status_code == 409 and again.json()["error"]["code"] == "link_code_used"
    forgotten = client.post("/api/keep-in-touch/forget", json={"conversation_id": TG}, headers=AUTH)
    assert forgotten.json() == {"links": 2, "codes": 1, "scheduled_messages": 0}


def test_api_refuses_wrong_and_expired_codes_and_needs_the_token(
    client: TestClient, session: Session
) -> None:
    stale = create_link_code(session=session, conversation_id=WEB, channel="socketio",
                             now=datetime.now(UTC) - timedelta(minutes=16))  # fmt: skip
    session.commit()
    late = {"code": stale.code, "conversation_id": TG, "channel": "telegram"}
    expired = client.post("/api/link-codes/redeem", json=late, headers=AUTH)
    assert expired.status_code == 410 and expired.json()["error"]["code"] == "link_code_expired"
    wrong = {"code": "ACD-EF3", "conversation_id": TG, "channel": "telegram"}
    refused = client.post("/api/link-codes/redeem", json=wrong, headers=AUTH)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "link_code_unknown"
    assert "ken ik niet" in refused.json()["error"]["message"]
    body = {"conversation_id": WEB, "channel": "socketio"}
    assert client.post("/api/link-codes", json=body).status_code == 401
    odd = client.post("/api/link-codes", json={"conversation_id": "×ø", "channel": "0"}, headers=AUTH)
    assert odd.status_code == 422 and odd.json()["error"]["code"] == "invalid_input"


def test_stop_berichten_in_one_channel_holds_for_the_linked_one(session: Session) -> None:
    """The job queue's opt-out (services/scheduled_messages.py) reads the links this module makes."""
    code = create_link_code(session=session, conversation_id=WEB, channel="socketio", now=NOW).code
    session.add(_message(WEB, MessageStatus.PENDING, NOW + timedelta(days=2)))
    session.flush()
    assert not is_opted_out(session, WEB)
    redeem_link_code(session=session, code=code, conversation_id=TG, channel="telegram", now=NOW)
    assert opt_out(session, TG) == 1  # the web chat's pending message is cancelled too
    assert is_opted_out(session, WEB)
