"""The wrapper around each resident channel's `on_new_message`: privacy before Rasa, safety after it.

Before anything else reads a message, the input limits apply (bot/channels/input_limits.py): lone
surrogates, control characters and bidi overrides go, a message over `MAX_MESSAGE_LENGTH` characters gets
a kind answer and is not passed to Rasa, and the metadata is cleaned and masked. Then it masks a BSN, an
IBAN and (unless a form asks for one) an e-mail address (bot/shared/privacy.py), so the tracker store,
the NLU and the transcript only get the masked text. The process's log records are masked too
(bot/log_masking.py, installed when the channel is built).
After Rasa has handled a message, bot/channels/after_turn.py gives the crisis response to a crisis
message in a conversation paused for a staff member (the bot stays silent on every other message
there), a kind reply to a turn without any bot message, and deletes a conversation whose resident
confirmed "verwijder mijn gegevens" (bot/channels/forget.py).

It also adds the channel's name to each message's metadata (`voordeur_channel`), so that actions know
the channel at session start, before Rasa has logged the message that started the session.

Before the message reaches Rasa, the abuse limits apply (bot/channels/client_limits.py): new
conversations per client address (asked of the backend only for a new conversation) and messages per
conversation per minute. A refused message gets a short Dutch answer (bot/channels/limit_replies.py)
and is not stored; a crisis message is never refused (the NLU decides, without storing anything), so
the safety reply still comes first.

Usage (credentials.yml): the resident channels are thin subclasses that keep Rasa's channel names
("rest", "socketio"), so `output_channel=latest` keeps finding them::

    bot.channels.paused_safety.RestInput:
    bot.channels.paused_safety.SocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

Our Telegram channel (bot/channels/telegram.py) uses `PausedSafety` itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.shared.core.constants import REQUESTED_SLOT
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot import action_requests, event_types, log_masking, schema_validation
from bot.channels import client_limits, input_limits, limit_replies
from bot.channels.after_turn import CRISIS_PREFIX, SentResponses, after_turn
from bot.channels.client_limits import LimitSettings, Refusal, ResidentLimits
from bot.channels.socketio_server import SocketServerSetup
from bot.nlp import encoder
from bot.nlp.safety_policy import CHECK_IN_KEY
from bot.settings import rasa_side_settings
from bot.shared.privacy import BSN, EMAIL, IBAN, mask, strip_placeholders

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
CHANNEL_METADATA_KEY = "voordeur_channel"  # read by actions/session.py
MAX_SENDER_LENGTH = 200
#: Forms that ask for an e-mail address, and the slots that ask for it: only there is an address kept.
EMAIL_REQUESTS: dict[str, tuple[str, ...]] = {
    "spreekuur_form": ("spreekuur_contact",),
    "booking_change_form": ("change_verification",),  # the second factor may be the e-mail address
}
_MASKED_WHAT = {BSN: "BSN", IBAN: "bankrekeningnummer", EMAIL: "e-mailadres"}
#: The answer to a socket.io message event the channel cannot read (not an object, no text).
UNREADABLE_TEXT = "Dat bericht kon ik niet lezen. Probeer het nog eens."


def masked_note(kinds: frozenset[str], address_form: str | None) -> str:
    """'Ik heb je BSN niet bewaard. Dat hebben we niet nodig.' (u-form when the slot says so)."""
    names = [_MASKED_WHAT[kind] for kind in (BSN, IBAN, EMAIL) if kind in kinds]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
    possessive = "uw" if address_form == "u" else "je"
    return f"Ik heb {possessive} {listed} niet bewaard. Dat hebben we hier niet nodig."


class PausedSafety:
    """Wraps one channel's `on_new_message`; finds the agent through the Sanic app it runs in."""

    def __init__(self, limit_settings: LimitSettings | None = None, channel: str = "") -> None:
        self.app: Any = None
        self.max_length = input_limits.max_message_length()
        self.limit_settings = limit_settings or LimitSettings.for_channels()
        self.limits = ResidentLimits(self.limit_settings, channel)
        log_masking.install()

    def listen(self, blueprint: Blueprint) -> None:
        """Remember the app when the server starts (its `ctx.agent` is the current agent)."""

        async def remember_app(app: Any, loop: Any) -> None:
            """Keep the app the channel runs in; take out costs per message that change no behaviour."""
            self.app = app
            schema_validation.install()
            event_types.install()
            action_requests.install()
            log_masking.install()  # again: also on the handlers Sanic added since

        blueprint.listener("before_server_start")(remember_app)

    def wrap(self, on_new_message: OnNewMessage, channel: str) -> OnNewMessage:
        """`on_new_message` on the masked message, then the safety reply when the conversation is paused,
        a kind reply when Rasa said nothing, and the deletion a resident asked for (after_turn.py)."""

        async def handle(message: UserMessage) -> Any:
            """Clean, limit and mask, let Rasa handle the message, then what a turn may still need."""
            message.text = input_limits.clean_text(message.text)
            if len(message.text) > self.max_length:
                await self.refuse_too_long(message, channel)
                return None
            message.metadata = {
                **input_limits.clean_metadata(message.metadata),
                **self.limit_metadata(message.metadata),
                CHANNEL_METADATA_KEY: channel,
            }
            if await self.refuse_over_limit(message):
                return None
            await self.mask_identifiers(message)
            await encoder.embed_ahead(strip_placeholders(message.text))  # off the event loop
            sent = SentResponses(message.output_channel)
            result = await on_new_message(message)
            agent = getattr(getattr(self.app, "ctx", None), "agent", None)
            try:
                await after_turn(agent, message, sent)
            except Exception as error:  # the resident's message is stored; log and go on
                logger.error("Checking the turn after a message failed: %s", type(error).__name__)
            return result

        return handle

    async def refuse_too_long(self, message: UserMessage, channel: str) -> None:
        """Answer a message over the limit kindly; Rasa never sees it, so nothing of it is stored."""
        logger.info(
            "Refused a %s message of %d characters (limit %d)", channel, len(message.text), self.max_length
        )
        try:
            await message.output_channel.send_text_message(
                message.sender_id, input_limits.too_long_reply(self.max_length)
            )
        except Exception as error:
            logger.error("Could not send the too-long answer: %s", type(error).__name__)

    @staticmethod
    def limit_metadata(metadata: Any) -> dict[str, Any]:
        """The channel's own limit marks, kept apart from the cleaning (a hash is no text to mask)."""
        if not isinstance(metadata, dict):
            return {}
        keys = (client_limits.CLIENT_METADATA_KEY, client_limits.EXEMPT_METADATA_KEY)
        return {key: metadata[key] for key in keys if key in metadata}

    async def refuse_over_limit(self, message: UserMessage) -> bool:
        """Answer a message over an abuse limit kindly and keep it from Rasa; never a crisis message."""
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        try:
            refusal = await self.limits.refusal(agent, message.sender_id, message.metadata)
        except Exception as error:  # a limit must never cost a resident their answer
            logger.error("Abuse limits: the check failed (%s); the message goes on", type(error).__name__)
            return False
        if refusal is None:
            return False
        if await self.safety_message(agent, message.text):
            logger.info("Abuse limits: a crisis message passes the %s limit", refusal.kind)
            return False
        await self.answer_refusal(message, refusal)
        return True

    @staticmethod
    async def safety_message(agent: Any, text: str) -> bool:
        """Whether the NLU (with the safety net) reads a crisis or a possible signal; nothing is stored."""
        if agent is None or not text.strip():
            return False
        try:
            parsed = await agent.parse_message(mask(text, keep_email=False).text)
        except Exception as error:
            logger.error("Abuse limits: the crisis check failed (%s)", type(error).__name__)
            return False
        intent = str((parsed.get("intent") or {}).get("name") or "")
        return intent.startswith(CRISIS_PREFIX) or bool(parsed.get(CHECK_IN_KEY))

    async def answer_refusal(self, message: UserMessage, refusal: Refusal) -> None:
        channel = message.metadata.get(CHANNEL_METADATA_KEY)
        logger.info("Abuse limits: refused a %s message (%s limit)", channel, refusal.kind)
        try:
            settings = rasa_side_settings()
            phone = limit_replies.wijkteam_phone(settings.content_dir)
            form = settings.address_form
        except ValueError:
            phone, form = None, "je"
        text = limit_replies.reply_for(refusal.kind, refusal.retry_after, phone, form)
        try:
            await message.output_channel.send_text_message(message.sender_id, text)
        except Exception as error:
            logger.error("Could not send the limit answer: %s", type(error).__name__)

    async def mask_identifiers(self, message: UserMessage) -> None:
        """Mask a BSN, IBAN or e-mail address before Rasa stores, parses or logs the message.

        An e-mail address is kept only while a form asks for one (`EMAIL_REQUESTS`). When something was
        masked, a short note tells the resident it was not kept (sent before the bot's reply).
        """
        if not message.text or not mask(message.text, keep_email=False).kinds:
            return  # nothing to mask: no need to read the conversation (the common case)
        form, requested, address_form = await self._form_state(message.sender_id)
        keep_email = requested is not None and requested in EMAIL_REQUESTS.get(form or "", ())
        masked = mask(message.text, keep_email=keep_email)
        if not masked.kinds:
            return
        message.text = masked.text
        logger.info("Masked %s in a message before storing it", ", ".join(sorted(masked.kinds)))
        try:
            await message.output_channel.send_text_message(
                message.sender_id, masked_note(masked.kinds, address_form)
            )
        except Exception as error:  # the note is a courtesy; the message itself goes on
            logger.error("Could not send the masking note: %s", type(error).__name__)

    async def _form_state(self, sender_id: str) -> tuple[str | None, str | None, str | None]:
        """The active form, the slot it asks for and the form of address of a stored conversation."""
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return None, None, None
        try:
            tracker = await store.retrieve(sender_id)
        except Exception as error:  # mask as if no form were active: the safe side
            logger.error("Could not read the conversation to mask a message: %s", type(error).__name__)
            return None, None, None
        if tracker is None:
            return None, None, None
        form = tracker.active_loop_name
        requested = tracker.get_slot(REQUESTED_SLOT) if form else None
        return form, requested, tracker.get_slot("address_form")


class PausedSafetyChannel:
    """Mixin for an input channel: its messages go through `PausedSafety`."""

    limit_settings: LimitSettings | None = None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        self.limit_settings = LimitSettings.for_channels()
        safety = PausedSafety(self.limit_settings, self.name())  # type: ignore[attr-defined]
        blueprint = super().blueprint(safety.wrap(on_new_message, self.name()))  # type: ignore[misc,attr-defined]
        safety.listen(blueprint)
        return blueprint

    def client_metadata(self, metadata: Any, peer: str | None, forwarded_for: str | None) -> dict[str, Any]:
        """`metadata` with this request's client key or exempt mark (bot/channels/client_limits.py)."""
        settings = self.limit_settings or LimitSettings.for_channels()
        return settings.tag(metadata, peer, forwarded_for)


class RestInput(PausedSafetyChannel, RasaRestInput):
    """Rasa's REST channel (name "rest") with the safety reply for paused conversations.

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


class SocketIOInput(PausedSafetyChannel, SocketServerSetup, RasaSocketIOInput):
    """Rasa's socket.io channel (name "socketio") with the safety reply for paused conversations.

    With `session_persistence`, each socket joins the room of its session id (bot/channels/
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
