"""The review page for content editors (issue 23): feedback on answers, and the messages the bot did not
understand, each of which can be added as an NLU example to the queue `make review-export` writes.

For redacteuren and beheerders, within their own municipalities (services/staff_scope.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.models import MissedKind
from bot.backend.services import feedback, review
from bot.backend.services.errors import ServiceError
from bot.backend.staff_web.deps import REVIEW_PAGE, Reviewer, ReviewerPost
from bot.backend.staff_web.errors import StaffPageError
from bot.backend.staff_web.ids import not_found, parse_id
from bot.backend.staff_web.pages import redirect, render

router = APIRouter(prefix="/redactie")
KIND_LABELS = {MissedKind.FALLBACK: "niet begrepen", MissedKind.CLARIFY: "verduidelijkende vraag"}
A_MESSAGE = "Dit bericht"


@router.get("", include_in_schema=False)
def review_page(request: Request, sessions: Sessions, settings: SettingsDep, user: Reviewer) -> Response:
    with sessions.begin() as db:
        stats = feedback.answer_stats(session=db, scope=user.scope)
        remarks = feedback.recent_remarks(session=db, scope=user.scope)
        groups = review.missed_groups(session=db, scope=user.scope)
        queued = len(review.queued_examples(session=db))
    return render(
        request,
        "review.html",
        stats=stats,
        remarks=remarks,
        groups=groups,
        queued=queued,
        titles=review.answer_titles(settings.content_dir),
        choices=review.intent_choices(settings.content_dir),
        kind_labels=KIND_LABELS,
    )


@router.post("/berichten/{message_id}/voorbeeld", include_in_schema=False)
def add_example(
    request: Request,
    sessions: Sessions,
    settings: SettingsDep,
    user: ReviewerPost,
    message_id: str,
    intent: Annotated[str, Form()] = "",
) -> Response:
    number = parse_id(message_id, A_MESSAGE)
    try:
        with sessions.begin() as db:
            review.add_example(session=db, message_id=number, intent=intent[:100], scope=user.scope,
                               choices=review.intent_choices(settings.content_dir),
                               actor=user.actor)  # fmt: skip
    except ServiceError as error:
        if error.status == 404:
            raise not_found(A_MESSAGE) from None
        raise StaffPageError(error.status, "Niet gelukt", error.message) from None
    return redirect(request, REVIEW_PAGE, notice="voorbeeld_toegevoegd")
