"""Link codes and the links they make: one resident across channels (issue 24).

- `POST /api/link-codes`: a one-time code for a conversation ("Verder op Telegram");
- `POST /api/link-codes/redeem`: the other conversation uses it; both become one resident, and the answer
  carries the slots the caller names of the first conversation (read from Rasa), so that the resident
  repeats nothing;
- `POST /api/keep-in-touch/forget`: "verwijder mijn gegevens" removes the links, the codes and the
  pending scheduled messages of every linked conversation.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from bot.backend.api.deps import Sessions, SettingsDep, require_service_token
from bot.backend.api.openapi import API_ERRORS, BODY_ERRORS, CONFLICT, NOT_FOUND, responses
from bot.backend.api.schemas import Channel, ConversationId
from bot.backend.models import utcnow
from bot.backend.services import resident_links
from bot.backend.staff_web.rasa_client import RasaClient, RasaUnavailable
from bot.shared.link_codes import shown

logger = logging.getLogger(__name__)

SlotName = Annotated[StrictStr, Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]{0,59}$")]

router = APIRouter(
    prefix="/api", dependencies=[Depends(require_service_token)], responses={**API_ERRORS, **BODY_ERRORS}
)


class LinkCodeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId
    channel: Channel


class LinkCodeOut(BaseModel):
    code: str = Field(description="What goes in a Telegram deep link's start parameter", examples=["K7PX9Q"])
    shown: str = Field(description="How the resident reads and types it", examples=["K7P-X9Q"])
    expires_at: datetime


class LinkCodeRedeem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[StrictStr, Field(min_length=1, max_length=40)]
    conversation_id: ConversationId
    channel: Channel
    #: The slots to carry on (data minimisation: only these are read back from the first conversation).
    slots: Annotated[list[SlotName], Field(max_length=20)] = []


class RedeemedOut(BaseModel):
    linked_conversation_id: str
    linked_channel: str
    #: The asked slots of the linked conversation as Rasa has them now; empty when Rasa could not be reached.
    slots: dict[str, Any]


class ForgetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId


class ForgottenOut(BaseModel):
    links: int
    codes: int
    scheduled_messages: int


@router.post("/link-codes", status_code=201, tags=["links"])
def create_link_code(sessions: Sessions, body: LinkCodeCreate) -> LinkCodeOut:
    """A code valid 15 minutes, one use; the conversation's earlier unused codes stop working."""
    with sessions.begin() as session:
        new = resident_links.create_link_code(
            session=session, conversation_id=body.conversation_id, channel=body.channel, now=utcnow()
        )
    return LinkCodeOut(code=new.code, shown=shown(new.code), expires_at=new.expires_at)


@router.post("/link-codes/redeem", tags=["links"], responses={**NOT_FOUND, **CONFLICT, **responses(410)})
def redeem_link_code(sessions: Sessions, settings: SettingsDep, body: LinkCodeRedeem) -> RedeemedOut:
    """Use a code: 404 `link_code_unknown`, 410 `link_code_expired`, 409 `link_code_used` or
    `link_code_same_conversation`, each with a Dutch message for the resident."""
    with sessions.begin() as session:
        redeemed = resident_links.redeem_link_code(
            session=session, code=body.code, conversation_id=body.conversation_id,
            channel=body.channel, now=utcnow(),
        )  # fmt: skip
    slots: dict[str, Any] = {}
    if body.slots:
        try:
            found = RasaClient.from_settings(settings).slots(redeemed.conversation_id)
        except RasaUnavailable as error:
            logger.warning("Linked conversation's slots not read from Rasa: %s", type(error).__name__)
            found = {}
        slots = {name: found[name] for name in body.slots if name in found}
    return RedeemedOut(
        linked_conversation_id=redeemed.conversation_id, linked_channel=redeemed.channel, slots=slots
    )


@router.post("/keep-in-touch/forget", tags=["links"])
def forget_conversation(sessions: Sessions, body: ForgetRequest) -> ForgottenOut:
    """Remove the links, link codes and pending scheduled messages of the conversation and of every
    conversation linked to it (the resident's "verwijder mijn gegevens")."""
    with sessions.begin() as session:
        gone = resident_links.forget_links(session=session, conversation_id=body.conversation_id)
    return ForgottenOut(links=gone.links, codes=gone.codes, scheduled_messages=gone.scheduled_messages)
