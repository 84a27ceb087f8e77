"""What our socket.io channel changes in the server that Rasa 3.6's channel builds.

Rasa's `SocketIOInput.blueprint()` creates `socketio.AsyncServer(async_mode="sanic",
cors_allowed_origins=[])` and registers its event handlers. `SocketServerSetup` (a mixin placed before
Rasa's class) takes that server and changes three things:

- **Origins.** `cors_allowed_origins=[]` switches python-engineio's Origin check off, so any web page
  could open a socket. The server accepts only the origins in `RASA_CORS_ORIGINS` (space-separated, the
  list `rasa run --cors` gets in scripts/start.sh); a request with another `Origin` header is refused
  with 400 before python-engineio sees it, so no socket exists. Without the variable only the server's
  own origin is accepted. Requests without an `Origin` header (not from a browser) pass, as in
  python-engineio. The check wraps the request handler instead of using python-engineio's own
  (`cors_allowed_origins=[...]`), because that one also writes CORS headers, and Sanic-CORS (Rasa's
  `--cors`) adds its own to every response: a browser refuses an answer with the header twice.
- **Size.** One HTTP long-polling payload may carry at most `MAX_HTTP_BUFFER_SIZE` bytes (python-engineio
  allows 1 MB); a widget message is far smaller (the channel limits a message's length).
- **Session rooms.** With `session_persistence`, Rasa's `session_request` handler calls
  `sio.enter_room(sid, session_id)` without `await`. Since python-socketio 5.10 that method of the
  asyncio server is a coroutine, so the socket never joined its session's room and every reply sent to
  the room (all bot messages: `SocketIOOutput` emits to `room=session_id`) was dropped (rasa#13027).
  Our handler replaces Rasa's and awaits it; it also answers a malformed request (not an object, a
  session id that is not a short string) with a new session id instead of a traceback.

It also gives the Rasa server the keep-alive time-out of SANIC_KEEP_ALIVE_TIMEOUT: Sanic reads its other
SANIC_* variables itself (scripts/start.sh sets them), but `rasa run` overwrites this one with 120 s,
so an idle connection would be held two minutes. The socket.io channel runs in every deployment of
Voordeur (credentials.yml), so its blueprint carries that listener.
"""

from __future__ import annotations

import inspect
import logging
import os
import uuid
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from socketio import AsyncServer

logger = logging.getLogger(__name__)
ORIGINS_VARIABLE = "RASA_CORS_ORIGINS"
KEEP_ALIVE_VARIABLE = "SANIC_KEEP_ALIVE_TIMEOUT"
#: Largest HTTP long-polling payload python-engineio accepts (its default is 1,000,000 bytes).
MAX_HTTP_BUFFER_SIZE = 64 * 1024
#: Longest session id a widget may ask for (the REST channel allows the same length of `sender`).
MAX_SESSION_ID_LENGTH = 200


def configured_origins(value: str | None = None) -> list[str] | None:
    """The origins in `value` (default: the environment's RASA_CORS_ORIGINS), or None when none are set.

    None: only the server's own origin is accepted (python-engineio's default). "*" allows every origin.
    """
    if value is None:
        value = os.environ.get(ORIGINS_VARIABLE, "")
    # Quotes around the list or an origin (a Docker env-file keeps them) are not part of an origin.
    origins = [origin.strip("\"'").rstrip("/") for origin in value.split() if origin.strip("\"'/")]
    if not origins:
        return None
    if "*" in origins:
        return ["*"]
    return origins


def origin_allowed(origin: str, origins: list[str] | None, own_origins: set[str]) -> bool:
    """Whether a request with this Origin header may reach the socket.io server."""
    if origins is None:
        return origin in own_origins
    return origins == ["*"] or origin.rstrip("/") in origins


def own_origins(request: Request) -> set[str]:
    """The server's own origin as the browser sees it, directly or behind a proxy (X-Forwarded-*)."""
    headers = request.headers
    own_scheme = "https" if request.scheme in ("https", "wss") else "http"  # Sanic says ws/wss on upgrades
    found = {f"{own_scheme}://{headers.get('host', '')}"}
    if "x-forwarded-proto" in headers or "x-forwarded-host" in headers:
        scheme = headers.get("x-forwarded-proto", own_scheme).split(",")[0].strip()
        host = headers.get("x-forwarded-host", headers.get("host", "")).split(",")[0].strip()
        found.add(f"{scheme}://{host}")
    return found


_refused_logged: set[str] = set()
#: Origins logged once each; a script that makes up origins cannot fill the log.
REFUSED_LOG_LIMIT = 50


def log_refused_origin(origin: str) -> None:
    """Tell the operator, once per origin, that a web page was refused and which setting allows it."""
    if origin in _refused_logged or len(_refused_logged) >= REFUSED_LOG_LIMIT:
        return
    _refused_logged.add(origin)
    logger.warning(
        "socket.io: refused a connection from origin %r: it is not in %s (%s). Add the website that "
        "embeds the widget there (docs/widget.md).",
        origin[:200],
        ORIGINS_VARIABLE,
        os.environ.get(ORIGINS_VARIABLE, "") or "not set: only this server's own address",
    )


def restrict_origins(server: AsyncServer, origins: list[str] | None) -> None:
    """Refuse requests whose Origin header is not allowed, before python-engineio handles them.

    python-engineio's Sanic driver routes `server.eio.handle_request` when the blueprint is registered
    (after `blueprint()` returns), so the wrapper set here is the route.
    """
    handle_request = server.eio.handle_request

    async def checked_handle_request(request: Request, *args: Any, **kwargs: Any) -> Any:
        origin = request.headers.get("origin")
        if origin and not origin_allowed(origin, origins, own_origins(request)):
            log_refused_origin(origin)
            return response.text("Not an accepted origin.", status=400)
        return await handle_request(request, *args, **kwargs)

    server.eio.handle_request = checked_handle_request


def limit_payloads(server: AsyncServer, max_bytes: int = MAX_HTTP_BUFFER_SIZE) -> None:
    server.eio.max_http_buffer_size = max_bytes


def session_id_from(data: Any) -> str:
    """The session id a widget asked for, or a new one when it asked for none or for a malformed one."""
    requested = data.get("session_id") if isinstance(data, dict) else None
    if isinstance(requested, str) and requested.strip() and len(requested) <= MAX_SESSION_ID_LENGTH:
        return requested
    return uuid.uuid4().hex


def serve_session_requests(server: AsyncServer, namespace: str | None, session_persistence: bool) -> None:
    """Replace Rasa's `session_request` handler by one that awaits `enter_room` (see the module text)."""

    async def session_request(sid: str, data: Any = None) -> None:
        session_id = session_id_from(data)
        if session_persistence:
            entered = server.enter_room(sid, session_id, namespace=namespace)
            if inspect.isawaitable(entered):  # a coroutine since 5.10 (plain before: a 5.9 venv still works)
                await entered
        await server.emit("session_confirm", session_id, room=sid, namespace=namespace)

    server.on("session_request", namespace=namespace)(session_request)


def keep_alive_timeout() -> float | None:
    """Seconds from SANIC_KEEP_ALIVE_TIMEOUT, or None when it is not set."""
    value = os.environ.get(KEEP_ALIVE_VARIABLE, "").strip()
    return float(value) if value else None


async def restore_keep_alive_timeout(app: Any, loop: Any) -> None:
    """Undo `rasa run`'s keep-alive of 120 s (Sanic reads its config for every new connection)."""
    seconds = keep_alive_timeout()
    if seconds is not None:
        app.config.KEEP_ALIVE_TIMEOUT = seconds


class SocketServerSetup:
    """Mixin for Rasa's `SocketIOInput`: origins, payload size and session rooms of its server."""

    namespace: str | None
    session_persistence: bool
    sio: AsyncServer | None

    def blueprint(self, on_new_message: Any) -> Blueprint:
        blueprint = super().blueprint(on_new_message)  # type: ignore[misc]
        assert self.sio is not None  # Rasa's blueprint() has just created the server
        restrict_origins(self.sio, configured_origins())
        limit_payloads(self.sio)
        serve_session_requests(self.sio, self.namespace, self.session_persistence)
        blueprint.listener("before_server_start")(restore_keep_alive_timeout)
        return blueprint
