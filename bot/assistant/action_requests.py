"""Rasa's requests to the action server, with the JSON body written by ujson instead of the standard library.

Rasa 3.6 sends the conversation (every event of the session) to the action server with each custom
action it runs, as the JSON body of an aiohttp request. Writing that body with `json.dumps` was 7.5% of
the Rasa server's time per message in the closed loop of the load benchmark (py-spy, 2026-12-06,
docs/load-benchmark.md). ujson, a dependency of Rasa itself, writes the same JSON several times faster.
The session is otherwise Rasa's own (`EndpointConfig.session`: its headers, with the action server's
token, its basic auth and its time-out); a body ujson cannot write falls back to `json.dumps`.

Put in place of `EndpointConfig.session` by bot/assistant/channels/rasa_hooks.py when the Rasa server starts.
"""

from __future__ import annotations

import json
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


def session(self: EndpointConfig) -> aiohttp.ClientSession:
    """`EndpointConfig.session` of Rasa 3.6, with `dumps` for JSON bodies."""
    auth = None
    if self.basic_auth:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=dumps,
    )
