"""Rasa's REST and socket.io channels, as the residents' website and the widget use them.

Both keep Rasa's channel names ("rest", "socketio"), so `output_channel=latest` keeps finding them, and
hand every message to the message pipeline (bot/assistant/channels/message_pipeline.py) with the client's key
(bot/assistant/channels/client_limits.py) in its metadata. Malformed requests and events are refused here,
before the pipeline (issue 20).

Usage (credentials.yml)::

    bot.assistant.channels.web_channels.RestInput:
    bot.assistant.channels.web_channels.SocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

Telegram (bot/assistant/channels/telegram.py) and WhatsApp (bot/assistant/channels/whatsapp.py) use
`MessagePipeline` themselves.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.assistant.channels.client_limits import LimitSettings
from bot.assistant.channels.message_pipeline import MessagePipeline, OnNewMessage
from bot.assistant.channels.socketio_server import SocketServerSetup

logger = logging.getLogger(__name__)

MAX_SENDER_LENGTH = 200
#: The answer to a socket.io message event the channel cannot read (not an object, no text).
UNREADABLE_TEXT = "Dat bericht kon ik niet lezen. Probeer het nog eens."


class PipelineChannel:
    """Mixin for one of Rasa's input channels: its messages go through the message pipeline."""

    limit_settings: LimitSettings | None = None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        self.limit_settings = LimitSettings.for_channels()
        pipeline = MessagePipeline(self.name(), self.limit_settings)  # type: ignore[attr-defined]
        blueprint = super().blueprint(pipeline.wrap(on_new_message))  # type: ignore[misc]
        pipeline.listen(blueprint)
        return blueprint

    def client_metadata(self, metadata: Any, peer: str | None, forwarded_for: str | None) -> dict[str, Any]:
        """`metadata` with this request's client key or exempt mark
        (bot/assistant/channels/client_limits.py)."""
        settings = self.limit_settings or LimitSettings.for_channels()
        return settings.tag(metadata, peer, forwarded_for)


class RestInput(PipelineChannel, RasaRestInput):
    """Rasa's REST channel (name "rest") with the message pipeline.

    A malformed request (not a JSON object, no sender, a message or metadata of the wrong type) gets a
    400 instead of Rasa's 500 or a reply to the conversation "default" (tests/app/test_robustness.py).
    """

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        body = request.json  # invalid JSON: sanic answers 400
        if not isinstance(body, dict):
            raise InvalidUsage("Send a JSON object with 'sender' and 'message'.")
        if not isinstance(body.get("metadata") or {}, dict):
            raise InvalidUsage("'metadata' must be a JSON object.")
        if not isinstance(body.get("input_channel") or "", str):
            raise InvalidUsage("'input_channel' must be a string.")
        return body

    async def _extract_sender(self, req: Request) -> str | None:
        sender = self._body(req).get("sender")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
            raise InvalidUsage(
                f"'sender' must be a non-empty string of at most {MAX_SENDER_LENGTH} characters."
            )
        return sender

    def _extract_message(self, req: Request) -> str | None:
        message = self._body(req).get("message")
        if not isinstance(message, str):
            raise InvalidUsage("'message' must be a string.")
        return message

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """The body's metadata with the client's key: the peer, or the forwarded address behind a proxy."""
        return self.client_metadata(
            self._body(request).get("metadata"), request.ip, request.headers.get("x-forwarded-for")
        )


class SocketIOInput(PipelineChannel, SocketServerSetup, RasaSocketIOInput):
    """Rasa's socket.io channel (name "socketio") with the message pipeline.

    With `session_persistence`, each socket joins the room of its session id (bot/assistant/channels/
    socketio_server.py awaits python-socketio's `enter_room`, which Rasa does not), so the bot's replies
    and a bot event sent with `output_channel=latest` (a staff reply) reach the sockets of that session;
    tests/rasa/test_handover_server.py checks it. Only the origins in RASA_CORS_ORIGINS may connect.

    Malformed events get no traceback (issue 20): `session_request` with anything but an object holding
    a usable `session_id` starts a new session; a message event that is not an object with a string
    `message` (and, with session persistence, a usable `session_id`) is answered with
    `UNREADABLE_TEXT` to that socket only and goes no further.
    """

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        self._guard_events()
        return blueprint

    def _guard_events(self) -> None:
        """Put checks in front of Rasa's `session_request` and message handlers."""
        sio, namespace = self.sio, self.namespace or "/"
        assert sio is not None  # Rasa's blueprint() has just created the server
        handlers = sio.handlers.get(namespace, {})
        rasa_session_request = handlers["session_request"]
        rasa_handle_message = handlers[self.user_message_evt]

        async def session_request(sid: str, data: Any = None, *extra: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            try:
                await rasa_session_request(sid, {"session_id": session_id if usable_id(session_id) else None})
            except Exception as error:  # not the client's fault: keep the (masked) traceback
                logger.error("socket.io session_request failed: %s", type(error).__name__, exc_info=True)

        async def handle_message(sid: str, data: Any = None, *extra: Any) -> None:
            checked = self._checked_message(data)
            if checked is None:
                logger.warning("socket.io: a malformed %s event was refused", self.user_message_evt)
                await self._answer_unreadable(sid, namespace)
                return
            environ = sio.get_environ(sid, namespace) or {}
            request = environ.get("sanic.request")
            checked[self.metadata_key] = self.client_metadata(
                checked[self.metadata_key], getattr(request, "ip", None), environ.get("HTTP_X_FORWARDED_FOR")
            )
            try:
                await rasa_handle_message(sid, checked)
            except Exception as error:  # not the client's fault: keep the (masked) traceback
                logger.error("socket.io message handling failed: %s", type(error).__name__, exc_info=True)

        sio.on("session_request", handler=session_request, namespace=namespace)
        sio.on(self.user_message_evt, handler=handle_message, namespace=namespace)

    def _checked_message(self, data: Any) -> dict[str, Any] | None:
        """The event's data as Rasa's handler reads it, or None when it is malformed."""
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return None
        session_id = data.get("session_id")
        if self.session_persistence and not usable_id(session_id):
            return None
        metadata = data.get(self.metadata_key)
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = None
        checked: dict[str, Any] = {
            "message": data["message"],
            self.metadata_key: metadata if isinstance(metadata, dict) else {},
        }
        if usable_id(session_id):
            checked["session_id"] = session_id
        return checked

    async def _answer_unreadable(self, sid: str, namespace: str) -> None:
        assert self.sio is not None
        try:
            await self.sio.emit(
                self.bot_message_evt, {"text": UNREADABLE_TEXT}, room=sid, namespace=namespace
            )
        except Exception as error:
            logger.error("socket.io: could not answer a malformed event: %s", type(error).__name__)


def usable_id(value: Any) -> bool:
    """A session id the channel accepts: a non-empty string of at most `MAX_SENDER_LENGTH` characters."""
    return isinstance(value, str) and 0 < len(value.strip()) and len(value) <= MAX_SENDER_LENGTH
