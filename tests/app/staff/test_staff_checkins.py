"""Check-ins on the staff pages (issue 24), on SQLite and PostgreSQL: a handover's page shows the
conversation's check-ins (after its plans, the handover and its callbacks) with their state and answer, an
answer that needs a person marked; marking a callback done tells the bot (EXTERNAL_callback_done, on the
resident's channel) when that channel can reach the resident and the resident did not say "stop
berichten", once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from staff_helpers import Accounts, StandInRasa, login, stand_in_rasa

from bot.backend.models import CheckinOutcome, Conversation, MessageStatus, ScheduledMessage
from bot.backend.services import checkins, scheduled_messages
from bot.backend.services.callbacks import create_callback
from bot.backend.services.handovers import create_handover
from bot.backend.settings import BackendSettings
from tests.app.backend_helpers import default_municipality_id


@pytest.fixture
def rasa(app: FastAPI, settings: BackendSettings) -> Iterator[StandInRasa]:
    """The app talks to a stand-in of Rasa's HTTP API for this test."""
    with stand_in_rasa() as stand_in:
        app.state.settings = settings.model_copy(update={"rasa_url": stand_in.url})
        try:
            yield stand_in
        finally:
            app.state.settings = settings


def test_a_handovers_page_shows_its_check_ins_and_their_answers(
    client: TestClient, accounts: Accounts, session: Session, settings: BackendSettings
) -> None:
    handover = create_handover(session=session, conversation_id="8001", channel="telegram", reason="vraag")
    callback = create_callback(session=session, topic="schulden", first_name="Piet", phone="0612345678",
                               conversation_id="8001", settings=settings)  # fmt: skip
    now = datetime(2026, 12, 11, 14, 0, tzinfo=UTC)
    by_plan = checkins.schedule_checkin(session=session, settings=settings, conversation_id="8001",
                                        channel="telegram", source="stappenplan", plan_id="sch_post_openen",
                                        topic="schulden", now=now)  # fmt: skip
    by_callback = checkins.schedule_checkin(session=session, settings=settings, conversation_id="8001",
                                            channel="telegram", source="terugbelverzoek",
                                            source_id=callback.id, now=now)  # fmt: skip
    by_callback.status, by_callback.outcome, by_callback.outcome_at = (
        MessageStatus.SENT, CheckinOutcome.STUCK, now,
    )  # fmt: skip
    session.commit()
    login(client, "sanne")
    page = client.get(f"/staff/overdrachten/{handover.id}").text
    assert "Vinger aan de pols" in page
    assert f'data-checkin="{by_plan.id}"' in page and "Stappenplan: Je post weer openen" in page
    assert "18-12-2026 10:00" in page and "gepland" in page
    assert f'data-checkin="{by_callback.id}" class="attention"' in page
    assert "Het lukt niet" in page and "Neem contact op." in page

    other = create_handover(session=session, conversation_id="8002", channel="socketio", reason="vraag")
    session.commit()
    assert 'id="no-checkins"' in client.get(f"/staff/overdrachten/{other.id}").text


def test_the_audit_log_names_check_ins_in_dutch(
    client: TestClient, accounts: Accounts, session: Session, settings: BackendSettings
) -> None:
    checkins.schedule_checkin(session=session, settings=settings, conversation_id="8003", channel="telegram",
                              source="stappenplan", plan_id="sch_wsnp")  # fmt: skip
    checkins.stop_messages(session=session, conversation_id="8003")
    session.commit()
    login(client, "bea")
    page = client.get("/staff/beheer/logboek", params={"soort": "checkins"}).text
    assert "check-in gepland (met toestemming)" in page
    assert "bewoner wil geen berichten meer" in client.get("/staff/beheer/logboek").text


def conversation(session: Session, conversation_id: str, channel: str) -> None:
    session.add(Conversation(conversation_id=conversation_id, channel=channel,
                             municipality_id=default_municipality_id(session)))  # fmt: skip


def test_a_done_callback_tells_the_bot_on_a_reachable_channel_once(
    client: TestClient, accounts: Accounts, session: Session, settings: BackendSettings, rasa: StandInRasa
) -> None:
    conversation(session, "8010", "telegram")
    conversation(session, "8011", "socketio")
    conversation(session, "8012", "telegram")
    made = {
        conversation_id: create_callback(
            session=session,
            topic="schulden",
            first_name="Piet",
            phone="0612345678",
            conversation_id=conversation_id,
            settings=settings,
        ).id  # fmt: skip
        for conversation_id in ("8010", "8011", "8012")
    }
    scheduled_messages.opt_out(session, "8012")
    session.commit()
    token = login(client, "sanne")
    for callback_id in made.values():
        done = client.post(f"/staff/terugbellen/{callback_id}/klaar", data={"csrf_token": token})
        assert done.status_code == 303
    assert rasa.posted == [
        (
            "8010",
            [{"name": "EXTERNAL_callback_done", "entities": {"callback_id": str(made["8010"])}}],
            "output_channel=telegram&token=rasa-token",
        )
    ]
    # Done again: the bot is not told twice.
    client.post(f"/staff/terugbellen/{made['8010']}/klaar", data={"csrf_token": token})
    assert len(rasa.posted) == 1


def test_a_done_callback_while_rasa_is_down_is_still_done(
    client: TestClient, accounts: Accounts, session: Session, settings: BackendSettings
) -> None:
    conversation(session, "8020", "telegram")
    callback = create_callback(session=session, topic="schulden", first_name="Piet", phone="0612345678",
                               conversation_id="8020", settings=settings)  # fmt: skip
    session.commit()
    token = login(client, "sanne")
    done = client.post(f"/staff/terugbellen/{callback.id}/klaar", data={"csrf_token": token})
    assert done.status_code == 303 and "terugbellen_klaar" in done.headers["location"]


def test_the_today_page_lists_the_answers_that_ask_for_the_team(
    client: TestClient, accounts: Accounts, session: Session, settings: BackendSettings
) -> None:
    callback = create_callback(session=session, topic="schulden", first_name="Piet", phone="0612345678",
                               conversation_id="8030", settings=settings)  # fmt: skip

    def plan(conversation_id: str, **kwargs: object) -> ScheduledMessage:
        return checkins.schedule_checkin(
            session=session, settings=settings, conversation_id=conversation_id, channel="telegram", **kwargs
        )  # type: ignore[arg-type]

    stuck = plan("8030", source="terugbelverzoek", source_id=callback.id)
    good = plan("8031", source="stappenplan", plan_id="sch_aanmaning")
    old = plan("8032", source="stappenplan", plan_id="sch_wsnp")
    now = datetime.now(UTC)
    for row, outcome, days_ago in ((stuck, CheckinOutcome.STUCK, 1), (good, CheckinOutcome.GOOD, 1),
                                   (old, CheckinOutcome.PERSON, 20)):  # fmt: skip
        row.status, row.outcome, row.outcome_at = MessageStatus.SENT, outcome, now - timedelta(days=days_ago)
    session.commit()
    login(client, "sanne")
    page = client.get("/staff/vandaag").text
    assert "Vinger aan de pols" in page
    assert f'data-attention="{stuck.id}"' in page and "Het lukt niet" in page and "06-12345678" in page
    assert f'data-attention="{good.id}"' not in page and f'data-attention="{old.id}"' not in page
