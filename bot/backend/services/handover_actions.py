"""What a medewerker does with one handover on the staff page: open it, add a note, take, reply, close.

Each function is the whole unit of work behind one button, its audit entries included; the routes
(staff_web/routes_inbox.py) only parse the form, call one of these and show the outcome.

Taking, replying and closing also reach Rasa over HTTP (`Assistant`, in production
staff_web/rasa_client.RasaClient). That call never runs inside a database transaction: an open
transaction would hold its row locks (PostgreSQL) or the one write lock (SQLite) for as long as Rasa takes
to answer, up to the client's timeout of 10 seconds, and hold up every other writer. So these actions
write and commit first, then call Rasa, then record what Rasa answered in a second short transaction
(`_record_outcome`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.backend.models import CaseStatus, Handover
from bot.backend.services import audit, handover_cases, handovers
from bot.backend.services.errors import invalid

logger = logging.getLogger(__name__)

#: The longest reply a medewerker can send (the form says so too).
REPLY_MAX = 2000


class AssistantUnavailable(Exception):
    """Rasa did not answer, or answered with an error."""


class Assistant(Protocol):
    """The bot's side of a handover: pausing, replying and handing back (staff_web/rasa_client.py).

    Each method raises `AssistantUnavailable` when Rasa cannot do it now.
    """

    def take(self, conversation_id: str, *, display_name: str) -> None: ...

    def send_staff_reply(self, conversation_id: str, *, display_name: str, text: str) -> None: ...

    def hand_back(self, conversation_id: str) -> None: ...


class StaffMember(Protocol):
    """The logged-in medewerker (staff_web/deps.StaffIdentity)."""

    @property
    def id(self) -> int: ...

    @property
    def display_name(self) -> str: ...

    @property
    def actor(self) -> str: ...


class Outcome(Enum):
    """How an action that involves Rasa ended."""

    DONE = "done"  # written, and Rasa did its part
    ASSISTANT_UNAVAILABLE = "assistant_unavailable"  # Rasa did not; what was written stays (see each action)
    ALREADY_CLOSED = "already_closed"  # nothing written or sent: the handover is afgerond


@dataclass(frozen=True)
class HandoverView:
    """What the handover's page shows from the database (the conversation itself comes from Rasa)."""

    handover: Handover
    cases: handover_cases.HandoverCases


def view_handover(
    *, session: Session, handover_id: int, viewer: str | None, scope: frozenset[int] | None = None
) -> HandoverView:
    """The handover with its assignee and notes loaded, and its conversation's bookings and callbacks
    (of the municipalities in the staff member's `scope` only, when given).

    `viewer` (an audit actor) is recorded as having opened it; None when the page is shown again after
    a refused form, which is no new look.
    """
    handover = handovers.get_handover(session=session, handover_id=handover_id)
    _ = handover.assignee, list(handover.notes)  # loaded now: the page is rendered after the transaction
    cases = handover_cases.cases_of(session=session, handover=handover, scope=scope)
    if viewer is not None:
        audit.record(session=session, actor=viewer, action="handover.view", entity="handover",
                     entity_id=handover.id)  # fmt: skip
    return HandoverView(handover, cases)


def add_note(*, session: Session, handover_id: int, text: str, actor: str) -> bool:
    """Store an internal note (audited); False, with nothing written, when the text is blank."""
    if not text.strip():
        return False
    handovers.update_handover(session=session, handover_id=handover_id, note=text, actor=actor)
    return True


def take_handover(
    *, sessions: sessionmaker[Session], assistant: Assistant, handover_id: int, staff: StaffMember
) -> Outcome:
    """Take the handover (in behandeling, assigned to `staff`), then let Rasa pause the bot and tell the
    resident that a person has the conversation.

    The handover is taken and committed first, so that colleagues see it at once. When Rasa is down it
    stays taken (ASSISTANT_UNAVAILABLE): the page says that the resident does not know yet and the bot may
    still answer, and the medewerker's first reply pauses the bot after all.
    """
    with sessions.begin() as db:
        handover = handovers.get_handover(session=db, handover_id=handover_id)
        if handover.status is CaseStatus.DONE:
            return Outcome.ALREADY_CLOSED
        handovers.update_handover(session=db, handover_id=handover_id, status=CaseStatus.IN_PROGRESS,
                                  assignee_id=staff.id, actor=staff.actor)  # fmt: skip
        conversation_id = handover.conversation_id
    try:
        assistant.take(conversation_id, display_name=staff.display_name)
    except AssistantUnavailable:
        return Outcome.ASSISTANT_UNAVAILABLE
    return Outcome.DONE


def checked_reply(text: str) -> str:
    """The reply without surrounding blanks, or a ServiceError (422) with the Dutch reason."""
    clean = text.strip()
    if not clean:
        raise invalid("tekst", "Schrijf eerst een antwoord.")
    if len(clean) > REPLY_MAX:
        raise invalid("tekst", f"Je antwoord is te lang (hoogstens {REPLY_MAX} tekens).")
    return clean


def send_reply(
    *, sessions: sessionmaker[Session], assistant: Assistant, handover_id: int, staff: StaffMember, text: str
) -> Outcome:
    """Send a medewerker's reply through Rasa to the resident's channel, in two database steps.

    1. `_start_reply` (one transaction): an open handover becomes in behandeling, and the writer's when
       nobody has it yet, audited. A handover that is afgerond gets nothing (ALREADY_CLOSED), a blank or
       too long reply is refused (a ServiceError, 422); in both cases nothing is written.
    2. Rasa pauses the bot if it is not yet and sends the reply, outside any transaction.
    3. `_record_outcome` (a second transaction): `handover.reply` with the reply's length, or
       `handover.reply_failed`.

    Why two transactions and not one around the call: see the module's docstring. The handover is
    claimed before the call, so that a colleague who opens it meanwhile sees that someone is answering.

    When Rasa fails in between (ASSISTANT_UNAVAILABLE) nothing is half done: the handover is in
    behandeling, as after "Oppakken" with Rasa down (the medewerker is working on it); the resident got
    nothing; the audit log says `handover.reply_failed`, not `handover.reply`. Nothing is lost: a reply
    is kept only in Rasa's conversation, which it did not reach, so the page shows the text again in the
    reply box with a Dutch message (503) to send it again in a few minutes. Should the outcome fail to
    be written after Rasa sent the reply, the reply still counts as sent (DONE; the failure is logged):
    saying otherwise would make the medewerker send it twice.
    """
    started = _start_reply(sessions=sessions, handover_id=handover_id, staff=staff, text=text)
    if started is None:
        return Outcome.ALREADY_CLOSED
    conversation_id, reply = started
    try:
        assistant.send_staff_reply(conversation_id, display_name=staff.display_name, text=reply)
    except AssistantUnavailable:
        _record_outcome(sessions, handover_id, staff.actor, "handover.reply_failed")
        return Outcome.ASSISTANT_UNAVAILABLE
    _record_outcome(sessions, handover_id, staff.actor, "handover.reply", characters=len(reply))
    return Outcome.DONE


def _start_reply(
    *, sessions: sessionmaker[Session], handover_id: int, staff: StaffMember, text: str
) -> tuple[str, str] | None:
    """Step 1 of a reply: the conversation id and the checked reply, after claiming an open handover;
    None when it is afgerond."""
    with sessions.begin() as db:
        handover = handovers.get_handover(session=db, handover_id=handover_id)
        if handover.status is CaseStatus.DONE:
            return None
        reply = checked_reply(text)
        if handover.status is CaseStatus.OPEN:
            handovers.update_handover(session=db, handover_id=handover_id, status=CaseStatus.IN_PROGRESS,
                                      assignee_id=None if handover.assignee_id else staff.id,
                                      actor=staff.actor)  # fmt: skip
        return handover.conversation_id, reply


def close_handover(
    *, sessions: sessionmaker[Session], assistant: Assistant, handover_id: int, staff: StaffMember
) -> Outcome:
    """Close the handover (afgerond; the closer's when nobody had it), then give the conversation back to
    the bot, and record whether that worked (`handover.hand_back`, ok true or false).

    When Rasa is down the handover stays afgerond (ASSISTANT_UNAVAILABLE) and the page asks to close it
    again later: closing a handover that is afgerond already only retries the hand-back.
    """
    with sessions.begin() as db:
        handover = handovers.get_handover(session=db, handover_id=handover_id)
        if handover.status is not CaseStatus.DONE:
            handovers.update_handover(session=db, handover_id=handover_id, status=CaseStatus.DONE,
                                      assignee_id=None if handover.assignee_id else staff.id,
                                      actor=staff.actor)  # fmt: skip
        conversation_id = handover.conversation_id
    try:
        assistant.hand_back(conversation_id)
        handed_back = True
    except AssistantUnavailable:
        handed_back = False
    _record_outcome(sessions, handover_id, staff.actor, "handover.hand_back", ok=handed_back)
    return Outcome.DONE if handed_back else Outcome.ASSISTANT_UNAVAILABLE


def _record_outcome(
    sessions: sessionmaker[Session], handover_id: int, actor: str, action: str, **details: Any
) -> None:
    """The last step of an action that called Rasa: what Rasa did, in the audit log.

    Rasa has acted (or not) by now and that cannot be undone; a database error here is logged and the
    action's outcome still stands.
    """
    try:
        with sessions.begin() as db:
            audit.record(session=db, actor=actor, action=action, entity="handover", entity_id=handover_id,
                         **details)  # fmt: skip
    except SQLAlchemyError:
        logger.exception("handover %s: %s not written to the audit log", handover_id, action)
