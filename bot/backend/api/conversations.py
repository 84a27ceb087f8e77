"""`PUT /api/conversations/{conversation_id}`: the bot reports a conversation for the dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from bot.backend.api.conversation_schemas import ConversationOut, ConversationReport
from bot.backend.api.deps import Sessions, SettingsDep, require_service_token
from bot.backend.api.openapi import API_ERRORS, BODY_ERRORS
from bot.backend.api.schemas import CONVERSATION_ID_PATTERN
from bot.backend.services import conversations

router = APIRouter(
    prefix="/api", dependencies=[Depends(require_service_token)], responses={**API_ERRORS, **BODY_ERRORS}
)


@router.put("/conversations/{conversation_id}", tags=["conversations"])
def report_conversation(
    sessions: Sessions,
    settings: SettingsDep,
    conversation_id: Annotated[
        str, Path(min_length=1, max_length=200, json_schema_extra={"pattern": CONVERSATION_ID_PATTERN})
    ],
    body: ConversationReport,
) -> ConversationOut:
    """Create or update: first and last seen, channel, the last topic reported, whether it was handed over
    and whether the bot ever did not understand the resident."""
    with sessions.begin() as session:
        record = conversations.upsert_conversation(
            session=session,
            conversation_id=conversation_id,
            channel=body.channel,
            topic=body.topic,
            misunderstood=body.misunderstood,
            municipality=body.municipality,
            default_municipality=settings.default_municipality,
        )
        return ConversationOut.of(record)
