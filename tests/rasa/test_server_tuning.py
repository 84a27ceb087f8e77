"""Costs taken out of the Rasa server, each storing and loading exactly what Rasa's own code does: the
embedded tracker store (bot/sqlite_tracker.py) and the event-type cache (bot/event_types.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import rasa.shared.utils.common
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import NullPool, QueuePool

from bot import event_types

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.from_yaml("slots:\n  topic:\n    type: text\n    mappings: [{type: custom}]\n")


def conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for event in (SessionStarted(), ActionExecuted("action_listen"),
                  UserUttered("ik heb schulden", {"name": "schulden_algemeen", "confidence": 0.9}),
                  SlotSet("topic", "schulden"), ActionExecuted("action_answer")):
        tracker.update(event)
    return tracker


def store_from_endpoints(monkeypatch: pytest.MonkeyPatch, db: Path) -> TrackerStore:
    monkeypatch.setenv("RASA_TRACKER_DB", str(db))
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "tuning-tests-secret")
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    return TrackerStore.create(endpoints.tracker_store, DOMAIN)


async def test_the_embedded_store_keeps_connections_and_a_write_ahead_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = store_from_endpoints(monkeypatch, tmp_path / "tracker.db")
    inner = getattr(store, "_tracker_store", store)
    assert isinstance(inner, SQLTrackerStore)  # retention and deletion (bot/channels/forget.py) rely on it
    assert isinstance(inner.engine.pool, QueuePool)
    await store.save(conversation("resident-1"))
    with inner.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with sqlite3.connect(tmp_path / "tracker.db") as reader:
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_the_embedded_store_stores_and_loads_what_rasas_store_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ours = store_from_endpoints(monkeypatch, tmp_path / "ours.db")
    rasas = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    assert isinstance(rasas.engine.pool, NullPool)  # what the embedded store replaces
    for store in (ours, rasas):
        tracker = conversation("resident-2")
        await store.save(tracker)
        tracker.update(UserUttered("bedankt", {"name": "thank", "confidence": 0.99}))
        await store.save(tracker)  # only the new event is added
    loaded_ours, loaded_rasas = await ours.retrieve("resident-2"), await rasas.retrieve("resident-2")
    assert loaded_ours is not None and loaded_rasas is not None
    assert loaded_ours.events == loaded_rasas.events and len(loaded_ours.events) == 6
    assert loaded_ours.get_slot("topic") == "schulden"


def test_event_types_are_looked_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(event_types.resolve_by_type))
    monkeypatch.setattr(event_types, "_known", {})
    walks = []
    walk = rasa.shared.utils.common.all_subclasses

    def counted(cls: type) -> list[type]:
        walks.append(cls)
        return walk(cls)

    monkeypatch.setattr(rasa.shared.utils.common, "all_subclasses", counted)
    for _ in range(3):
        assert Event.resolve_by_type("user") is UserUttered
        assert Event.resolve_by_type("slot") is SlotSet
    assert walks.count(Event) == 2  # one walk over Event's subclasses per type name
    # Unknown names behave as in Rasa: the default, or an error.
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    # Whole conversations load the same as without the cache.
    events = [event.as_dict() for event in conversation("resident-3").events]
    loaded = DialogueStateTracker.from_dict("resident-3", events, DOMAIN.slots)
    assert loaded.events == conversation("resident-3").events


async def test_the_resident_channels_install_both_lookups_when_the_server_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import jsonschema
    from sanic import Blueprint

    from bot import schema_validation
    from bot.channels.paused_safety import PausedSafety

    monkeypatch.setattr(Event, "resolve_by_type", Event.resolve_by_type)
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)
    blueprint = Blueprint("probe")
    PausedSafety().listen(blueprint)
    [(listener, *_)] = [(future.listener, future.event) for future in blueprint._future_listeners]
    await listener(object(), None)
    assert Event.resolve_by_type is event_types.resolve_by_type
    assert jsonschema.validate is schema_validation.validate
