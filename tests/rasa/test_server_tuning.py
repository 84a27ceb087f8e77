"""Costs taken out of the Rasa server, each storing and loading exactly what Rasa's own code does: the
embedded tracker store (bot/assistant/sqlite_tracker.py) and the event-type cache
(bot/assistant/event_types.py)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
import rasa.shared.utils.common
from aiohttp import web
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.pool import NullPool, QueuePool

from bot.assistant import action_requests, event_types

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.from_yaml("slots:\n  topic:\n    type: text\n    mappings: [{type: custom}]\n")


def conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for event in (
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("ik heb schulden", {"name": "schulden_algemeen", "confidence": 0.9}),
        SlotSet("topic", "schulden"),
        ActionExecuted("action_answer"),
    ):
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
    # Retention and deletion (bot/assistant/channels/forget.py) rely on it.
    assert isinstance(inner, SQLTrackerStore)
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
    rows = []  # the same columns, apart from the moment each store's conversation was made
    for name in ("ours.db", "rasa.db"):
        with sqlite3.connect(tmp_path / name) as reader:
            stored = reader.execute(
                "SELECT sender_id, type_name, intent_name, action_name, data, timestamp "
                "FROM events ORDER BY id"
            ).fetchall()
        rows.append(
            [(*row[:4], {**json.loads(row[4]), "timestamp": None}, row[5] is not None) for row in stored]
        )
    assert rows[0] == rows[1] and len(rows[0]) == 6


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


async def test_the_message_pipeline_installs_rasas_patches_when_the_server_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import jsonschema
    from rasa.utils.endpoints import EndpointConfig
    from sanic import Blueprint

    from bot.assistant import schema_validation
    from bot.assistant.channels.message_pipeline import MessagePipeline

    monkeypatch.setattr(Event, "resolve_by_type", Event.resolve_by_type)
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    blueprint = Blueprint("probe")
    MessagePipeline("rest").listen(blueprint)
    listeners = {future.event: future.listener for future in blueprint._future_listeners}
    assert set(listeners) == {"before_server_start", "after_server_stop"}
    assert Event.resolve_by_type is not event_types.resolve_by_type  # nothing before the server starts
    await listeners["before_server_start"](object(), None)
    assert Event.resolve_by_type is event_types.resolve_by_type
    assert jsonschema.validate is schema_validation.validate
    assert EndpointConfig.session is action_requests.session


async def test_the_embedded_store_loads_the_latest_session_and_the_whole_conversation_as_rasas_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ours = store_from_endpoints(monkeypatch, tmp_path / "ours.db")
    rasas = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    for store in (ours, rasas):
        tracker = conversation("resident-3")
        start = tracker.events[-1].timestamp + 10
        tracker.update(SessionStarted(timestamp=start))
        tracker.update(UserUttered("hallo / é", {"name": "greet", "confidence": 0.5}, timestamp=start + 1))
        await store.save(tracker)
    latest_ours, latest_rasas = await ours.retrieve("resident-3"), await rasas.retrieve("resident-3")
    assert latest_ours is not None and latest_rasas is not None
    assert latest_ours.events == latest_rasas.events and len(latest_ours.events) == 2
    full_ours = await ours.retrieve_full_tracker("resident-3")
    full_rasas = await rasas.retrieve_full_tracker("resident-3")
    assert full_ours is not None and full_rasas is not None
    assert full_ours.events == full_rasas.events and len(full_ours.events) == 7
    assert await ours.retrieve("nobody") is None


async def test_action_server_requests_carry_the_same_json_and_rasas_headers() -> None:
    """The body ujson writes reads back as the document `json.dumps` writes; the session is Rasa's."""
    tracker = conversation("resident-4")
    tracker.update(
        UserUttered(
            'zie https://voorbeeld.nl/a?b=1 "quote" \u00e9\u2603 \ud83d\ude00',
            {"name": "greet", "confidence": 0.123456789012345},
        )
    )
    body = {"next_action": "action_answer", "tracker": tracker.current_state(EventVerbosity.ALL), "n": 1e-7}
    assert json.loads(action_requests.dumps(body)) == json.loads(json.dumps(body))
    nan = {"a": float("nan")}
    assert action_requests.dumps(nan).replace(" ", "") == json.dumps(nan).replace(" ", "")
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook", headers={"Authorization": "Bearer s3cret"})
    async with action_requests.session(endpoint) as session:
        assert session.json_serialize is action_requests.dumps
        assert session.headers["Authorization"] == "Bearer s3cret"
    await session.close()


async def test_action_server_requests_use_their_connection_again_until_it_is_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One open session per endpoint: requests in a row share a connection; an idle one is not reused."""
    peers: list[tuple[str, int]] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": [], "got": await request.json()})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setattr(action_requests, "IDLE_CONNECTION_SECONDS", 0.3)
    monkeypatch.setattr(EndpointConfig, "session", action_requests.session)
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"Authorization": "Bearer kept"})
    try:
        answers = [await endpoint.request(json={"n": n}) for n in range(3)]
        assert [answer["got"] for answer in answers] == [{"n": 0}, {"n": 1}, {"n": 2}]
        assert len(set(peers)) == 1  # one connection for the three requests
        async with action_requests.session(endpoint) as first, action_requests.session(endpoint) as second:
            assert first is second and not first.closed
        other = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"Authorization": "Bearer other"})
        async with action_requests.session(other) as third:
            assert third is not first
        await asyncio.sleep(0.8)  # longer than the idle time: the next request opens a new connection
        assert (await endpoint.request(json={"n": 3}))["got"] == {"n": 3}
        assert len(set(peers)) == 2
        await action_requests.close_sessions()  # as the server does when it stops
        assert first.closed and third.closed
    finally:
        await first.close()
        await third.close()
        await runner.cleanup()
