"""How uvicorn serves the backend: time-outs and request sizes (docs/security.md, "Time-outs and sizes").

uvicorn (h11) limits a request head to 16 KiB and closes an idle keep-alive connection, but it waits for
the head of a request without any time limit: its keep-alive timer stops at the first byte, so a client
that sends one header byte every few seconds holds the connection for ever. `HeadDeadlineProtocol`
gives every request head a deadline (from the connection's start, or from the end of the previous
answer on a kept-alive connection). uvicorn has no size limit for a request body either:
`BodySizeLimit` refuses a body larger than `MAX_BODY_BYTES` before the app reads it.

Behind the reverse proxy (deploy/nginx) these limits are a second line: nginx already holds a slow
client and buffers whole requests.

Usage (bot/backend/__main__.py)::

    uvicorn.run(BodySizeLimit(app), host=..., port=..., **server_options())
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a client has to send the whole head of a request (request line and headers).
HEAD_TIMEOUT_SECONDS = 10.0
#: Seconds an idle kept-alive connection stays open (uvicorn's default).
KEEP_ALIVE_SECONDS = 5
#: Largest request head (h11's buffer for an incomplete event; uvicorn's default).
MAX_HEAD_BYTES = 16 * 1024
#: Largest request body: staff forms and the action server's JSON are a few kilobytes.
MAX_BODY_BYTES = 1_000_000

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class HeadDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head (see the module text)."""

    head_timeout = HEAD_TIMEOUT_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._start_head_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._start_head_deadline()  # the next request on this connection

    def handle_websocket_upgrade(self, event: Any) -> None:
        self._stop_head_deadline()  # the connection is no longer HTTP
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_deadline()
        super().connection_lost(exc)

    def _start_head_deadline(self) -> None:
        self._stop_head_deadline()
        self._head_deadline = self.loop.call_later(self.head_timeout, self._head_deadline_passed)

    def _stop_head_deadline(self) -> None:
        deadline = getattr(self, "_head_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._head_deadline = None

    def _head_deadline_passed(self) -> None:
        """Close the connection when it is still waiting for (the rest of) a request head."""
        self._head_deadline = None
        waiting_for_head = self.cycle is None or self.cycle.response_complete
        if waiting_for_head and not self.transport.is_closing():
            self.logger.info("Closing a connection whose request head did not arrive in time")
            self.transport.close()


def server_options() -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config`."""
    return {
        "http": HeadDeadlineProtocol,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }


class BodySizeLimit:
    """ASGI wrapper: 413 for a declared body over `max_bytes`, 411 for a body of unknown length."""

    def __init__(self, app: Any, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value for name, value in scope["headers"]}
        length = headers.get(b"content-length")
        if length is None and b"transfer-encoding" in headers:
            await _refuse(send, 411, "length_required", "Stuur de lengte van het verzoek mee.")
            return
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _refuse(send, 413, "too_large", "Dit verzoek is te groot.")
            return
        await self.app(scope, receive, send)


async def _refuse(send: Any, status: int, code: str, message: str) -> None:
    """An answer in the backend's error shape (bot/backend/api/errors.py)."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close")],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
