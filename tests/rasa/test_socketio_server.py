"""The socket.io server our channel builds (bot/assistant/channels/socketio_server.py): origins, payload size
and the session rooms that python-socketio >= 5.10 needs awaited. The whole path (widget socket, bot replies,
staff replies) runs in tests/rasa/test_handover_server.py and tests/app/test_widget_browser.py."""

from __future__ import annotations

import logging
import os
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import socketio
from sanic import Sanic

from bot.assistant.channels import socketio_server
from bot.assistant.channels.socketio_server import configured_origins, session_id_from
from bot.assistant.channels.web_channels import SocketIOInput

ROOT = Path(__file__).resolve().parents[2]


async def ignore(message: Any) -> None:
    return None


def built_server(monkeypatch: pytest.MonkeyPatch, origins: str | None) -> socketio.AsyncServer:
    if origins is None:
        monkeypatch.delenv("RASA_CORS_ORIGINS", raising=False)
    else:
        monkeypatch.setenv("RASA_CORS_ORIGINS", origins)
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    channel.blueprint(ignore)
    assert channel.sio is not None
    return channel.sio


def test_python_socketio_is_a_release_with_the_security_fixes() -> None:
    # 5.14.0: JSON instead of pickle between servers (CVE-2025-61765);
    # 5.16.2: a limit on binary attachments (CVE-2026-48804).
    installed = version("python-socketio")
    assert tuple(int(part) for part in installed.split(".")[:3]) >= (5, 16, 2), installed


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://www.gemeente.nl http://127.0.0.1:8000/", ["https://www.gemeente.nl", "http://127.0.0.1:8000"]),
        ("  ", None),
        ("https://a.nl * https://b.nl", ["*"]),
        # Quoted as in docs/widget.md, or by a Docker env-file that keeps the quotes: the same origins.
        ('"https://a.nl http://127.0.0.1:8000"', ["https://a.nl", "http://127.0.0.1:8000"]),
        ("'https://a.nl' 'https://b.nl/'", ["https://a.nl", "https://b.nl"]),
        ('""', None),
    ],
)  # fmt: skip
def test_origins_come_from_rasa_cors_origins(value: str, expected: list[str] | None) -> None:
    assert configured_origins(value) == expected


@pytest.mark.parametrize(
    "origin, origins, allowed",
    [
        ("https://www.gemeente.nl", ["https://www.gemeente.nl"], True),
        ("https://www.gemeente.nl/", ["https://www.gemeente.nl"], True),
        ("https://phishing.example", ["https://www.gemeente.nl"], False),
        ("https://phishing.example", ["*"], True),
        ("http://rasa:5005", None, True),  # no RASA_CORS_ORIGINS: the server's own origin only
        ("https://www.gemeente.nl", None, False),
    ],
)  # fmt: skip
def test_only_allowed_origins_reach_the_socket_server(
    origin: str, origins: list[str] | None, allowed: bool
) -> None:
    assert socketio_server.origin_allowed(origin, origins, {"http://rasa:5005"}) is allowed


def test_the_server_gets_the_origin_check_and_the_payload_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    server = built_server(monkeypatch, "https://www.gemeente.nl")
    assert server.eio.handle_request.__name__ == "checked_handle_request"  # what Sanic will route
    assert server.eio.cors_allowed_origins == []  # python-engineio writes no CORS headers (Sanic-CORS does)
    assert server.eio.max_http_buffer_size == socketio_server.MAX_HTTP_BUFFER_SIZE


@pytest.mark.parametrize(
    "data, kept",
    [({"session_id": "widget-1"}, True), (None, False), ([], False), ("x", False), ({"session_id": 5}, False),
     ({"session_id": ""}, False), ({"session_id": "x" * 201}, False), ({}, False)],
)  # fmt: skip
def test_a_malformed_session_request_gets_a_new_session_id(data: Any, kept: bool) -> None:
    session_id = session_id_from(data)
    assert isinstance(session_id, str) and session_id
    assert (session_id == "widget-1") is kept


async def test_a_session_request_puts_the_socket_in_its_session_room(monkeypatch: pytest.MonkeyPatch) -> None:
    server = built_server(monkeypatch, None)
    handler = server.handlers["/"]["session_request"]
    sid = await server.manager.connect("engineio-sid-1", "/")
    await handler(sid, {"session_id": "widget-session-1"})
    assert sid in dict(server.manager.get_participants("/", "widget-session-1")), "not in the session's room"
    await handler(sid, "not an object")  # answered with a new id, no exception
    rooms = server.rooms(sid)
    assert len(rooms) == 3 and "widget-session-1" in rooms and sid in rooms


async def test_rasas_own_handler_leaves_the_socket_outside_the_room(monkeypatch: pytest.MonkeyPatch) -> None:
    """The negative control (rasa#13027): Rasa 3.6's handler calls the coroutine without awaiting it."""
    from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput

    channel = RasaSocketIOInput(session_persistence=True)
    channel.blueprint(ignore)
    assert channel.sio is not None
    sid = await channel.sio.manager.connect("engineio-sid-2", "/")
    with pytest.warns(RuntimeWarning, match="never awaited"):
        await channel.sio.handlers["/"]["session_request"](sid, {"session_id": "widget-session-2"})
        import gc

        gc.collect()
    assert sid not in dict(channel.sio.manager.get_participants("/", "widget-session-2"))


def test_the_keep_alive_listener_restores_the_configured_time_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    app = Sanic("keep_alive_test")
    app.config.KEEP_ALIVE_TIMEOUT = 120  # what `rasa run` sets
    monkeypatch.setenv("SANIC_KEEP_ALIVE_TIMEOUT", "5")
    asyncio.run(socketio_server.restore_keep_alive_timeout(app, None))
    assert app.config.KEEP_ALIVE_TIMEOUT == 5


@pytest.mark.parametrize("written", ["{v}", '"{v}"', "'{v}'"])
def test_env_values_read_the_same_with_or_without_quotes(tmp_path: Path, written: str) -> None:
    """scripts/lib.sh `load_env` reads `.env` for every process: quotes around a value are not part of it."""
    origins, api = "https://www.gemeente.nl http://127.0.0.1:8000", "http://127.0.0.1:8081"
    (tmp_path / ".env").write_text(
        f"RASA_CORS_ORIGINS={written.format(v=origins)}\nTELEGRAM_API_URL={written.format(v=api)}\n"
    )
    script = f'source "{ROOT}/scripts/lib.sh"; ROOT="{tmp_path}"; load_env; '
    script += 'printf "%s\\n%s" "$RASA_CORS_ORIGINS" "$TELEGRAM_API_URL"'
    clean = {k: v for k, v in os.environ.items() if k not in ("RASA_CORS_ORIGINS", "TELEGRAM_API_URL")}
    read = subprocess.run(["bash", "-c", script], env=clean, capture_output=True, text=True, check=True)
    assert read.stdout.splitlines() == [origins, api]
    assert configured_origins(read.stdout.splitlines()[0]) == [
        "https://www.gemeente.nl",
        "http://127.0.0.1:8000",
    ]


def test_a_refused_origin_is_logged_once_with_the_setting_that_allows_it(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socketio_server, "_refused_logged", set())
    monkeypatch.setenv("RASA_CORS_ORIGINS", "https://www.gemeente.nl")
    with caplog.at_level(logging.WARNING, logger="bot.assistant.channels.socketio_server"):
        for _ in range(3):
            socketio_server.log_refused_origin("https://andere-site.example")
    refusals = [record.getMessage() for record in caplog.records]
    assert len(refusals) == 1
    assert "https://andere-site.example" in refusals[0] and "RASA_CORS_ORIGINS" in refusals[0]
    assert "https://www.gemeente.nl" in refusals[0]
