"""What the handover buttons do, at the service level (services/handover_actions.py), on SQLite and on
PostgreSQL: take, reply, close and notes with their audit entries, against the stand-in Rasa
(staff_helpers.StandInRasa) or a closed port (Rasa down), and no database transaction open while Rasa is
called."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from staff_helpers import Accounts, StandInRasa, stand_in_rasa

from bot.backend.db import make_session_factory
from bot.backend.models import AuditEntry, CaseStatus, Handover, StaffRole
from bot.backend.services import handover_actions
from bot.backend.services.errors import InvalidInput, NotFound
from bot.backend.services.handover_actions import REPLY_MAX, Outcome
from bot.backend.services.handovers import create_handover
from bot.backend.services.staff import create_staff_user
from bot.backend.staff_web.deps import StaffIdentity
from bot.backend.staff_web.rasa_client import PAUSE_EVENTS, TAKEN_TEXT, RasaClient, staff_text
from tests.app.backend_helpers import Database


@pytest.fixture
def rasa() -> Iterator[StandInRasa]:
    with stand_in_rasa() as stand_in:
        yield stand_in


@pytest.fixture
def sanne(accounts: Accounts) -> StaffIdentity:
    return StaffIdentity(accounts.staff_id, "sanne", "Sanne", StaffRole.STAFF)


@pytest.fixture
def bea(accounts: Accounts) -> StaffIdentity:
    return StaffIdentity(accounts.admin_id, "bea", "Bea", StaffRole.ADMIN)


def _handover(session: Session, conversation_id: str = "conv-actions") -> Handover:
    handover = create_handover(session=session, conversation_id=conversation_id, channel="socketio",
                               reason="De bewoner vroeg om een medewerker.")  # fmt: skip
    session.commit()
    return handover


def _audit(session: Session, handover: Handover) -> list[tuple[str, str, dict[str, Any]]]:
    """The handover's audit entries after its creation: (actor, action, details)."""
    session.expire_all()
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "handover", AuditEntry.entity_id == str(handover.id))
        .order_by(AuditEntry.id)
    )
    return [(entry.actor, entry.action, entry.details) for entry in entries][1:]  # [0] is handover.create


def _stored(session: Session, handover: Handover) -> Handover:
    session.expire_all()
    stored = session.get(Handover, handover.id)
    assert stored is not None
    return stored


# --- Reply ---------------------------------------------------------------------------------------------


def test_a_reply_claims_the_handover_then_goes_through_rasa_and_is_recorded(
    session: Session, session_factory: sessionmaker[Session], sanne: StaffIdentity, rasa: StandInRasa
) -> None:
    handover = _handover(session)
    outcome = handover_actions.send_reply(
        sessions=session_factory,
        assistant=RasaClient(rasa.url, "t"),
        handover_id=handover.id,
        staff=sanne,
        text="  Dag, ik bel je zo.  ",
    )
    assert outcome is Outcome.DONE
    conversation, events, _ = rasa.posted[-1]
    assert conversation == "conv-actions" and events[: len(PAUSE_EVENTS)] == PAUSE_EVENTS
    assert events[-1]["text"] == staff_text("Sanne", "Dag, ik bel je zo.")
    stored = _stored(session, handover)
    assert stored.status is CaseStatus.IN_PROGRESS and stored.assignee_id == sanne.id
    assert _audit(session, handover) == [
        ("staff:sanne", "handover.status", {"old": "open", "new": "in_behandeling"}),
        ("staff:sanne", "handover.assign", {"assignee_id": sanne.id}),
        ("staff:sanne", "handover.reply", {"characters": len("Dag, ik bel je zo.")}),
    ]


def test_a_reply_to_a_colleagues_handover_leaves_it_theirs(
    session: Session,
    session_factory: sessionmaker[Session],
    sanne: StaffIdentity,
    bea: StaffIdentity,
    rasa: StandInRasa,
) -> None:
    handover = _handover(session)
    assistant = RasaClient(rasa.url, "t")
    kwargs = dict(sessions=session_factory, assistant=assistant, handover_id=handover.id)
    assert handover_actions.take_handover(**kwargs, staff=bea) is Outcome.DONE
    assert handover_actions.send_reply(**kwargs, staff=sanne, text="Ik vul Bea aan.") is Outcome.DONE
    assert _stored(session, handover).assignee_id == bea.id
    assert [(actor, action) for actor, action, _ in _audit(session, handover)] == [
        ("staff:bea", "handover.status"),
        ("staff:bea", "handover.assign"),
        ("staff:sanne", "handover.reply"),
    ]


def test_when_rasa_fails_the_reply_is_neither_half_done_nor_lost(
    session: Session, session_factory: sessionmaker[Session], sanne: StaffIdentity, closed_rasa_url: str
) -> None:
    """Rasa down between the two steps: the handover is claimed (as taken), the resident got nothing, the
    audit log says reply_failed and not reply; the route shows the text again (test_staff_pages.py)."""
    handover = _handover(session)
    outcome = handover_actions.send_reply(
        sessions=session_factory,
        assistant=RasaClient(closed_rasa_url, "t"),
        handover_id=handover.id,
        staff=sanne,
        text="Dag!",
    )
    assert outcome is Outcome.ASSISTANT_UNAVAILABLE
    stored = _stored(session, handover)
    assert stored.status is CaseStatus.IN_PROGRESS and stored.assignee_id == sanne.id
    assert [action for _, action, _ in _audit(session, handover)] == [
        "handover.status",
        "handover.assign",
        "handover.reply_failed",
    ]


def test_rasa_going_down_after_the_handover_was_taken_fails_the_reply_only(
    session: Session, session_factory: sessionmaker[Session], sanne: StaffIdentity
) -> None:
    handover = _handover(session)
    with stand_in_rasa() as rasa:
        assistant = RasaClient(rasa.url, "t")
        kwargs = dict(sessions=session_factory, assistant=assistant, handover_id=handover.id, staff=sanne)
        assert handover_actions.take_handover(**kwargs) is Outcome.DONE
    # The stand-in has stopped: its port refuses connections now.
    assert handover_actions.send_reply(**kwargs, text="Nog een vraag?") is Outcome.ASSISTANT_UNAVAILABLE
    assert [event["text"] for _, events, _ in rasa.posted for event in events if "text" in event] == [
        staff_text("Sanne", TAKEN_TEXT)
    ]
    assert [action for _, action, _ in _audit(session, handover)][-1] == "handover.reply_failed"
    assert _stored(session, handover).status is CaseStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("reply", "message"),
    [("   ", "Schrijf eerst een antwoord."), ("x" * (REPLY_MAX + 1), "Je antwoord is te lang")],
)
def test_a_blank_or_too_long_reply_is_refused_with_nothing_written_or_sent(
    session: Session,
    session_factory: sessionmaker[Session],
    sanne: StaffIdentity,
    rasa: StandInRasa,
    reply: str,
    message: str,
) -> None:
    handover = _handover(session)
    with pytest.raises(InvalidInput, match=message):
        handover_actions.send_reply(sessions=session_factory, assistant=RasaClient(rasa.url, "t"),
                                    handover_id=handover.id, staff=sanne, text=reply)  # fmt: skip
    assert _stored(session, handover).status is CaseStatus.OPEN
    assert _audit(session, handover) == [] and rasa.posted == []


def test_a_reply_of_the_longest_length_goes_out(
    session: Session, session_factory: sessionmaker[Session], sanne: StaffIdentity, rasa: StandInRasa
) -> None:
    handover = _handover(session)
    outcome = handover_actions.send_reply(
        sessions=session_factory,
        assistant=RasaClient(rasa.url, "t"),
        handover_id=handover.id,
        staff=sanne,
        text="x" * REPLY_MAX,
    )
    assert outcome is Outcome.DONE


def test_a_closed_handover_gets_no_reply_and_no_take(
    session: Session, session_factory: sessionmaker[Session], sanne: StaffIdentity, rasa: StandInRasa
) -> None:
    handover = _handover(session)
    handover.status = CaseStatus.DONE
    session.commit()
    kwargs = dict(sessions=session_factory, assistant=RasaClient(rasa.url, "t"), handover_id=handover.id)
    assert handover_actions.send_reply(**kwargs, staff=sanne, text="") is Outcome.ALREADY_CLOSED
    assert handover_actions.take_handover(**kwargs, staff=sanne) is Outcome.ALREADY_CLOSED
    assert _audit(session, handover) == [] and rasa.posted == []
    assert _stored(session, handover).assignee_id is None


def test_an_action_on_a_handover_that_does_not_exist_is_not_found(
    session_factory: sessionmaker[Session], sanne: StaffIdentity, rasa: StandInRasa
) -> None:
    kwargs = dict(sessions=session_factory, assistant=RasaClient(rasa.url, "t"), handover_id=999_999)
    with pytest.raises(NotFound):
        handover_actions.send_reply(**kwargs, staff=sanne, text="Hallo")
    with pytest.raises(NotFound):
        handover_actions.take_handover(**kwargs, staff=sanne)
    with pytest.raises(NotFound):
        handover_actions.close_handover(**kwargs, staff=sanne)
    assert rasa.posted == []


class _SecondTransactionFails:
    """A session factory whose second transaction cannot start: the database went away after step 1."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions, self.calls = sessions, 0

    def begin(self) -> AbstractContextManager[Session]:
        self.calls += 1
        if self.calls == 2:
            raise OperationalError("BEGIN", {}, ConnectionError("the database went away"))
        return self.sessions.begin()


def test_a_sent_reply_whose_outcome_cannot_be_written_still_counts_as_sent(
    session: Session,
    session_factory: sessionmaker[Session],
    sanne: StaffIdentity,
    rasa: StandInRasa,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The resident has the reply: "not sent" would make the medewerker send it twice."""
    handover = _handover(session)
    with caplog.at_level(logging.ERROR, logger="bot.backend.services.handover_actions"):
        outcome = handover_actions.send_reply(
            sessions=_SecondTransactionFails(session_factory),  # type: ignore[arg-type]
            assistant=RasaClient(rasa.url, "t"),
            handover_id=handover.id,
            staff=sanne,
            text="Dag!",
        )
    assert outcome is Outcome.DONE and rasa.posted[-1][1][-1]["text"] == staff_text("Sanne", "Dag!")
    assert [action for _, action, _ in _audit(session, handover)] == ["handover.status", "handover.assign"]
    assert f"handover {handover.id}: handover.reply not written" in caplog.text


# --- Take, close, notes, view --------------------------------------------------------------------------


def test_take_when_rasa_is_down_keeps_the_handover_taken(
    session: Session, session_factory: sessionmaker[Session], sanne: StaffIdentity, closed_rasa_url: str
) -> None:
    handover = _handover(session)
    outcome = handover_actions.take_handover(
        sessions=session_factory,
        assistant=RasaClient(closed_rasa_url, "t"),
        handover_id=handover.id,
        staff=sanne,
    )
    assert outcome is Outcome.ASSISTANT_UNAVAILABLE
    stored = _stored(session, handover)
    assert stored.status is CaseStatus.IN_PROGRESS and stored.assignee_id == sanne.id


def test_close_hands_back_and_when_rasa_was_down_closing_again_retries(
    session: Session, session_factory: sessionmaker[Session], sanne: StaffIdentity, closed_rasa_url: str
) -> None:
    handover = _handover(session)
    down = dict(sessions=session_factory, assistant=RasaClient(closed_rasa_url, "t"), handover_id=handover.id)
    assert handover_actions.close_handover(**down, staff=sanne) is Outcome.ASSISTANT_UNAVAILABLE
    stored = _stored(session, handover)
    assert (
        stored.status is CaseStatus.DONE and stored.closed_at is not None and stored.assignee_id == sanne.id
    )
    with stand_in_rasa() as rasa:
        up = {**down, "assistant": RasaClient(rasa.url, "t")}
        assert handover_actions.close_handover(**up, staff=sanne) is Outcome.DONE
    assert rasa.posted[0][1] == [{"event": "resume"}] and rasa.paused["conv-actions"] is False
    assert _audit(session, handover) == [
        ("staff:sanne", "handover.status", {"old": "open", "new": "afgerond"}),
        ("staff:sanne", "handover.assign", {"assignee_id": sanne.id}),
        ("staff:sanne", "handover.hand_back", {"ok": False}),
        ("staff:sanne", "handover.hand_back", {"ok": True}),  # no second status change
    ]


def test_a_note_is_saved_and_audited_and_a_blank_one_writes_nothing(
    session: Session, session_factory: sessionmaker[Session], sanne: StaffIdentity
) -> None:
    handover = _handover(session)
    with session_factory.begin() as db:
        assert (
            handover_actions.add_note(session=db, handover_id=handover.id, text=" \n ", actor=sanne.actor)
            is False
        )
    assert _audit(session, handover) == []
    with session_factory.begin() as db:
        assert handover_actions.add_note(
            session=db, handover_id=handover.id, text="Belt morgen", actor=sanne.actor
        )
    assert [(note.author, note.text) for note in _stored(session, handover).notes] == [
        ("staff:sanne", "Belt morgen")
    ]
    assert _audit(session, handover) == [("staff:sanne", "handover.note", {})]
    with pytest.raises(NotFound), session_factory.begin() as db:
        handover_actions.add_note(session=db, handover_id=999_999, text="Belt morgen", actor=sanne.actor)


def test_viewing_is_audited_unless_the_page_is_shown_again_after_a_refused_form(
    session: Session, session_factory: sessionmaker[Session], sanne: StaffIdentity
) -> None:
    handover = _handover(session)
    with session_factory.begin() as db:
        view = handover_actions.view_handover(session=db, handover_id=handover.id, viewer=sanne.actor)
    assert view.handover.id == handover.id and view.cases.bookings == [] and view.cases.callbacks == []
    with session_factory.begin() as db:
        handover_actions.view_handover(session=db, handover_id=handover.id, viewer=None)
    assert _audit(session, handover) == [("staff:sanne", "handover.view", {})]


# --- No transaction open while Rasa is called (a database of its own, really committed) ---------------


def _transaction_open(database: Database) -> bool:
    """Whether another connection holds a transaction open on the database right now."""
    if database.kind == "sqlite":
        probe = sqlite3.connect(make_url(database.url).database or "", timeout=0.2, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # the backend starts every transaction so: one at a time
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with database.engine.connect() as probe:
        open_elsewhere = probe.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            )
        )
    return bool(open_elsewhere)


class _Watching(RasaClient):
    """The real client, which first notes whether a transaction is open and what the handover is now."""

    def __init__(self, url: str, database: Database, handover_id: int) -> None:
        super().__init__(url, "t")
        self.database, self.handover_id = database, handover_id
        self.seen: list[tuple[bool, CaseStatus]] = []

    def _call(self, method: str, url: str, *, params: dict[str, str], body: Any = None) -> Any:
        with Session(self.database.engine) as other:
            status = other.scalars(select(Handover.status).where(Handover.id == self.handover_id)).one()
        self.seen.append((_transaction_open(self.database), status))
        return super()._call(method, url, params=params, body=body)


def test_rasa_is_called_with_no_transaction_open_and_the_claim_already_committed(
    fresh_database: Database, rasa: StandInRasa
) -> None:
    sessions = make_session_factory(fresh_database.engine)
    with sessions() as db:
        user = create_staff_user(
            session=db, username="sanne", display_name="Sanne", password="correct horse 1"
        )
        handover = _handover(db, "conv-watched")  # commits
        sanne = StaffIdentity(user.id, "sanne", "Sanne", StaffRole.STAFF)
    watching = _Watching(rasa.url, fresh_database, handover.id)
    kwargs = dict(sessions=sessions, assistant=watching, handover_id=handover.id, staff=sanne)
    assert handover_actions.send_reply(**kwargs, text="Dag!") is Outcome.DONE
    assert handover_actions.take_handover(**kwargs) is Outcome.DONE
    assert handover_actions.close_handover(**kwargs) is Outcome.DONE
    # reply: is it paused, then the reply; take: the same; close: resume, then the hand-back's intent
    assert [open_ for open_, _ in watching.seen] == [False] * 6
    assert [status for _, status in watching.seen] == [CaseStatus.IN_PROGRESS] * 4 + [CaseStatus.DONE] * 2
    with Session(fresh_database.engine) as db:
        query = select(AuditEntry.action).where(AuditEntry.entity == "handover").order_by(AuditEntry.id)
        actions = db.scalars(query).all()
    assert actions[-2:] == ["handover.status", "handover.hand_back"]
