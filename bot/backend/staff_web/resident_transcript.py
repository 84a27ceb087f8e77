"""One resident's conversations as one transcript (issue 24): the web chat and the Telegram chat a link
code joined, read from Rasa one by one and merged in time order, each line marked with its channel."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.backend.staff_web.rasa_client import RasaClient, TranscriptLine

_EARLIEST = datetime.min.replace(tzinfo=UTC)


def merged_transcript(client: RasaClient, conversations: list[tuple[str, str]]) -> list[TranscriptLine]:
    """The lines of every (conversation id, channel) in time order; a single conversation as it is.

    Raises RasaUnavailable when one of them cannot be read: half a resident's story would mislead."""
    if len(conversations) == 1:
        return client.transcript(conversations[0][0])
    lines: list[TranscriptLine] = []
    for conversation_id, channel in conversations:
        lines.extend(replace(line, channel=channel) for line in client.transcript(conversation_id))
    return sorted(lines, key=lambda line: line.at or _EARLIEST)  # stable: a conversation keeps its order
