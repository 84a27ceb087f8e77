"""`/api/limits`: may this client start a conversation? Asked by the resident channels (service token).

The channel asks only when a conversation is new (bot/assistant/channels/client_limits.py), never per message.
The answer is a verdict, not an error: `allowed` false with `retry_after` seconds when the client started
too many conversations this hour. Handovers are counted where they are made (`POST /api/handovers`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from bot.backend.api.deps import AbuseLimitsDep, require_service_token
from bot.backend.api.openapi import API_ERRORS, BODY_ERRORS
from bot.backend.api.schemas import Channel, ClientKey, Request
from bot.backend.services.abuse_limits import checked_client

router = APIRouter(prefix="/api/limits", dependencies=[Depends(require_service_token)], responses=API_ERRORS)


class ConversationStart(Request):
    client: ClientKey
    channel: Channel


class LimitVerdictOut(BaseModel):
    allowed: bool
    retry_after: Annotated[int, Field(ge=0, description="Seconds until the client may try again (0: now)")]


@router.post("/conversations", tags=["limits"], responses=BODY_ERRORS)
def may_start_conversation(limits: AbuseLimitsDep, body: ConversationStart) -> LimitVerdictOut:
    """Count a new conversation of this client; `allowed` false when it started too many this hour."""
    checked_client(body.client, body.channel)
    verdict = limits.allow_conversation(body.client)
    return LimitVerdictOut(allowed=verdict.allowed, retry_after=verdict.retry_after)
