"""Rasa's requests to the action server, with the JSON body written by ujson instead of the standard library.

Rasa 3.6 sends the conversation (every event of the session) to the action server with each custom
action it runs, as the JSON body of an aiohttp request. Writing that body with `json.dumps` was 7.5% of
the Rasa server's time per message in the closed loop of the load benchmark (py-spy, 2026-12-06,
docs/load-benchmark.md). ujson, a dependency of Rasa itself, writes the same JSON several times faster.
The session is otherwise Rasa's own (`EndpointConfig.session`: its headers, with the action server's
token, its basic auth and its time-out); a body ujson cannot write falls back to `json.dumps`.

Rasa opens a new session for every request, and so a new connection to the action server for every custom
action and form validation (3.8% of the Rasa server's time in the load benchmark's profile, 2026-12-07).
The session here stays open for the next request of the same endpoint on the same event loop, so its
connections are used again. An idle connection is closed after `IDLE_CONNECTION_SECONDS`, well before
Sanic's own keep-alive time-out on the action server (5 s), so a request never goes out on a
connection the server is closing.

Put in place of `EndpointConfig.session` by bot/assistant/channels/rasa_hooks.py when the Rasa server starts.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

import aiohttp
import ujson
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig


def dumps(value: Any) -> str:
    """JSON text of `value`; the same document as `json.dumps` writes (slashes unescaped)."""
    try:
        return ujson.dumps(value, escape_forward_slashes=False)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(value)


#: Seconds an unused connection to the action server stays open (Sanic closes its side after 5 s).
IDLE_CONNECTION_SECONDS = 1.0

_open_sessions: dict[tuple[str, str], tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = {}


def new_session(self: EndpointConfig) -> aiohttp.ClientSession:
    """`EndpointConfig.session` of Rasa 3.6, with `dumps` for JSON bodies and idle connections kept."""
    auth = None
    if self.basic_auth:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=dumps,
        connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS),
    )


def session(self: EndpointConfig) -> AbstractAsyncContextManager[aiohttp.ClientSession]:
    """The endpoint's open session on the running event loop (a new one for a new loop or endpoint)."""
    loop = asyncio.get_running_loop()
    key = (repr(sorted((self.headers or {}).items())), repr(self.basic_auth))
    kept_loop, kept = _open_sessions.get(key, (None, None))
    if kept is None or kept.closed or kept_loop is not loop:
        kept = new_session(self)
        _open_sessions[key] = (loop, kept)
    return nullcontext(kept)  # `async with` leaves it open for the next request


async def close_sessions() -> None:
    """Close the open sessions of the running event loop (when the server stops)."""
    loop = asyncio.get_running_loop()
    for key, (kept_loop, kept) in list(_open_sessions.items()):
        if kept_loop is loop:
            del _open_sessions[key]
            await kept.close()
