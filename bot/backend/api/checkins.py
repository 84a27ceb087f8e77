"""`/api/checkins` and "stop berichten": the bot plans a follow-up check-in the resident agreed to, records
the answer to it, and stops every later message of a resident (issue 24, services/checkins.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from bot.backend.api.deps import Sessions, SettingsDep, require_service_token
from bot.backend.api.openapi import API_ERRORS, BODY_ERRORS, CONFLICT, NOT_FOUND
from bot.backend.api.schemas import Channel, ConversationId, MunicipalitySlug, Topic
from bot.backend.models import CheckinOutcome, FollowUpSource, ScheduledMessage
from bot.backend.services import checkins

router = APIRouter(
    prefix="/api", dependencies=[Depends(require_service_token)], responses={**API_ERRORS, **BODY_ERRORS}
)

PlanId = Annotated[
    StrictStr, Field(min_length=1, max_length=60, json_schema_extra={"pattern": r"^[a-z][a-z0-9_]*$"})
]


class CheckinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId
    #: Where the check-in goes: only `telegram` and `whatsapp` can reach the resident later.
    channel: Channel
    #: What the resident agreed to be asked about.
    source: FollowUpSource
    #: The handover's or callback's id (source overdracht or terugbelverzoek).
    source_id: Annotated[StrictInt, Field(ge=1)] | None = None
    #: The stappenplan (source stappenplan): its question is asked.
    plan_id: PlanId | None = None
    topic: Topic | None = None
    municipality: MunicipalitySlug | None = None


class CheckinAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId
    outcome: CheckinOutcome


class CheckinOut(BaseModel):
    id: int
    #: When it goes out (UTC), and that day as the resident reads it ("dinsdag 15 december").
    due_at: datetime
    due_label: str
    source: FollowUpSource | None
    plan_id: str | None
    topic: str | None
    outcome: CheckinOutcome | None

    @classmethod
    def of(cls, row: ScheduledMessage, label: str) -> CheckinOut:
        return cls(id=row.id, due_at=row.due_at, due_label=label, source=row.source, plan_id=row.plan_id,
                   topic=row.topic, outcome=row.outcome)  # fmt: skip


class StopRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId


class StopOut(BaseModel):
    #: How many planned messages (check-ins, reminders) were cancelled.
    cancelled: int


@router.post("/checkins", status_code=201, tags=["checkins"], responses={**NOT_FOUND, **CONFLICT})
def schedule_checkin(sessions: Sessions, settings: SettingsDep, body: CheckinRequest) -> CheckinOut:
    """The resident agreed to be asked later how it goes; 409 `opted_out` after "stop berichten"."""
    with sessions.begin() as session:
        row = checkins.schedule_checkin(
            session=session,
            settings=settings,
            conversation_id=body.conversation_id,
            channel=body.channel,
            source=body.source,
            source_id=body.source_id,
            plan_id=body.plan_id,
            topic=body.topic,
            municipality=body.municipality,
        )
        return CheckinOut.of(row, checkins.due_label(row, settings.tz))


@router.post("/checkins/{checkin_id}/answer", tags=["checkins"], responses={**NOT_FOUND, **CONFLICT})
def answer_checkin(
    sessions: Sessions,
    settings: SettingsDep,
    checkin_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: CheckinAnswer,
) -> CheckinOut:
    """The resident's answer (goed, lukt_niet, iemand_spreken), only from the check-in's own conversation
    or one linked to it."""
    with sessions.begin() as session:
        row = checkins.record_answer(session=session, message_id=checkin_id,
                                     conversation_id=body.conversation_id, outcome=body.outcome)  # fmt: skip
        return CheckinOut.of(row, checkins.due_label(row, settings.tz))


@router.post("/keep-in-touch/stop", tags=["checkins"])
def stop_messages(sessions: Sessions, body: StopRequest) -> StopOut:
    """ "stop berichten": no more check-ins or reminders for this resident (and linked conversations).
    Any conversation id is taken: the opt-out also holds for a conversation the backend never saw."""
    with sessions.begin() as session:
        return StopOut(
            cancelled=checkins.stop_messages(session=session, conversation_id=body.conversation_id)
        )
