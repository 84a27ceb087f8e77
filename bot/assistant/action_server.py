"""The action server: rasa-sdk's executor behind a shared secret, on 127.0.0.1 unless told otherwise.

rasa-sdk 3.6 has no authentication and listens on all interfaces (`SANIC_HOST`, default 0.0.0.0); its
error handler answers any failure (an unknown path too) with 500 and the request body. So we serve its
`ActionExecutor` from our own small Sanic app (docs/security.md, issue 20):

- every call but `GET /health` needs `Authorization: Bearer <ACTION_SERVER_TOKEN>` (Rasa sends it:
  `action_endpoint.headers` in endpoints.yml), compared in constant time; without it: 401, nothing runs;
- the body must be a JSON object with `next_action` and a `tracker` object with a `sender_id`, else 400;
- unknown paths 404, wrong methods 405, bodies over `MAX_BODY_BYTES` 413; every error is a short JSON
  answer without a traceback and without the request body.

Usage (scripts/start.sh)::

    ACTION_SERVER_TOKEN=... python -m bot.assistant.action_server [--host 127.0.0.1] [--port 5055]

`ACTION_HOST` and `ACTION_PORT` set the address (a private network address in production, never a
public one). The secret is required everywhere; outside development it must be 24+ characters.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import zlib
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from rasa_sdk import utils as sdk_utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import log_masking
from bot.assistant.settings import DEVELOPMENT, MIN_SECRET_LENGTH, SettingsError

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
#: A tracker with a long conversation is a few hundred kB; far below this.
MAX_BODY_BYTES = 8 * 1024 * 1024
ACTIONS_PACKAGE = "actions"

Handler = Callable[[Request], Coroutine[Any, Any, HTTPResponse]]


@dataclass(frozen=True)
class ActionServerSettings:
    host: str
    port: int
    token: str
    voordeur_env: str = DEVELOPMENT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ActionServerSettings:
        env = os.environ if environ is None else environ
        try:
            port = int(env.get("ACTION_PORT", "") or DEFAULT_PORT)
        except ValueError:
            raise SettingsError("ACTION_PORT must be a port number") from None
        settings = cls(
            host=env.get("ACTION_HOST", "").strip() or DEFAULT_HOST,
            port=port,
            token=env.get("ACTION_SERVER_TOKEN", ""),
            voordeur_env=env.get("VOORDEUR_ENV", DEVELOPMENT),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """A secret always (a server without one would run any action for anyone); 24+ characters
        outside development."""
        if not 0 < self.port < 65536:
            raise SettingsError("ACTION_PORT must be a port number")
        if not self.token.strip():
            raise SettingsError(
                "ACTION_SERVER_TOKEN must be set: the action server refuses to run without it"
            )
        if self.voordeur_env != DEVELOPMENT and len(self.token) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"ACTION_SERVER_TOKEN must be set ({MIN_SECRET_LENGTH}+ characters) outside development"
            )


def error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status)


class BadBody(ValueError):
    """The request body is not an action call."""


def read_action_call(request: Request) -> dict[str, Any]:
    """The action call in the body (JSON, or deflate-compressed JSON as Rasa sends with
    COMPRESS_ACTION_SERVER_REQUEST); raises BadBody when it is not one."""
    body = request.body or b""
    if request.headers.get("Content-Encoding", "").lower() == "deflate":
        inflater = zlib.decompressobj()
        try:
            body = inflater.decompress(body, MAX_BODY_BYTES)
        except zlib.error:
            raise BadBody("the body is not deflate data") from None
        if inflater.unconsumed_tail:
            raise BadBody("the body is too large once decompressed")
    try:
        call = json.loads(body)
    except (ValueError, RecursionError):
        raise BadBody("the body is not JSON") from None
    if not isinstance(call, dict):
        raise BadBody("the body must be a JSON object")
    if not isinstance(call.get("next_action"), str) or not call["next_action"]:
        raise BadBody("next_action is missing")
    tracker = call.get("tracker")
    if not isinstance(tracker, dict) or not isinstance(tracker.get("sender_id"), str):
        raise BadBody("tracker with a sender_id is missing")
    for key, kind in (("slots", dict), ("latest_message", dict), ("events", list), ("active_loop", dict)):
        if tracker.get(key) is not None and not isinstance(tracker[key], kind):
            raise BadBody(f"tracker.{key} has the wrong type")
    if call.get("domain") is not None and not isinstance(call["domain"], dict):
        raise BadBody("domain must be a JSON object")
    if call.get("version") is not None and not isinstance(call["version"], str):
        raise BadBody("version must be a string")
    return call


def authorised(request: Request, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def create_app(token: str, actions_package: str = ACTIONS_PACKAGE, name: str = "voordeur_actions") -> Sanic:
    """The Sanic app; `token` is the shared secret Rasa sends."""
    if not token:
        raise SettingsError("ACTION_SERVER_TOKEN must be set")
    app = Sanic(name, configure_logging=False)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.FALLBACK_ERROR_FORMAT = "json"
    executor = ActionExecutor()
    executor.register_package(actions_package)

    def secret_required(handler: Handler) -> Handler:
        async def checked(request: Request) -> HTTPResponse:
            if not authorised(request, token):
                logger.warning("Refused a call to %s without the right secret", request.path[:100])
                return error(401, "unauthorized", "This server needs its secret.")
            return await handler(request)

        checked.__name__ = handler.__name__
        return checked

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        """Liveness only: says nothing about actions or data."""
        return response.json({"status": "ok"})

    @app.post("/webhook")
    @secret_required
    async def webhook(request: Request) -> HTTPResponse:
        """Run one action for Rasa."""
        try:
            call = read_action_call(request)
        except BadBody as refusal:
            return error(400, "bad_request", str(refusal))
        sdk_utils.check_version_compatibility(call.get("version"))
        try:
            result = await executor.run(call)
        except ActionExecutionRejection as rejection:
            return response.json(
                {"error": rejection.message, "action_name": rejection.action_name}, status=400
            )
        except ActionNotFoundException as missing:
            logger.error("Rasa asked for an unknown action: %s", missing.action_name[:100])
            return error(404, "unknown_action", "This action does not exist.")
        return response.json(result)

    @app.get("/actions")
    @secret_required
    async def actions(_: Request) -> HTTPResponse:
        """The names of the registered actions."""
        return response.json([{"name": name} for name in executor.actions])

    @app.exception(SanicException)
    async def http_error(request: Request, exception: SanicException) -> HTTPResponse:
        """Unknown path (404), wrong method (405), body too large (413), ...: status and a short text."""
        status = int(getattr(exception, "status_code", 400) or 400)
        return error(status, "http_error", type(exception).__name__)

    @app.exception(Exception)
    async def internal_error(request: Request, exception: Exception) -> HTTPResponse:
        """An action failed: log where (with the traceback), answer without details."""
        logger.error("The action server failed on %s", request.path[:100], exc_info=exception)
        return error(500, "internal_error", "The action could not run.")

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Voordeur's action server (rasa-sdk behind a shared secret)")
    parser.add_argument("--host", help=f"interface to listen on (ACTION_HOST, default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, help=f"port (ACTION_PORT, default {DEFAULT_PORT})")
    parser.add_argument("--actions", default=ACTIONS_PACKAGE, help="the actions package")
    sdk_utils.add_logging_level_option_arguments(parser)
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.host:
        env["ACTION_HOST"] = args.host
    if args.port:
        env["ACTION_PORT"] = str(args.port)
    sdk_utils.configure_colored_logging(args.loglevel)
    sdk_utils.update_sanic_log_level()
    log_masking.install()  # nothing personal in any log line (bot/log_masking.py, issue 20)
    try:
        settings = ActionServerSettings.from_env(env)
    except SettingsError as refusal:
        raise SystemExit(f"action server: {refusal}") from None
    app = create_app(settings.token, args.actions)
    logger.info("Action server on http://%s:%d (secret required)", settings.host, settings.port)
    app.run(
        settings.host,
        settings.port,
        workers=sdk_utils.number_of_sanic_workers(),
        access_log=False,
        motd=False,
    )


if __name__ == "__main__":
    main()
