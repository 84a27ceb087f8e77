"""Bodies of `PUT /api/conversations/{conversation_id}` (the bot reports a conversation for the dashboard)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, StrictBool

from bot.backend.api.schemas import Channel, MunicipalitySlug, Topic
from bot.backend.models import Conversation


class ConversationReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    topic: Topic | None = None
    #: True when the bot did not understand a message (its fallback); false or left out changes nothing.
    misunderstood: StrictBool = False
    #: The resident's municipality; left out: the default on the first report, unchanged after it.
    municipality: MunicipalitySlug | None = None


class ConversationOut(BaseModel):
    conversation_id: str
    channel: str
    topic: str | None
    handed_over: bool
    misunderstood: bool
    municipality: str
    first_seen_at: datetime
    last_seen_at: datetime

    @classmethod
    def of(cls, record: Conversation) -> ConversationOut:
        return cls(
            conversation_id=record.conversation_id,
            channel=record.channel,
            topic=record.topic,
            handed_over=record.handed_over,
            misunderstood=record.misunderstood,
            municipality=record.municipality.slug,
            first_seen_at=record.first_seen_at,
            last_seen_at=record.last_seen_at,
        )
