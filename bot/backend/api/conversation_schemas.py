"""Bodies of `PUT /api/conversations/{conversation_id}` (the bot reports a conversation for the dashboard)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from bot.backend.models import Conversation


class ConversationReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Annotated[StrictStr, Field(min_length=1, max_length=30)]
    topic: Annotated[StrictStr | None, Field(max_length=30)] = None


class ConversationOut(BaseModel):
    conversation_id: str
    channel: str
    topic: str | None
    handed_over: bool
    first_seen_at: datetime
    last_seen_at: datetime

    @classmethod
    def of(cls, record: Conversation) -> ConversationOut:
        return cls(
            conversation_id=record.conversation_id,
            channel=record.channel,
            topic=record.topic,
            handed_over=record.handed_over,
            first_seen_at=record.first_seen_at,
            last_seen_at=record.last_seen_at,
        )
