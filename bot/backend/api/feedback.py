"""`/api/feedback` and `/api/missed-messages`: the bot reports shown answers, "Heeft dit geholpen?"
verdicts and remarks, and the messages it did not understand, for the review page (issue 23)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from bot.backend.api.deps import Sessions, require_service_token
from bot.backend.api.openapi import API_ERRORS, BODY_ERRORS
from bot.backend.api.schemas import Channel, ConversationId, MunicipalitySlug
from bot.backend.models import AnswerFeedback, MissedKind
from bot.backend.services import feedback, review

router = APIRouter(
    prefix="/api", dependencies=[Depends(require_service_token)], responses={**API_ERRORS, **BODY_ERRORS}
)

AnswerId = Annotated[
    StrictStr,
    Field(min_length=1, max_length=100, json_schema_extra={"pattern": feedback.ANSWER_ID.pattern},
          description="The answer's intent, or plan:<id> for the end of a stappenplan",
          examples=["schulden_aanmaning"]),
]  # fmt: skip
ContentVersion = Annotated[
    StrictStr, Field(min_length=1, max_length=40, json_schema_extra={"pattern": r"^[A-Za-z0-9._\-]{1,40}$"})
]
#: Free text from a resident: cut, folded and masked by the services (at most 300 or 500 characters kept).
FreeText = Annotated[StrictStr, Field(max_length=2000)]
Guess = Annotated[StrictStr, Field(min_length=1, max_length=100)]


class ShownReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId
    answer_id: AnswerId
    channel: Channel
    content_version: ContentVersion
    municipality: MunicipalitySlug | None = None


class VerdictReport(ShownReport):
    #: The resident's "Ja" (true) or "Nee" (false) to "Heeft dit geholpen?".
    helped: StrictBool


class RemarkReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId
    #: The answer the remark is about; left out: the conversation's latest "Nee".
    answer_id: AnswerId | None = None
    text: FreeText


class FeedbackOut(BaseModel):
    id: int
    answer_id: str
    municipality: str
    helped: bool | None

    @classmethod
    def of(cls, row: AnswerFeedback) -> FeedbackOut:
        return cls(id=row.id, answer_id=row.answer_id, municipality=row.municipality.slug, helped=row.helped)


class RemarkOut(BaseModel):
    remark_stored: bool


class MissedReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: FreeText
    #: fallback: asked to rephrase; verduidelijking: asked which of a few questions was meant.
    kind: MissedKind
    channel: Channel
    municipality: MunicipalitySlug | None = None
    #: The model's best guesses, best first (at most 5 kept).
    guesses: Annotated[list[Guess], Field(max_length=10)] = []


class MissedOut(BaseModel):
    #: None: nothing kept (an empty text or a button's payload).
    id: int | None


@router.post("/feedback/shown", status_code=201, tags=["feedback"])
def report_shown(sessions: Sessions, body: ShownReport) -> FeedbackOut:
    """The bot showed an answer (counted as "getoond" on the review page)."""
    with sessions.begin() as session:
        row = feedback.record_shown(session=session, conversation_id=body.conversation_id,
                                    answer_id=body.answer_id, channel=body.channel,
                                    content_version=body.content_version,
                                    municipality=body.municipality)  # fmt: skip
        return FeedbackOut.of(row)


@router.post("/feedback", tags=["feedback"])
def report_verdict(sessions: Sessions, body: VerdictReport) -> FeedbackOut:
    """The resident's "Ja" or "Nee", on the latest showing of the answer in the conversation."""
    with sessions.begin() as session:
        row = feedback.record_verdict(session=session, conversation_id=body.conversation_id,
                                      answer_id=body.answer_id, helped=body.helped, channel=body.channel,
                                      content_version=body.content_version,
                                      municipality=body.municipality)  # fmt: skip
        return FeedbackOut.of(row)


@router.post("/feedback/remark", tags=["feedback"])
def report_remark(sessions: Sessions, body: RemarkReport) -> RemarkOut:
    """The answer to "Wat miste je?" (masked, cut at 300 characters); kept only after a "Nee"."""
    with sessions.begin() as session:
        row = feedback.record_remark(session=session, conversation_id=body.conversation_id,
                                     text=body.text, answer_id=body.answer_id)  # fmt: skip
        return RemarkOut(remark_stored=row is not None)


@router.post("/missed-messages", status_code=201, tags=["feedback"])
def report_missed(sessions: Sessions, body: MissedReport) -> MissedOut:
    """A typed message that ended in a fallback or a clarifying question (masked, cut at 500 characters)."""
    with sessions.begin() as session:
        row = review.record_missed(session=session, text=body.text, kind=body.kind, channel=body.channel,
                                   municipality=body.municipality, guesses=body.guesses)  # fmt: skip
        return MissedOut(id=row.id if row is not None else None)
