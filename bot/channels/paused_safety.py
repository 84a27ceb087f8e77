"""The safety reply still reaches a resident whose conversation is handed over to a person.

While a staff member has the conversation, the tracker is paused (`ConversationPaused`): Rasa logs
each message, runs the NLU on it (so the SafetyNet component still sets its crisis intent), and
predicts nothing. This module wraps a channel's `on_new_message`: after Rasa has handled a message of
a paused conversation whose intent is a crisis intent, it runs the crisis response the rules give
(`utter_<crisis intent>`, data/rules/safety.yml) into the same output channel. The bot stays silent
on every other message.

Before Rasa sees a message, it masks a BSN, an IBAN and (unless a form asks for one) an e-mail address
(bot/shared/privacy.py), so the tracker store, the NLU and the transcript only get the masked text.
After Rasa has handled a message, a turn without any bot message gets a kind reply
(bot/channels/silence.py), and a confirmed "verwijder mijn gegevens" deletes the conversation
(bot/channels/forget.py).

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
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.channels.forget import forget_after_deletion_request
from bot.channels.silence import reply_if_silent
from bot.shared.privacy import BSN, EMAIL, IBAN, mask

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
CRISIS_PREFIX = "crisis_"
CHANNEL_METADATA_KEY = "voordeur_channel"  # read by actions/session.py
POLICY_NAME = "PausedSafetyNet"
MAX_SENDER_LENGTH = 200
#: Forms that ask for an e-mail address, and the slots that ask for it: only there is an address kept.
EMAIL_REQUESTS: dict[str, tuple[str, ...]] = {"spreekuur_form": ("spreekuur_contact",)}
_MASKED_WHAT = {BSN: "BSN", IBAN: "bankrekeningnummer", EMAIL: "e-mailadres"}


def masked_note(kinds: frozenset[str], address_form: str | None) -> str:
    """'Ik heb je BSN niet bewaard. Dat hebben we niet nodig.' (u-form when the slot says so)."""
    names = [_MASKED_WHAT[kind] for kind in (BSN, IBAN, EMAIL) if kind in kinds]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
    possessive = "uw" if address_form == "u" else "je"
    return f"Ik heb {possessive} {listed} niet bewaard. Dat hebben we hier niet nodig."


def crisis_response(intent: str | None) -> str | None:
    """The response the safety rules give to a crisis intent (None for any other intent)."""
    return f"utter_{intent}" if intent and intent.startswith(CRISIS_PREFIX) else None


class PausedSafety:
    """Wraps one channel's `on_new_message`; finds the agent through the Sanic app it runs in."""

    def __init__(self) -> None:
        self.app: Any = None

    def listen(self, blueprint: Blueprint) -> None:
        """Remember the app when the server starts (its `ctx.agent` is the current agent)."""

        async def remember_app(app: Any, loop: Any) -> None:
            """Keep the app the channel runs in."""
            self.app = app

        blueprint.listener("before_server_start")(remember_app)

    def wrap(self, on_new_message: OnNewMessage, channel: str) -> OnNewMessage:
        """`on_new_message` on the masked message, then the safety reply when the conversation is paused,
        a kind reply when Rasa said nothing, and the deletion a resident asked for."""

        async def handle(message: UserMessage) -> Any:
            """Let Rasa handle the message, then give the safety reply if the conversation is paused."""
            message.metadata = {**(message.metadata or {}), CHANNEL_METADATA_KEY: channel}
            await self.mask_identifiers(message)
            result = await on_new_message(message)
            try:
                await self.reply_to_crisis_while_paused(message)
            except Exception as error:  # the resident's message is stored; log and go on
                logger.error("Safety reply to a paused conversation failed: %s", type(error).__name__)
            agent = getattr(getattr(self.app, "ctx", None), "agent", None)
            try:  # never silence: e.g. the action server is down (bot/channels/silence.py)
                await reply_if_silent(agent, message)
            except Exception as error:
                logger.error("The reply to a silent turn failed: %s", type(error).__name__)
            try:  # "verwijder mijn gegevens": delete once Rasa has saved the turn (bot/channels/forget.py)
                await forget_after_deletion_request(agent, message.sender_id, message.message_id)
            except Exception as error:
                logger.error("Deleting a conversation on request failed: %s", type(error).__name__)
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

    async def reply_to_crisis_while_paused(self, message: UserMessage) -> bool:
        """Send the crisis response if this message is a crisis message in a paused conversation."""
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        processor = getattr(agent, "processor", None)
        if agent is None or processor is None:
            return False
        async with agent.lock_store.lock(message.sender_id):
            tracker = await processor.get_tracker(message.sender_id)
            latest = tracker.latest_message
            if not tracker.is_paused() or latest is None or latest.message_id != message.message_id:
                return False
            action = crisis_response(latest.intent.get("name"))
            if action is None or action not in agent.domain.action_names_or_texts:
                return False
            logger.info("Conversation is paused; sending the safety reply %s", action)
            prediction = PolicyPrediction.for_action_name(agent.domain, action, POLICY_NAME)
            tracker = await processor.execute_action(
                message.sender_id, action, message.output_channel, agent.nlg, prediction
            )
            if tracker is not None:
                # Listen again, as after any bot turn: once resumed, rules that start with an intent
                # (such as EXTERNAL_handover_closed) must match.
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
                await processor.save_tracker(tracker)
        return True


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
