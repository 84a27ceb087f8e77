"""The inbox of handovers and one handover: transcript from Rasa, notes, take, reply, close.

What each button does is in services/handover_actions.py; these routes parse the form, call it, and show
the outcome (a notice after a redirect, or the page again with the form's text and a Dutch message).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.models import Handover
from bot.backend.services import (
    checkins,
    handover_actions,
    handover_cases,
    handovers,
    inbox,
    resident_links,
    review,
    staff_scope,
)
from bot.backend.services.channel_window import outside_whatsapp_window
from bot.backend.services.errors import ServiceError
from bot.backend.services.handover_actions import REPLY_MAX, Outcome
from bot.backend.services.paging import page_number
from bot.backend.settings import BackendSettings
from bot.backend.staff_web.deps import Staff, StaffIdentity, StaffPost
from bot.backend.staff_web.errors import StaffPageError
from bot.backend.staff_web.ids import not_found, parse_id
from bot.backend.staff_web.pages import redirect, render
from bot.backend.staff_web.rasa_client import RasaClient, RasaUnavailable, TranscriptLine
from bot.backend.staff_web.resident_transcript import merged_transcript

router = APIRouter()
RASA_DOWN_REPLY = (
    "Je antwoord is niet verstuurd: de assistent is nu niet bereikbaar. Je tekst staat nog "
    "hieronder. Probeer het over een paar minuten opnieuw."
)
RASA_DOWN_TRANSCRIPT = "Het gesprek kan nu niet worden geladen: de assistent is niet bereikbaar."
WHAT = "Deze overdracht"


@router.get("/overdrachten", include_in_schema=False)
def inbox_page(
    request: Request,
    sessions: Sessions,
    user: Staff,
    status: str = "",
    onderwerp: str = "",
    kanaal: str = "",
    zoek: str = "",
    pagina: str = "1",
) -> Response:
    filters, dropped = inbox.InboxFilter.parse(status[:30], onderwerp[:30], kanaal[:30], zoek[:200])
    filters = filters.within(user.scope)  # only the handovers of this person's municipalities
    with sessions.begin() as db:
        counts = inbox.status_counts(session=db, filters=filters)
        page = inbox.inbox_page(session=db, filters=filters, page=page_number(pagina), counts=counts)
        channels = inbox.known_channels(session=db, scope=user.scope)
        conversation_ids = [handover.conversation_id for handover in page.items]
        names = handover_cases.first_names(session=db, conversation_ids=conversation_ids, scope=user.scope)
        linked = resident_links.other_channels(session=db, conversation_ids=conversation_ids)
    query = {"status": filters.status.value if filters.status else "", "onderwerp": filters.topic or "",
             "kanaal": filters.channel or "", "zoek": filters.search or ""}  # fmt: skip
    return render(
        request,
        "inbox.html",
        page=page,
        items=page.items,
        names=names,
        linked=linked,
        filters=filters,
        channels=channels,
        counts=counts,
        dropped=dropped,
        query={key: value for key, value in query.items() if value},
    )


def _not_done(error: ServiceError) -> StaffPageError:
    """A refused action as a Dutch page: the 404 page when the handover does not exist."""
    if error.code == "handover_not_found":
        return not_found(WHAT)
    return StaffPageError(error.status, "Niet gelukt", error.message)


def _in_scope(sessions: Sessions, number: int, user: StaffIdentity) -> int:
    """The handover's number when it is of one of this person's municipalities; else the 404 page (the
    same as for a handover that does not exist)."""
    try:
        with sessions.begin() as db:
            staff_scope.require_in_scope(session=db, kind="handover", number=number, scope=user.scope)
    except ServiceError:
        raise not_found(WHAT) from None
    return number


def _back_to_handover(request: Request, number: int, notice: str | None = None) -> Response:
    """Post/Redirect/Get back to the handover's page."""
    return redirect(request, f"/staff/overdrachten/{number}", notice=notice)


def _transcript(
    settings: BackendSettings, conversations: list[tuple[str, str]]
) -> tuple[list[TranscriptLine] | None, str]:
    """The conversation from Rasa (a linked resident's conversations merged in time order, issue 24), or
    None and the Dutch reason it cannot be shown now."""
    try:
        return merged_transcript(RasaClient.from_settings(settings), conversations), ""
    except RasaUnavailable:
        return None, RASA_DOWN_TRANSCRIPT


def _conversations(db: Session, handover: Handover) -> list[tuple[str, str]]:
    """(conversation id, channel) of every conversation of the handover's resident."""
    found = resident_links.linked_conversations(session=db, conversation_id=handover.conversation_id)
    return found if found[0][1] else [(handover.conversation_id, handover.channel)]


def _detail(
    request: Request,
    sessions: Sessions,
    handover_id: int,
    user: StaffIdentity,
    *,
    status: int = 200,
    reply_text: str = "",
    reply_error: str = "",
    audit_view: bool = True,
) -> Response:
    settings = request.app.state.settings
    try:
        with sessions.begin() as db:
            staff_scope.require_in_scope(session=db, kind="handover", number=handover_id, scope=user.scope)
            view = handover_actions.view_handover(
                session=db,
                handover_id=handover_id,
                viewer=user.actor if audit_view else None,
                scope=user.scope,
            )
            follow_ups = checkins.checkins_of(
                session=db,
                conversation_id=view.handover.conversation_id,
                handover_id=view.handover.id,
                callback_ids=[callback.id for callback in view.cases.callbacks],
                scope=user.scope,
            )
    except ServiceError:
        raise not_found(WHAT) from None
    handover = view.handover
    transcript, transcript_error = _transcript(settings, list(view.cases.conversations))
    # WhatsApp's window counts the resident's messages on the handover's own channel only.
    own_lines = [line for line in transcript or [] if line.channel in ("", handover.channel)]
    return render(
        request,
        "handover.html",
        status=status,
        handover=handover,
        transcript=transcript,
        transcript_error=transcript_error,
        outside_window=outside_whatsapp_window(channel=handover.channel, transcript=own_lines),
        cases=view.cases,
        checkins=follow_ups,
        plan_titles=review.answer_titles(settings.content_dir) if follow_ups else {},
        reply_text=reply_text,
        reply_error=reply_error,
        reply_max=REPLY_MAX,
        staff_id=user.id,
    )


@router.get("/overdrachten/{handover_id}", include_in_schema=False)
def handover_page(request: Request, sessions: Sessions, user: Staff, handover_id: str) -> Response:
    return _detail(request, sessions, parse_id(handover_id, WHAT), user)


@router.get("/overdrachten/{handover_id}/gesprek", include_in_schema=False)
def transcript_fragment(
    request: Request, sessions: Sessions, settings: SettingsDep, user: Staff, handover_id: str
) -> Response:
    """The conversation alone, as HTML, for the page's script to show new messages without a reload."""
    number = _in_scope(sessions, parse_id(handover_id, WHAT), user)
    try:
        with sessions.begin() as db:
            conversations = _conversations(db, handovers.get_handover(session=db, handover_id=number))
    except ServiceError:
        raise not_found(WHAT) from None
    transcript, transcript_error = _transcript(settings, conversations)
    return render(request, "_transcript.html", transcript=transcript, transcript_error=transcript_error)


@router.post("/overdrachten/{handover_id}/oppakken", include_in_schema=False)
def take(
    request: Request, sessions: Sessions, settings: SettingsDep, user: StaffPost, handover_id: str
) -> Response:
    """Take the handover; the bot pauses and the resident reads that a person has the conversation."""
    number = _in_scope(sessions, parse_id(handover_id, WHAT), user)
    try:
        outcome = handover_actions.take_handover(
            sessions=sessions, assistant=RasaClient.from_settings(settings), handover_id=number, staff=user
        )
    except ServiceError as error:
        raise _not_done(error) from None
    notices = {Outcome.DONE: "opgepakt", Outcome.ASSISTANT_UNAVAILABLE: "opgepakt_zonder_rasa",
               Outcome.ALREADY_CLOSED: "al_afgerond"}  # fmt: skip
    return _back_to_handover(request, number, notices[outcome])


@router.post("/overdrachten/{handover_id}/notitie", include_in_schema=False)
def add_note(
    request: Request,
    sessions: Sessions,
    user: StaffPost,
    handover_id: str,
    tekst: Annotated[str, Form()] = "",
) -> Response:
    number = _in_scope(sessions, parse_id(handover_id, WHAT), user)
    try:
        with sessions.begin() as db:
            saved = handover_actions.add_note(session=db, handover_id=number, text=tekst, actor=user.actor)
    except ServiceError as error:
        if error.status == 404:
            raise not_found(WHAT) from None
        return _detail(
            request, sessions, number, user, status=422, reply_error=error.message, audit_view=False
        )
    return _back_to_handover(request, number, "notitie" if saved else None)


@router.post("/overdrachten/{handover_id}/antwoord", include_in_schema=False)
def reply(
    request: Request,
    sessions: Sessions,
    settings: SettingsDep,
    user: StaffPost,
    handover_id: str,
    tekst: Annotated[str, Form()] = "",
) -> Response:
    """Send the reply through Rasa to the resident's channel; when Rasa is down, keep the text in the form."""
    number = _in_scope(sessions, parse_id(handover_id, WHAT), user)
    try:
        outcome = handover_actions.send_reply(sessions=sessions, assistant=RasaClient.from_settings(settings),
                                              handover_id=number, staff=user, text=tekst)  # fmt: skip
    except ServiceError as error:
        if error.code != "invalid_input":
            raise _not_done(error) from None
        return _detail(request, sessions, number, user, status=422, reply_text=tekst[:10_000],
                       reply_error=error.message, audit_view=False)  # fmt: skip
    if outcome is Outcome.ASSISTANT_UNAVAILABLE:
        return _detail(request, sessions, number, user, status=503, reply_text=tekst,
                       reply_error=RASA_DOWN_REPLY, audit_view=False)  # fmt: skip
    return _back_to_handover(
        request, number, "al_afgerond" if outcome is Outcome.ALREADY_CLOSED else "verstuurd"
    )


@router.post("/overdrachten/{handover_id}/afronden", include_in_schema=False)
def close(
    request: Request, sessions: Sessions, settings: SettingsDep, user: StaffPost, handover_id: str
) -> Response:
    """Close the handover, then give the conversation back to the bot (again, when that failed before)."""
    number = _in_scope(sessions, parse_id(handover_id, WHAT), user)
    try:
        outcome = handover_actions.close_handover(
            sessions=sessions, assistant=RasaClient.from_settings(settings), handover_id=number, staff=user
        )
    except ServiceError as error:
        raise _not_done(error) from None
    return _back_to_handover(
        request, number, "gesloten" if outcome is Outcome.DONE else "gesloten_zonder_rasa"
    )
