"""A small factory for the trackers the action server receives, with only what our actions read."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def make_tracker(
    slots: dict[str, Any] | None = None,
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    ranking: list[tuple[str, float]] | None = None,
    text: str | None = None,
    sender_id: str = "resident-1",
    paused: bool = False,
) -> Tracker:
    latest_message: dict[str, Any] = {"entities": entities or [], "text": text}
    if intent:
        latest_message["intent"] = {"name": intent, "confidence": 1.0}
    if ranking is not None:
        latest_message["intent_ranking"] = [{"name": name, "confidence": conf} for name, conf in ranking]
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": slots or {},
            "latest_message": latest_message,
            "events": [],
            "paused": paused,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        }
    )
