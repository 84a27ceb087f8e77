"""Follow-up check-ins and "stop berichten" in the case backend (issue 24), on SQLite and PostgreSQL: a
check-in comes CHECKIN_WORKING_DAYS working days later at 10:00 local time (closures skipped), only on
Telegram and WhatsApp, only for the conversation's own handover or callback, once; the answer is taken
only after sending and only from the conversation (or a linked one); "stop berichten" cancels what was
planned and refuses new check-ins; the service token is required."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import (
    CheckinOutcome,
    ConversationLink,
    FollowUpSource,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
)
from bot.backend.services import checkins
from bot.backend.services.callbacks import create_callback
from bot.backend.services.errors import ServiceError
from bot.backend.services.handovers import create_handover
from bot.backend.settings import BackendSettings
from tests.app.backend_helpers import AUTH, Factory

#: Friday 11 December 2026, 15:00 in Amsterdam.
FRIDAY_AFTERNOON = datetime(2026, 12, 11, 14, 0, tzinfo=UTC)


def plan(
    session: Session, settings: BackendSettings, conversation_id: str = "7001", **kwargs: object
) -> ScheduledMessage:
    values: dict[str, object] = {"channel": "telegram", "source": "stappenplan", "plan_id": "sch_post_openen",
                                 "topic": "schulden", "now": FRIDAY_AFTERNOON}  # fmt: skip
    values.update(kwargs)
    return checkins.schedule_checkin(
        session=session,
        settings=settings,
        conversation_id=conversation_id,
        **values,  # type: ignore[arg-type]
    )


def test_a_check_in_comes_five_working_days_later_at_ten_local_time(
    session: Session, settings: BackendSettings, make: Factory
) -> None:
    message = plan(session, settings)
    # Friday -> Mon, Tue, Wed, Thu, Fri: Friday 18 December, 10:00 in Amsterdam = 09:00 UTC.
    assert message.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 18, 9, 0, tzinfo=UTC)
    assert checkins.due_label(message, settings.tz) == "vrijdag 18 december"
    assert (message.kind, message.channel, message.source, message.plan_id, message.topic) == (
        MessageKind.CHECKIN, "telegram", FollowUpSource.PLAN, "sch_post_openen", "schulden",
    )  # fmt: skip
    assert message.status is MessageStatus.PENDING and message.municipality_id is not None
    # The same consent again: the same check-in, nothing new.
    assert plan(session, settings).id == message.id
    # A day every location is closed is no working day.
    make.closure(date(2026, 12, 14), None)
    later = plan(session, settings, conversation_id="7002")
    assert later.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 21, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"channel": "socketio"}, "invalid_input"),
        ({"channel": "rest"}, "invalid_input"),
        ({"source": "iets"}, "invalid_input"),
        ({"plan_id": None}, "invalid_input"),
        ({"plan_id": "Robert'); DROP TABLE--"}, "invalid_input"),
        ({"topic": "onbekend"}, "invalid_input"),
        ({"source": "overdracht", "plan_id": None, "source_id": 999999}, "source_not_found"),
    ],
)
def test_refused_check_ins_write_nothing(
    session: Session, settings: BackendSettings, kwargs: dict[str, object], code: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        plan(session, settings, **kwargs)
    assert refused.value.code == code
    assert session.scalars(select(ScheduledMessage)).all() == []


def test_a_handover_or_callback_check_in_names_the_conversations_own_case(
    session: Session, settings: BackendSettings
) -> None:
    handover = create_handover(session=session, conversation_id="7003", channel="telegram", reason="vraag")
    callback = create_callback(session=session, topic="huisvesting", first_name="Piet", phone="0612345678",
                               conversation_id="7003", settings=settings)  # fmt: skip
    after_handover = plan(session, settings, "7003", source="overdracht", source_id=handover.id, plan_id=None)
    after_callback = plan(session, settings, "7003", source="terugbelverzoek", source_id=callback.id,
                          plan_id=None, channel="whatsapp")  # fmt: skip
    assert after_handover.id != after_callback.id and after_callback.channel == "whatsapp"
    with pytest.raises(ServiceError) as other:
        plan(session, settings, "7004", source="overdracht", source_id=handover.id, plan_id=None)
    assert other.value.status == 404
    # A conversation linked to the handover's (the same resident on Telegram) may.
    session.add_all(
        [
            ConversationLink(conversation_id="7003", channel="socketio", resident_key="k1"),
            ConversationLink(conversation_id="7005", channel="telegram", resident_key="k1"),
        ]
    )
    session.flush()
    assert plan(session, settings, "7005", source="overdracht", source_id=handover.id, plan_id=None).id


def test_the_api_plans_answers_and_stops(client: TestClient, session: Session) -> None:
    body = {"conversation_id": "7010", "channel": "telegram", "source": "stappenplan",
            "plan_id": "huis_huurtoeslag", "topic": "huisvesting"}  # fmt: skip
    assert client.post("/api/checkins", json=body).status_code == 401
    planned = client.post("/api/checkins", json=body, headers=AUTH)
    assert planned.status_code == 201, planned.text
    checkin = planned.json()
    assert checkin["plan_id"] == "huis_huurtoeslag" and checkin["outcome"] is None
    assert checkin["due_label"].split()[0] in ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")
    answer = {"conversation_id": "7010", "outcome": "lukt_niet"}
    path = f"/api/checkins/{checkin['id']}/answer"
    not_sent = client.post(path, json=answer, headers=AUTH)
    assert not_sent.status_code == 409 and not_sent.json()["error"]["code"] == "checkin_not_sent"

    row = session.get(ScheduledMessage, checkin["id"])
    assert row is not None
    row.status = MessageStatus.SENT  # what the worker does once Rasa took it
    session.flush()
    answered = client.post(path, json=answer, headers=AUTH)
    assert answered.status_code == 200 and answered.json()["outcome"] == "lukt_niet"
    stranger = client.post(path, json={**answer, "conversation_id": "7011"}, headers=AUTH)
    assert stranger.status_code == 404
    assert client.post(path, json={**answer, "outcome": "prima"}, headers=AUTH).status_code == 422
    session.expire_all()
    row = session.get(ScheduledMessage, checkin["id"])
    assert row is not None and row.outcome is CheckinOutcome.STUCK and row.outcome_at is not None

    second = client.post("/api/checkins", json={**body, "plan_id": "huis_gebreken"}, headers=AUTH).json()
    stopped = client.post("/api/keep-in-touch/stop", json={"conversation_id": "7010"}, headers=AUTH)
    assert stopped.status_code == 200 and stopped.json() == {"cancelled": 1}
    session.expire_all()
    cancelled = session.get(ScheduledMessage, second["id"])
    assert cancelled is not None and cancelled.status is MessageStatus.CANCELLED
    refused = client.post("/api/checkins", json={**body, "plan_id": "huis_urgentie"}, headers=AUTH)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "opted_out"
    # Saying it twice is fine.
    assert client.post("/api/keep-in-touch/stop", json={"conversation_id": "7010"}, headers=AUTH).json() == {
        "cancelled": 0
    }
    assert client.post("/api/keep-in-touch/stop", json={"conversation_id": "7010"}).status_code == 401


def test_the_staff_rows_of_a_conversation(session: Session, settings: BackendSettings) -> None:
    handover = create_handover(session=session, conversation_id="7020", channel="telegram", reason="vraag")
    by_plan = plan(session, settings, "7020")
    by_handover = plan(session, settings, "7020", source="overdracht", source_id=handover.id, plan_id=None)
    by_handover.status, by_handover.outcome = MessageStatus.SENT, CheckinOutcome.PERSON
    by_handover.outcome_at = FRIDAY_AFTERNOON
    plan(session, settings, "7021")  # another conversation
    session.flush()
    rows = checkins.checkins_of(session=session, conversation_id="7020", handover_id=handover.id)
    assert {row.id for row in rows} == {by_plan.id, by_handover.id}
    [person] = [row for row in rows if row.id == by_handover.id]
    assert (person.source, person.status, person.outcome, person.needs_attention) == (
        "na overdracht", "verstuurd", "Wil iemand spreken", True,
    )  # fmt: skip
    assert checkins.checkins_of(session=session, conversation_id="7020", scope=frozenset({-1})) == []
