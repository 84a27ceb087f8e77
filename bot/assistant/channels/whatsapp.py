"""Voordeur's WhatsApp channel for Rasa, on Meta's WhatsApp Business Cloud API (httpx; no WhatsApp Web).

Usage:
    Add to credentials.yml (Rasa expands ``${VAR}`` only in unquoted values)::

        bot.assistant.channels.whatsapp.WhatsAppInput:
          access_token: ${WHATSAPP_TOKEN}
          phone_number_id: ${WHATSAPP_PHONE_NUMBER_ID}
          app_secret: ${WHATSAPP_APP_SECRET}
          verify_token: ${WHATSAPP_VERIFY_TOKEN}
          api_url: ${WHATSAPP_API_URL}          # empty: https://graph.facebook.com
          api_version: ${WHATSAPP_API_VERSION}  # empty: v21.0

    Meta calls ``https://<host>/webhooks/whatsapp/webhook``: once with a GET to verify it (the
    ``hub.verify_token`` must match), then a POST per batch of messages and statuses, signed in
    ``X-Hub-Signature-256`` with the app secret. An empty token (or any missing value) switches the
    channel off: Rasa starts, logs a warning, and the webhook answers 503. See docs/whatsapp.md.

    In a chat: text goes to Rasa; a tapped reply button or list row sends the button's payload;
    photos, voice messages, stickers, locations, documents and reactions get a short Dutch note;
    delivery statuses are counted, not answered. The conversation id is a keyed hash of the
    resident's number (bot/assistant/channels/whatsapp_contacts.py), never the number itself.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.assistant.channels.message_pipeline import MessagePipeline, TurnOutcome
from bot.assistant.channels.whatsapp_client import (
    DEFAULT_API_VERSION,
    GRAPH_API,
    WINDOW_CLOSED_CODE,
    WhatsAppClient,
)
from bot.assistant.channels.whatsapp_contacts import Contacts, id_key
from bot.assistant.channels.whatsapp_templates import Templates
from bot.assistant.channels.whatsapp_text import PayloadBook, render
from bot.shared.whatsapp_window import window_open

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_CHALLENGE_LENGTH = 200
#: Message kinds that carry no text for Rasa (https://developers.facebook.com/docs/whatsapp/cloud-api/
#: webhooks/components): answered with TEXT_ONLY_TEXT.
NON_TEXT_KINDS = frozenset(
    {"image", "audio", "voice", "sticker", "location", "document", "video", "contacts", "reaction", "order"}
)

# What the resident reads (Dutch, B1, 'je').
TEXT_ONLY_TEXT = "Ik kan alleen tekst lezen. Typ je vraag in een bericht."
STALE_BUTTON_TEXT = "Deze knop werkt niet meer. Typ je vraag in een bericht."
CRISIS_RESPONSE = "utter_crisis_"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass(frozen=True)
class WhatsAppSettings:
    """The channel's credentials.yml block."""

    access_token: str
    phone_number_id: str
    app_secret: str
    verify_token: str
    api_url: str = GRAPH_API
    api_version: str = DEFAULT_API_VERSION

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppSettings:
        """Read the block; empty or missing values fall back to the defaults."""
        values = {key: str(value or "").strip() for key, value in (credentials or {}).items()}
        return cls(
            access_token=values.get("access_token", ""),
            phone_number_id=values.get("phone_number_id", ""),
            app_secret=values.get("app_secret", ""),
            verify_token=values.get("verify_token", ""),
            api_url=values.get("api_url") or GRAPH_API,
            api_version=values.get("api_version") or DEFAULT_API_VERSION,
        )

    def problem(self) -> str | None:
        """Why the channel cannot run, or None."""
        if not self.access_token:
            return "no access_token (WHATSAPP_TOKEN is empty)"
        for field, variable in (
            ("phone_number_id", "WHATSAPP_PHONE_NUMBER_ID"),
            ("app_secret", "WHATSAPP_APP_SECRET"),
            ("verify_token", "WHATSAPP_VERIFY_TOKEN"),
        ):
            if not getattr(self, field):
                return f"no {field} ({variable} is empty)"
        return None


def in_turn_order(held: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The replies to one message as the resident gets them: crisis replies first, and a reply that
    offers the same buttons as an earlier one left out (WhatsApp has no /start: a new conversation's
    first message gets the introduction with the topics, and the greeting would offer them again).

    A crisis reply can follow the introduction of a new conversation (Rasa's session start speaks
    first); on WhatsApp the first message is often the question itself, so the safety reply moves up.
    A crisis reply is never left out.
    """
    offered: list[Any] = []
    kept, crisis = [], []
    for recipient_id, message in held:
        buttons = message.get("buttons") or []
        if str(message.get("utter_action") or "").startswith(CRISIS_RESPONSE):
            crisis.append((recipient_id, message))
        elif not (buttons and buttons in offered):
            kept.append((recipient_id, message))
        if buttons:
            offered.append(buttons)
    return crisis + kept


class WhatsAppOutput(OutputChannel):
    """Sends Rasa's replies to one resident; a template when the 24-hour window is closed."""

    def __init__(
        self, client: WhatsAppClient, contacts: Contacts, payloads: PayloadBook, templates: Templates
    ) -> None:
        self._client = client
        self._contacts = contacts
        self._payloads = payloads
        self._templates = templates
        #: While a resident's message is handled, Rasa's replies wait here until `flush`.
        self._held: list[tuple[str, dict[str, Any]]] | None = None

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def hold(self) -> None:
        """Keep Rasa's replies to one message until `flush` (see `in_turn_order`)."""
        self._held = []

    async def flush(self) -> None:
        """Send the held replies in turn order."""
        held, self._held = self._held or [], None
        for recipient_id, message in in_turn_order(held):
            try:
                await super().send_response(recipient_id, message)
            except Exception as error:  # the next reply still goes out
                logger.error("WhatsApp: sending a reply failed: %s", type(error).__name__)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Hold the reply, or send it as every output channel does."""
        if self._held is not None:
            self._held.append((recipient_id, dict(message)))
            return
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, split within WhatsApp's limit."""
        await self._deliver(recipient_id, text, None, kwargs.get("staff"))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send text with reply buttons or a list on its last part."""
        await self._deliver(recipient_id, text, buttons, kwargs.get("staff"))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image by its URL (inside the window only: a template carries no image here)."""
        wa_id = self._contacts.wa_id_of(recipient_id)
        if wa_id is None or not self._window_open(recipient_id):
            logger.warning("WhatsApp: an image outside the 24-hour window was not sent")
            return
        await self._client.send("an image", wa_id, {"type": "image", "image": {"link": image}})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Send a custom payload's `text` (and `buttons`); other shapes are logged and skipped."""
        text = json_message.get("text")
        if not isinstance(text, str):
            logger.warning(
                "WhatsApp channel skips a custom payload without 'text' (keys: %s)", sorted(json_message)
            )
            return
        buttons = json_message.get("buttons")
        await self._deliver(recipient_id, text, buttons if isinstance(buttons, list) else None, None)

    def _window_open(self, recipient_id: str) -> bool:
        return window_open(self._contacts.seconds_since_resident_wrote(recipient_id))

    async def _deliver(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]] | None, staff: Any
    ) -> None:
        """The messages in order; stops after a failed one. Outside the window: one template.
        Never raises: a failure (the contacts' database, say) is logged and the channel goes on."""
        if not text.strip() and not buttons:
            return
        try:
            await self._deliver_or_raise(recipient_id, text, buttons, staff)
        except Exception as error:
            logger.error("WhatsApp: a message was not sent: %s", type(error).__name__)

    async def _deliver_or_raise(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]] | None, staff: Any
    ) -> None:
        wa_id = self._contacts.wa_id_of(recipient_id)
        if wa_id is None:
            logger.error("WhatsApp: no number known for a conversation; a message was not sent")
            return
        if not self._window_open(recipient_id):
            await self._send_template(wa_id, text, staff)
            return
        replies = render(text, buttons, self._payloads)
        for index, reply in enumerate(replies):
            kind = reply.interactive["type"] if reply.interactive else "text"
            result = await self._client.send(f"a {kind} message", wa_id, reply.message())
            if result.ok:
                continue
            if result.error_code == WINDOW_CLOSED_CODE and index == 0:
                await self._send_template(wa_id, text, staff)
            return

    async def _send_template(self, wa_id: str, text: str, staff: Any) -> None:
        """The message as the configured template (the 24-hour window is closed)."""
        kind = "staff_reply" if staff else "message"
        template = self._templates.for_kind(kind)
        if not text.strip():
            logger.warning("WhatsApp: buttons without text outside the 24-hour window were not sent")
            return
        if template is None:
            logger.error("WhatsApp: the 24-hour window is closed and no %s template is set; not sent", kind)
            return
        logger.info("WhatsApp: the 24-hour window is closed; sending the %s template", kind)
        staff_name = staff if isinstance(staff, str) else None
        await self._client.send(f"the {kind} template", wa_id, template.message(text, staff_name))


class WhatsAppInput(InputChannel):
    """Receives WhatsApp webhooks (verification and signed notifications) and hands messages to Rasa."""

    def __init__(self, settings: WhatsAppSettings, templates: Templates | None = None) -> None:
        self.settings = settings
        self.problem = settings.problem()
        self.client = (
            WhatsAppClient(
                settings.access_token, settings.phone_number_id, settings.api_url, settings.api_version
            )
            if not self.problem
            else None
        )
        self.payloads = PayloadBook()
        self.templates = templates or Templates()
        self.statuses: Counter[str] = Counter()
        self.app: Any = None
        self.contacts = Contacts(id_key(settings.app_secret), self._agent)
        if self.problem:
            logger.warning("WhatsApp channel is off: %s. Its webhook answers 503.", self.problem)

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        return cls(WhatsAppSettings.from_credentials(credentials))

    def get_output_channel(self) -> OutputChannel | None:
        """The output for messages from outside a webhook call: a staff reply posted as a bot event with
        `output_channel=latest` (Rasa's HTTP API), or the bot's message after a handover is closed."""
        return self._output() if self.client else None

    def _output(self) -> WhatsAppOutput:
        assert self.client is not None
        return WhatsAppOutput(self.client, self.contacts, self.payloads, self.templates)

    def _agent(self) -> Any:
        return getattr(getattr(self.app, "ctx", None), "agent", None)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The webhook routes: health, Meta's verification GET and the signed POSTs."""
        whatsapp_webhook = Blueprint("voordeur_whatsapp", __name__)
        # Input limits, masking, the safety reply in a paused conversation:
        # bot/assistant/channels/message_pipeline.py.
        pipeline = MessagePipeline(self.name())
        pipeline.listen(whatsapp_webhook)
        on_new_message = pipeline.wrap(on_new_message)

        async def remember_app(app: Any, loop: Any) -> None:
            """Keep the app: its agent's tracker store holds the contacts."""
            self.app = app

        async def close_client(app: Any, loop: Any) -> None:
            """Close the HTTP connections."""
            if self.client is not None:
                await self.client.shutdown()

        whatsapp_webhook.listener("before_server_start")(remember_app)
        whatsapp_webhook.listener("before_server_stop")(close_client)

        @whatsapp_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            """Whether the channel is configured, and the delivery statuses counted since the start."""
            return response.json({"status": "ok" if self.client else "off", "statuses": dict(self.statuses)})

        @whatsapp_webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            """Meta's verification: echo `hub.challenge` when the verify token matches."""
            if self.client is None:
                return response.json({"error": "whatsapp channel is not configured"}, status=503)
            challenge = request.args.get("hub.challenge") or ""
            if (
                request.args.get("hub.mode") == "subscribe"
                and _equal(request.args.get("hub.verify_token"), self.settings.verify_token)
                and 0 < len(challenge) <= MAX_CHALLENGE_LENGTH
            ):
                logger.info("WhatsApp webhook verified")
                return response.text(challenge)
            logger.warning("WhatsApp webhook verification with a wrong or missing verify token refused")
            return response.json({"error": "forbidden"}, status=403)

        @whatsapp_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            """One signed notification; 200 unless unsigned or unreadable, so Meta does not redeliver."""
            if self.client is None:
                return response.json({"error": "whatsapp channel is not configured"}, status=503)
            if not self.signature_matches(request.body, request.headers.get(SIGNATURE_HEADER)):
                logger.warning(
                    "WhatsApp webhook call with a %s signature refused (%d bytes)",
                    "wrong" if request.headers.get(SIGNATURE_HEADER) else "missing",
                    len(request.body or b""),
                )
                return response.json({"error": "forbidden"}, status=403)
            try:
                body = request.json
            except Exception:  # signed, but not JSON
                body = None
            if not isinstance(body, dict):
                logger.warning("WhatsApp webhook got a signed body that is not a JSON object")
                return response.json({"error": "not a WhatsApp notification"}, status=400)
            await self.handle_notification(body, on_new_message)
            return response.json({"status": "ok"})

        return whatsapp_webhook

    def signature_matches(self, body: bytes | None, header: str | None) -> bool:
        """Whether `X-Hub-Signature-256` is `sha256=` and the HMAC of the raw body with the app secret."""
        if not header or not header.startswith("sha256="):
            return False
        expected = hmac.new(self.settings.app_secret.encode(), body or b"", hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), header[len("sha256=") :].strip().lower().encode())

    async def handle_notification(self, body: dict[str, Any], on_new_message: OnNewMessage) -> None:
        """Every change of a notification: messages to Rasa (or a note), statuses counted."""
        for entry in _dicts(body.get("entry")):
            for change in _dicts(entry.get("changes")):
                value = change.get("value")
                if change.get("field") != "messages" or not isinstance(value, dict):
                    continue
                number_id = _text(_object(value.get("metadata")).get("phone_number_id"))
                if number_id and number_id != self.settings.phone_number_id:
                    logger.warning("WhatsApp notification for another phone number id ignored")
                    continue
                for status in _dicts(value.get("statuses")):
                    self.on_status(status)
                for message in _dicts(value.get("messages")):
                    try:
                        await self.on_message(message, on_new_message)
                    except Exception as error:  # one message's failure never takes the webhook down
                        logger.error("WhatsApp message failed: %s", type(error).__name__)

    def on_status(self, status: dict[str, Any]) -> None:
        """Count a delivery status (sent, delivered, read, failed); a failure is logged with its code."""
        kind = (_text(status.get("status")) or "unknown")[:20]
        self.statuses[kind] += 1
        if kind == "failed":
            codes = [_error_code(error.get("code")) for error in _dicts(status.get("errors"))]
            logger.warning("WhatsApp could not deliver a message: error code %s", codes or "unknown")

    async def on_message(self, message: dict[str, Any], on_new_message: OnNewMessage) -> None:
        """A resident's message: once per id; text and button replies to Rasa, anything else a note."""
        wa_id = _text(message.get("from")).strip()
        message_id = _text(message.get("id"))
        if not wa_id or not message_id:
            logger.warning("WhatsApp message without a sender or an id ignored")
            return
        if not self.contacts.first_delivery(message_id):
            logger.info("WhatsApp delivered a message twice; handled once")
            return
        kind = _text(message.get("type"))
        if kind in ("system", "ephemeral") or (
            kind == "reaction" and not _object(message.get("reaction")).get("emoji")
        ):
            return  # a changed number, a removed reaction: nothing the resident asked
        sender_id = self.contacts.resident_wrote(wa_id)
        output = self._output()
        text = self.text_of(message)
        if text is None:
            if kind not in NON_TEXT_KINDS:
                logger.info("WhatsApp message of kind %r answered as not text", kind[:30])
            await output.send_text_message(sender_id, TEXT_ONLY_TEXT)
            return
        if text == "":
            await output.send_text_message(sender_id, STALE_BUTTON_TEXT)
            return
        output.hold()
        outcome = None
        try:
            outcome = await on_new_message(UserMessage(text, output, sender_id, input_channel=self.name()))
        finally:
            await output.flush()
        if isinstance(outcome, TurnOutcome) and outcome.conversation_deleted:
            self.contacts.forget(sender_id)  # the conversation is deleted: the number goes too
            logger.info("Removed a WhatsApp contact with its conversation on the resident's request")

    def text_of(self, message: dict[str, Any]) -> str | None:
        """What goes to Rasa: the text, or a button's payload; "" for a button the channel forgot,
        None for a message without text."""
        kind = message.get("type")
        if kind == "text":
            body = _text(_object(message.get("text")).get("body")).strip()
            return body or None
        if kind == "interactive":
            interactive = _object(message.get("interactive"))
            reply = interactive.get(_text(interactive.get("type")))
            if interactive.get("type") in ("button_reply", "list_reply") and isinstance(reply, dict):
                return self.payloads.payload(_text(reply.get("id"))) or ""
            return None
        if kind == "button":  # a quick-reply button of a template
            button = _object(message.get("button"))
            return _text(button.get("payload") or button.get("text")).strip() or None
        return None


def _equal(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _text(value: Any) -> str:
    """A string or a number of a notification as text; anything else (a list, an object) counts as
    missing, so a deeply nested value is never turned into text."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return str(value)


def _object(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (a field of the wrong type counts as missing)."""
    return value if isinstance(value, dict) else {}


def _error_code(value: Any) -> int | str:
    """Meta's error code (a whole number) for the log; anything else in its place is not logged."""
    return value if type(value) is int and 0 <= value < 10**9 else "?"


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
