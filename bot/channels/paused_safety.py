"""The wrapper around each resident channel's `on_new_message`: privacy before Rasa, safety after it.

Before Rasa sees a message, it masks a BSN, an IBAN and (unless a form asks for one) an e-mail address
(bot/shared/privacy.py), so the tracker store, the NLU and the transcript only get the masked text.
After Rasa has handled a message, bot/channels/after_turn.py gives the crisis response to a crisis
message in a conversation paused for a staff member (the bot stays silent on every other message
there), a kind reply to a turn without any bot message, and deletes a conversation whose resident
confirmed "verwijder mijn gegevens" (bot/channels/forget.py).

It also adds the channel's name to each message's metadata (`voordeur_channel`), so that actions know
the channel at session start, before Rasa has logged the message that started the session.

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

from bot import event_types, schema_validation
from bot.channels.after_turn import SentResponses, after_turn
from bot.shared.privacy import BSN, EMAIL, IBAN, mask

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


def masked_note(kinds: frozenset[str], address_form: str | None) -> str:
    """'Ik heb je BSN niet bewaard. Dat hebben we niet nodig.' (u-form when the slot says so)."""
    names = [_MASKED_WHAT[kind] for kind in (BSN, IBAN, EMAIL) if kind in kinds]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
    possessive = "uw" if address_form == "u" else "je"
    return f"Ik heb {possessive} {listed} niet bewaard. Dat hebben we hier niet nodig."


class PausedSafety:
    """Wraps one channel's `on_new_message`; finds the agent through the Sanic app it runs in."""

    def __init__(self) -> None:
        self.app: Any = None

    def listen(self, blueprint: Blueprint) -> None:
        """Remember the app when the server starts (its `ctx.agent` is the current agent)."""

        async def remember_app(app: Any, loop: Any) -> None:
            """Keep the app the channel runs in; take out costs per message that change no behaviour."""
            self.app = app
            schema_validation.install()
            event_types.install()

        blueprint.listener("before_server_start")(remember_app)

    def wrap(self, on_new_message: OnNewMessage, channel: str) -> OnNewMessage:
        """`on_new_message` on the masked message, then the safety reply when the conversation is paused,
        a kind reply when Rasa said nothing, and the deletion a resident asked for (after_turn.py)."""

        async def handle(message: UserMessage) -> Any:
            """Mask, let Rasa handle the message, then what a turn may still need (after_turn.py)."""
            message.metadata = {**(message.metadata or {}), CHANNEL_METADATA_KEY: channel}
            await self.mask_identifiers(message)
            sent = SentResponses(message.output_channel)
            result = await on_new_message(message)
            agent = getattr(getattr(self.app, "ctx", None), "agent", None)
            try:
                await after_turn(agent, message, sent)
            except Exception as error:  # the resident's message is stored; log and go on
                logger.error("Checking the turn after a message failed: %s", type(error).__name__)
            return result

        return handle

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

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        safety = PausedSafety()
        blueprint = super().blueprint(safety.wrap(on_new_message, self.name()))  # type: ignore[misc]
        safety.listen(blueprint)
        return blueprint


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


class SocketIOInput(PausedSafetyChannel, RasaSocketIOInput):
    """Rasa's socket.io channel (name "socketio") with the safety reply for paused conversations.

    With `session_persistence`, Rasa puts each socket in the room of its session id (python-socketio
    5.9's `enter_room` is synchronous), so a bot event sent with `output_channel=latest` (a staff
    reply) reaches the sockets of that session; tests/rasa/test_handover_server.py checks it.
    """
