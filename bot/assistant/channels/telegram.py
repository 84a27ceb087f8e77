"""Voordeur's Telegram channel for Rasa, written on python-telegram-bot 22 (not Rasa's aiogram channel).

Rasa's built-in Telegram channel calls `setWebhook` at start-up (fails offline) and cannot send
outside a request. This one only talks to Telegram when there is something to send.

Usage:
    Add to credentials.yml (Rasa expands ``${VAR}`` only in unquoted values)::

        bot.assistant.channels.telegram.TelegramInput:
          access_token: ${TELEGRAM_TOKEN}
          webhook_secret: ${TELEGRAM_WEBHOOK_SECRET}
          mode: ${TELEGRAM_MODE}      # webhook (default) or polling

    Webhook mode: Telegram posts updates to ``https://<host>/webhooks/telegram/webhook`` with the
    secret in the ``X-Telegram-Bot-Api-Secret-Token`` header (set once with ``setWebhook``; see
    docs/telegram.md). Polling mode: the channel asks Telegram for updates itself, for a
    municipality without a public HTTPS address. An empty token disables the channel: Rasa starts,
    logs a warning, and the webhook answers 503.

    In a chat: ``/start`` greets, buttons are inline keyboards whose press sends the button's
    payload, ``/stop`` ends the conversation and offers to delete the resident's data.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.assistant.channels import payload_book
from bot.assistant.channels.backend_forget import forget_in_backend
from bot.assistant.channels.forget import delete_conversation
from bot.assistant.channels.link_code_step import start_link_payload
from bot.assistant.channels.message_pipeline import MessagePipeline
from bot.assistant.channels.telegram_client import TELEGRAM_API, TelegramClient, configure_logging
from bot.assistant.channels.telegram_text import split_text

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for a button's callback_data
FORGET = "voordeur:forget"
KEEP = "voordeur:keep"

# What the resident reads (Dutch, B1, 'je').
STOP_TEXT = (
    "Het gesprek is gestopt.\n\n"
    "Wil je dat we dit gesprek verwijderen? Dan wissen we alles wat je hier hebt geschreven."
)
FORGET_BUTTON = "Verwijder mijn gegevens"
KEEP_BUTTON = "Nee, bewaar ze"
FORGOTTEN_TEXT = "Je gegevens zijn verwijderd. Wil je opnieuw beginnen? Stuur dan /start."
KEPT_TEXT = "Goed, we bewaren het gesprek. Wil je opnieuw beginnen? Stuur dan /start."
FORGET_FAILED_TEXT = (
    "Het verwijderen is niet gelukt. Probeer het later nog eens. Of bel het wijkteam, dan helpen we je."
)
TEXT_ONLY_TEXT = "Ik kan alleen tekst lezen. Typ je vraag in een bericht."
EDITED_TEXT = (
    "Je hebt een bericht aangepast. Ik lees alleen nieuwe berichten. "
    "Stuur je vraag opnieuw als nieuw bericht."
)
STALE_BUTTON_TEXT = "Deze knop werkt niet meer. Typ je vraag, of stuur /start om opnieuw te beginnen."
#: Updates the channel handles (polling asks for these; docs/telegram.md sets the same on the webhook).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass(frozen=True)
class TelegramSettings:
    """The channel's credentials.yml block."""

    access_token: str
    webhook_secret: str
    api_root: str = TELEGRAM_API
    mode: str = "webhook"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramSettings:
        """Read the block; empty or missing values fall back to the defaults."""
        values = {key: str(value or "").strip() for key, value in (credentials or {}).items()}
        mode = values.get("mode") or "webhook"
        if mode not in ("webhook", "polling"):
            raise ValueError(f"telegram mode must be 'webhook' or 'polling', not {mode!r}")
        return cls(
            access_token=values.get("access_token", ""),
            webhook_secret=values.get("webhook_secret", ""),
            api_root=values.get("base_url") or TELEGRAM_API,
            mode=mode,
        )

    def problem(self) -> str | None:
        """Why the channel cannot run, or None."""
        if not self.access_token:
            return "no access_token (TELEGRAM_TOKEN is empty)"
        if self.mode == "webhook" and not self.webhook_secret:
            return "no webhook_secret (TELEGRAM_WEBHOOK_SECRET is empty) in webhook mode"
        return None


class PayloadBook(payload_book.PayloadBook):
    """Maps button payloads to callback data within Telegram's 64 bytes; long payloads get a short key."""

    def callback_data(self, payload: str) -> str:
        """The callback data for a payload."""
        return self.key_for(payload, len(payload.encode()) <= CALLBACK_DATA_LIMIT)


def without_repeated_keyboards(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bot's replies to one message, leaving out a reply that offers the same buttons again."""
    offered: list[Any] = []
    kept = []
    for message in messages:
        buttons = message.get("buttons") or []
        if buttons and buttons in offered:
            continue
        if buttons:
            offered.append(buttons)
        kept.append(message)
    return kept


def chat_id(recipient_id: str) -> int | str:
    """Telegram chat ids are integers; Rasa keeps them as strings."""
    try:
        return int(recipient_id)
    except ValueError:
        return recipient_id


class TelegramOutput(OutputChannel):
    """Sends Rasa's replies to one Telegram chat."""

    def __init__(self, client: TelegramClient, payloads: PayloadBook) -> None:
        self._client = client
        self._payloads = payloads

    @classmethod
    def name(cls) -> str:
        return "telegram"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, split within Telegram's limit."""
        await self._send_parts(recipient_id, text, None)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send text with an inline keyboard on its last part."""
        await self._send_parts(recipient_id, text, self.keyboard(buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image by its URL."""
        await self._client.call("sendPhoto", lambda bot: bot.send_photo(chat_id(recipient_id), photo=image))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Send a custom payload's `text` (and `buttons`); other shapes are logged and skipped."""
        text = json_message.get("text")
        if not isinstance(text, str):
            logger.warning(
                "Telegram channel skips a custom payload without 'text' (keys: %s)", sorted(json_message)
            )
            return
        buttons = json_message.get("buttons")
        markup = self.keyboard(buttons) if isinstance(buttons, list) and buttons else None
        await self._send_parts(recipient_id, text, markup)

    def keyboard(self, buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup:
        """Rasa buttons as an inline keyboard, one button a row (long Dutch titles, small screens)."""
        rows = []
        for button in buttons:
            title, payload = str(button.get("title", "")), str(button.get("payload", ""))
            if payload.startswith(("https://", "http://")):
                rows.append([InlineKeyboardButton(title, url=payload)])
            else:
                rows.append(
                    [InlineKeyboardButton(title, callback_data=self._payloads.callback_data(payload))]
                )
        return InlineKeyboardMarkup(rows)

    async def _send_parts(self, recipient_id: str, text: str, markup: InlineKeyboardMarkup | None) -> None:
        """Send the parts in order; the keyboard goes with the last one. Stops after a failed part."""
        parts = split_text(text) or ([" "] if markup else [])
        for index, part in enumerate(parts):
            last = index == len(parts) - 1

            def send(bot: Bot, part: str = part, last: bool = last) -> Awaitable[Any]:
                return bot.send_message(chat_id(recipient_id), part, reply_markup=markup if last else None)

            if await self._client.call("sendMessage", send) is None:
                return


class TelegramInput(InputChannel):
    """Receives Telegram updates (webhook or polling) and hands them to Rasa."""

    def __init__(self, settings: TelegramSettings) -> None:
        configure_logging()
        self.settings = settings
        self.problem = settings.problem()
        self.client = TelegramClient(settings.access_token, settings.api_root) if not self.problem else None
        self.payloads = PayloadBook()
        self._polling: asyncio.Task[None] | None = None
        if self.problem:
            logger.warning("Telegram channel is off: %s. Its webhook answers 503.", self.problem)

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        return cls(TelegramSettings.from_credentials(credentials))

    def get_output_channel(self) -> OutputChannel | None:
        """The output for messages from outside a chat update, e.g. a staff reply posted as a bot event
        with `output_channel=latest` (Rasa's HTTP API), or the message after a handover is closed."""
        return TelegramOutput(self.client, self.payloads) if self.client else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The webhook routes, and in polling mode the polling task."""
        telegram_webhook = Blueprint("voordeur_telegram", __name__)
        # Input limits, masking, the safety reply in a paused conversation:
        # bot/assistant/channels/message_pipeline.py.
        pipeline = MessagePipeline(self.name())
        pipeline.listen(telegram_webhook)
        on_new_message = pipeline.wrap(on_new_message)

        @telegram_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            """Whether the channel is configured."""
            return response.json({"status": "ok" if self.client else "off", "mode": self.settings.mode})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            """One update from Telegram; 200 unless the secret is wrong, so Telegram never redelivers."""
            if self.client is None or self.settings.mode != "webhook":
                return response.json({"error": "telegram channel is not configured for webhooks"}, status=503)
            if not self._secret_matches(request.headers.get(SECRET_HEADER)):
                logger.warning("Telegram webhook call with a wrong or missing secret refused")
                return response.json({"error": "forbidden"}, status=403)
            try:
                update = Update.de_json(request.json, None)
            except Exception:  # malformed JSON or not an Update
                logger.warning("Telegram webhook got a body that is not an Update")
                return response.json({"error": "not a Telegram update"}, status=400)
            await self.handle_update(update, on_new_message, request.app)
            return response.json({"status": "ok"})

        if self.settings.mode == "polling":
            telegram_webhook.listener("after_server_start")(self._start_polling(on_new_message))
            telegram_webhook.listener("before_server_stop")(self._stop_polling)
        else:
            telegram_webhook.listener("before_server_stop")(self._stop_client)
        return telegram_webhook

    async def handle_update(self, update: Update | None, on_new_message: OnNewMessage, app: Any) -> None:
        """Route one update; any failure is logged by `on_error` and never escapes."""
        if update is None:
            return
        try:
            if update.callback_query is not None:
                await self.on_button(update, on_new_message, app)
            elif update.message is not None:
                await self.on_message(update, on_new_message)
            elif update.edited_message is not None and update.edited_message.chat.type == "private":
                # Rasa has already answered the original; a short note instead of silence.
                output = TelegramOutput(self.client, self.payloads) if self.client else None
                if output is not None:
                    await output.send_text_message(str(update.edited_message.chat.id), EDITED_TEXT)
        except Exception as error:
            await self.on_error(update, error)

    async def on_message(self, update: Update, on_new_message: OnNewMessage) -> None:
        """A resident's message: commands, text to Rasa, anything else gets a short Dutch note."""
        message = update.message
        assert message is not None and self.client is not None
        if message.chat.type != "private":
            logger.info("Telegram channel ignores a message from a %s chat", message.chat.type)
            return
        sender_id = str(message.chat.id)
        output = TelegramOutput(self.client, self.payloads)
        text = (message.text or "").strip()
        if not text:
            await output.send_text_message(sender_id, TEXT_ONLY_TEXT)
            return
        command = text.split()[0].split("@")[0].lower() if text.startswith("/") else ""
        if command == "/start":
            await self.on_start(update, on_new_message, output, sender_id)
        elif command == "/stop":
            await self.on_stop(update, on_new_message, output, sender_id)
        else:
            await on_new_message(self._user_message(text, output, sender_id, update))

    async def on_start(
        self, update: Update, on_new_message: OnNewMessage, output: TelegramOutput, sender_id: str
    ) -> None:
        """Greet: one greeting with one keyboard (a new conversation's introduction already offers the
        topics, and the greeting after it would offer them again). `/start <code>` from a deep link of
        the widget's "Verder op Telegram" links this chat to the web conversation instead (issue 24)."""
        collected = CollectingOutputChannel()
        text = (update.message.text if update.message else None) or ""
        opening = start_link_payload(text) or "/greet"
        await on_new_message(self._user_message(opening, collected, sender_id, update))
        for message in without_repeated_keyboards(collected.messages):
            reply = {key: value for key, value in message.items() if key != "recipient_id"}
            await output.send_response(sender_id, reply)

    async def on_stop(
        self, update: Update, on_new_message: OnNewMessage, output: TelegramOutput, sender_id: str
    ) -> None:
        """End the conversation in Rasa (`/restart`, its reply unused) and offer to delete the data."""
        await on_new_message(self._user_message("/restart", CollectingOutputChannel(), sender_id, update))
        await output.send_text_with_buttons(
            sender_id,
            STOP_TEXT,
            [{"title": FORGET_BUTTON, "payload": FORGET}, {"title": KEEP_BUTTON, "payload": KEEP}],
        )

    async def on_button(self, update: Update, on_new_message: OnNewMessage, app: Any) -> None:
        """A button press: answer it, remove the keyboard, then send its payload to Rasa."""
        query = update.callback_query
        assert query is not None and self.client is not None
        await self.client.call("answerCallbackQuery", lambda bot: bot.answer_callback_query(query.id))
        if query.message is None or query.message.chat.type != "private":
            return
        sender_id = str(query.message.chat.id)
        message_id = query.message.message_id
        await self.client.call(
            "editMessageReplyMarkup",
            lambda bot: bot.edit_message_reply_markup(chat_id(sender_id), message_id, reply_markup=None),
        )
        output = TelegramOutput(self.client, self.payloads)
        if query.data == FORGET:
            await self.on_forget(sender_id, output, app)
        elif query.data == KEEP:
            await output.send_text_message(sender_id, KEPT_TEXT)
        else:
            payload = self.payloads.payload(query.data or "")
            if payload:
                await on_new_message(self._user_message(payload, output, sender_id, update))
            else:  # a long payload the channel forgot (a restart, or a very old message)
                await output.send_text_message(sender_id, STALE_BUTTON_TEXT)

    async def on_forget(self, sender_id: str, output: TelegramOutput, app: Any) -> None:
        """Delete the conversation from Rasa's tracker store, and its links and pending messages in the
        backend, and confirm."""
        agent = app.ctx.agent
        try:
            async with agent.lock_store.lock(sender_id):
                deleted = delete_conversation(agent.tracker_store, sender_id)
        except Exception as error:
            logger.error("Deleting a Telegram conversation failed: %s", type(error).__name__)
            await output.send_text_message(sender_id, FORGET_FAILED_TEXT)
            return
        logger.info("Deleted a Telegram conversation on the resident's request (%d records)", deleted)
        await forget_in_backend(sender_id)
        await output.send_text_message(sender_id, FORGOTTEN_TEXT)

    async def on_error(self, update: Update | None, error: Exception) -> None:
        """Log an error while handling an update (type and update id only: no content, no token)."""
        update_id = update.update_id if update is not None else None
        detail = self.client.scrub(error) if self.client else type(error).__name__
        logger.error(
            "Telegram update %s failed: %s: %s", update_id, type(error).__name__, detail, exc_info=False
        )

    def _user_message(self, text: str, output: OutputChannel, sender_id: str, update: Update) -> UserMessage:
        message = update.effective_message
        metadata = {
            "telegram": {"update_id": update.update_id, "message_id": message.message_id if message else None}
        }
        return UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)

    def _secret_matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(
            given.encode(), self.settings.webhook_secret.encode()
        )

    def _start_polling(self, on_new_message: OnNewMessage) -> Callable[[Any, Any], Awaitable[None]]:
        async def start(app: Any, loop: Any) -> None:
            """Start asking Telegram for updates once the server runs."""
            if self.client is not None:
                self._polling = asyncio.create_task(self.poll(on_new_message, app))

        return start

    async def poll(self, on_new_message: OnNewMessage, app: Any) -> None:
        """Long-poll `getUpdates` and handle each update in order; errors back off and go on."""
        assert self.client is not None
        await self.client.call("deleteWebhook", lambda bot: bot.delete_webhook())
        offset: int | None = None
        while True:

            def fetch(bot: Bot, offset: int | None = offset) -> Awaitable[tuple[Update, ...]]:
                return bot.get_updates(offset=offset, timeout=25, allowed_updates=ALLOWED_UPDATES)

            updates = await self.client.call("getUpdates", fetch)
            if updates is None:
                await asyncio.sleep(5)
                continue
            for update in updates:
                offset = update.update_id + 1
                await self.handle_update(update, on_new_message, app)

    async def _stop_polling(self, app: Any, loop: Any) -> None:
        """Stop polling and close the Bot's connections."""
        if self._polling is not None:
            self._polling.cancel()
            await asyncio.gather(self._polling, return_exceptions=True)
        await self._stop_client(app, loop)

    async def _stop_client(self, app: Any, loop: Any) -> None:
        """Close the Bot's connections."""
        if self.client is not None:
            await self.client.shutdown()
