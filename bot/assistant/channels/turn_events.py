"""The events of a conversation's latest turn: from its latest user message on, as Rasa stores them (dicts).

After Rasa has handled a message, the message pipeline (bot/assistant/channels/message_pipeline.py) looks at
what the turn did: whether the bot said anything, and whether an action asked for the conversation to be
deleted (`DELETE_REQUESTED_SLOT`). Loading the whole conversation for that (Rasa loads and replays the
whole session) costs as much as a tenth of a message's time, so `stored_turn` reads only the rows of
the latest turn from a SQL tracker store (the embedded SQLite store and PostgreSQL): one indexed query.
Another store type gives None, and the pipeline loads the conversation instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.assistant.channels.action_contract import DELETE_REQUESTED_SLOT
from bot.assistant.channels.forget import innermost_store

#: Rows read at most for one turn; a longer turn (none is) is looked at the slow way.
MAX_TURN_EVENTS = 200

Turn = list[dict[str, Any]]
#: The latest stored turn on demand (`stored_turn` with its arguments bound), read at most once.
TurnReader = Callable[[], Turn | None]


def stored_turn(store: TrackerStore | None, sender_id: str) -> Turn | None:
    """The stored events of the latest turn, oldest first; None when they cannot be read this way."""
    inner = innermost_store(store) if store is not None else None
    if not isinstance(inner, SQLTrackerStore):
        return None
    event = inner.SQLEvent
    query = (
        sa.select(event.type_name, event.data)
        .where(event.sender_id == sender_id)
        .order_by(event.id.desc())
        .limit(MAX_TURN_EVENTS)
    )
    with inner.engine.connect() as connection:
        rows = connection.execute(query).all()
    turn: Turn = []
    for type_name, data in rows:
        turn.append(json.loads(data))
        if type_name == UserUttered.type_name:
            return turn[::-1]
    return None


def latest_bot_text(turn: Turn) -> str:
    """The text of the bot's last message in `turn` ("" when the bot said nothing)."""
    said = [event for event in turn if event.get("event") == "bot"]
    return str(said[-1].get("text") or "") if said else ""


def turn_of(tracker: DialogueStateTracker) -> Turn:
    """The latest turn of a loaded conversation, as the tracker store keeps it."""
    turn: Turn = []
    for event in reversed(tracker.events):
        turn.append(event.as_dict())
        if isinstance(event, UserUttered):
            break
    return turn[::-1]


def is_turn_of(turn: Turn, message_id: str | None) -> bool:
    """Whether the turn starts with this user message (not a newer one of the same conversation)."""
    return (
        bool(turn)
        and turn[0].get("event") == UserUttered.type_name
        and turn[0].get("message_id") == message_id
    )


def replied(turn: Turn) -> bool:
    """Whether the bot said anything in the turn."""
    return any(event.get("event") == BotUttered.type_name for event in turn)


def deletion_requested(turn: Turn) -> bool:
    """Whether an action of the turn set `DELETE_REQUESTED_SLOT` to true (actions/privacy.py).

    The action sets it in the same answer as its message to the resident: when the action server could
    not be reached, neither happened, and nothing is deleted.
    """
    return any(
        event.get("event") == SlotSet.type_name
        and event.get("name") == DELETE_REQUESTED_SLOT
        and event.get("value") is True
        for event in turn
    )
