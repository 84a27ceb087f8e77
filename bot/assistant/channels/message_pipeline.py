"""The steps every resident message passes, around Rasa's handling of it, on every resident channel.

Each channel (REST and socket.io in bot/assistant/channels/web_channels.py, Telegram, WhatsApp) hands its
messages to `MessagePipeline.wrap(on_new_message)` instead of to Rasa directly. In this order:

1. **Input limits** (`apply_input_limits`, bot/assistant/channels/input_limits.py): the text loses lone
   surrogates, control characters and bidi overrides; a message over `MAX_MESSAGE_LENGTH` characters
   gets a kind answer and goes no further, so nothing of it is stored.
2. **Metadata** (`tag_metadata`): the channel's metadata cleaned, its strings masked; the client key or
   exempt mark the channel put there from the request (bot/assistant/channels/client_limits.py) kept; the
   channel's name added (`CHANNEL_METADATA_KEY`, read by the actions at session start).
3. **Abuse limits** (`refuse_over_limit`, bot/assistant/channels/client_limits.py): new conversations
   per client and messages per conversation. A refused message gets a short answer
   (bot/assistant/channels/limit_replies.py) and is not stored; a crisis message is never refused (the NLU
   reads it, nothing is stored).
3b. **A link code** (bot/assistant/channels/link_code_step.py): a message that is only a code from the
   other channel ("K7P-X9Q", from "verder op de website" on Telegram) becomes the payload
   `/link_conversation{"link_code": ...}` (issue 24).
4. **Masking** (`mask_identifiers`): a BSN, an IBAN and, unless a form asks for one, an e-mail address
   are masked once (bot/shared/privacy.py) before Rasa stores, parses or logs the message; a short
   note tells the resident (bot/assistant/channels/identifier_masking.py).
4b. **The municipality** (`choose_municipality`, bot/assistant/channels/municipality_step.py): "ik woon in
   Heideveen", "mijn postcode is 1234 AB", or a place name or postcode right after the question "In
   welke gemeente woon je?" sets the slot `gemeente` when the backend's lookup finds a municipality;
   the step then confirms it and runs the action that asked again, and the message goes no further.
   Anything else ("ik woon in een huurhuis") goes on untouched.
4c. **A feedback remark** (`take_remark`, bot/assistant/channels/feedback_step.py): the typed answer to
   "Wat miste je?" (after "Nee" to "Heeft dit geholpen?") goes to the case backend, the bot thanks, and
   the message goes no further; a crisis message, and a clear question of another answer or a request,
   go on to Rasa (the question is kept as the remark too).
5. **The sentence vector ahead** (`embed_ahead`, bot/assistant/nlp/encoder.py): computed on the encoder's own
   thread, so Rasa's event loop serves other residents meanwhile.
6. **The turn**: Rasa handles and stores the message (`on_new_message`).
7. **Crisis while paused** (`crisis_reply_while_paused`, bot/assistant/channels/crisis_while_paused.py): in a
   conversation paused for a staff member, a crisis message still gets the crisis response.
8. **The reply guard** (`reply_guard`): a turn in which the bot said nothing (the action server was
   down or too slow) gets `utter_technical_problem`, unless the conversation is paused.
9. **After-turn effects** (`delete_on_request`): when an action of the turn asked for it (the slot
   `DELETE_REQUESTED_SLOT`, set by `action_delete_my_data`), the conversation is deleted
   (bot/assistant/channels/forget.py). It must happen after Rasa saved the turn: the SQL tracker store saves
   the events it does not yet hold, so an earlier deletion would be undone. The handler returns a
   `TurnOutcome` that says so, for a channel that keeps data of its own (WhatsApp's numbers).

Steps 7–9 need the stored conversation, and loading it costs as much as a tenth of a message's time. So
`needs_a_look` first reads only the latest turn's rows (bot/assistant/channels/turn_events.py): when the bot
replied and no deletion was asked (nearly every turn) nothing more is read. Otherwise the conversation
is loaded once, under its lock, for all three.

The log records of the process are masked too (bot/log_masking.py); when the server starts, the
pipeline also puts Rasa's three patches in place (bot/assistant/channels/rasa_hooks.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint

from bot import log_masking
from bot.assistant import action_requests
from bot.assistant.channels import client_limits, input_limits, limit_replies, rasa_hooks
from bot.assistant.channels.action_contract import CHANNEL_METADATA_KEY
from bot.assistant.channels.client_limits import LimitSettings, Refusal, ResidentLimits
from bot.assistant.channels.crisis_while_paused import CRISIS_POLICY, paused_crisis_response, reads_as_crisis
from bot.assistant.channels.feedback_step import take_remark
from bot.assistant.channels.forget import delete_conversation
from bot.assistant.channels.identifier_masking import FormState, form_state, masked_note, may_hold_email
from bot.assistant.channels.link_code_step import typed_link_payload
from bot.assistant.channels.municipality_step import choose_municipality
from bot.assistant.channels.turn_events import (
    Turn,
    deletion_requested,
    is_turn_of,
    replied,
    stored_turn,
    turn_of,
)
from bot.assistant.nlp import encoder
from bot.assistant.settings import rasa_side_settings
from bot.shared.privacy import mask, strip_placeholders

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
TECHNICAL_PROBLEM = "utter_technical_problem"
#: The policy name the reply guard's response is logged with in the tracker.
SILENCE_POLICY = "SilenceGuard"


@dataclass(frozen=True)
class TurnOutcome:
    """What the pipeline did with one message that a channel may need to know."""

    conversation_deleted: bool = False


PipelineHandler = Callable[[UserMessage], Awaitable[TurnOutcome]]


class MessagePipeline:
    """The steps of the module's docstring around one channel's `on_new_message`.

    Finds the agent through the Sanic app the channel runs in (`listen`).
    """

    def __init__(self, channel: str, limit_settings: LimitSettings | None = None) -> None:
        self.channel = channel
        self.app: Any = None
        self.max_length = input_limits.max_message_length()
        self.limits = ResidentLimits(limit_settings or LimitSettings.for_channels(), channel)
        log_masking.install()

    @property
    def agent(self) -> Any:
        """The server's current agent (a new model replaces it), or None before the server runs."""
        return getattr(getattr(self.app, "ctx", None), "agent", None)

    def listen(self, blueprint: Blueprint) -> None:
        """Remember the app when the server starts, and put Rasa's patches in place."""

        async def start(app: Any, loop: Any) -> None:
            """Keep the app; take out costs per message that change no behaviour (rasa_hooks.py)."""
            self.app = app
            rasa_hooks.install()
            log_masking.install()  # again: also on the handlers Sanic added since

        async def stop(app: Any, loop: Any) -> None:
            """Close the kept-open sessions to the action server (bot/assistant/action_requests.py)."""
            await action_requests.close_sessions()

        blueprint.listener("before_server_start")(start)
        blueprint.listener("after_server_stop")(stop)

    def wrap(self, on_new_message: OnNewMessage) -> PipelineHandler:
        """`on_new_message` with the steps before and after it."""

        async def handle(message: UserMessage) -> TurnOutcome:
            """Steps 1 to 9 of the module's docstring (with 4b and 4c), in order."""
            if not await apply_input_limits(message, self.max_length, self.channel):
                return TurnOutcome()
            message.metadata = tag_metadata(message.metadata, self.channel)
            if await refuse_over_limit(self.agent, self.limits, message):
                return TurnOutcome()
            message.text = typed_link_payload(message.text) or message.text
            await mask_identifiers(self.agent, message)
            # the latest stored turn, read at most once for the two steps that may look at it
            store = getattr(self.agent, "tracker_store", None)
            turn_before = cache(partial(stored_turn, store, message.sender_id))
            if await choose_municipality(self.agent, message, turn_before):
                return TurnOutcome()
            if await take_remark(self.agent, message, turn_before):
                return TurnOutcome()
            await embed_ahead(message.text)
            await on_new_message(message)  # 6. the turn: Rasa handles and stores the message
            try:
                return await after_turn(self.agent, message)
            except Exception as error:  # the resident's message is stored; log and go on
                logger.error("Checking the turn after a message failed: %s", type(error).__name__)
                return TurnOutcome()

        return handle


# --- 1. input limits ----------------------------------------------------------------------------------


async def apply_input_limits(message: UserMessage, max_length: int, channel: str) -> bool:
    """Clean the text; answer a message over the limit kindly. True when the message goes on."""
    message.text = input_limits.clean_text(message.text)
    if len(message.text) <= max_length:
        return True
    logger.info("Refused a %s message of %d characters (limit %d)", channel, len(message.text), max_length)
    await _send_text(message, input_limits.too_long_reply(max_length), "the too-long answer")
    return False


# --- 2. metadata --------------------------------------------------------------------------------------


def tag_metadata(metadata: Any, channel: str) -> dict[str, Any]:
    """The cleaned, masked metadata with the channel's limit marks and name."""
    return {**input_limits.clean_metadata(metadata), **limit_marks(metadata), CHANNEL_METADATA_KEY: channel}


def limit_marks(metadata: Any) -> dict[str, Any]:
    """The channel's own limit marks, kept apart from the cleaning (a hash is no text to mask)."""
    if not isinstance(metadata, dict):
        return {}
    keys = (client_limits.CLIENT_METADATA_KEY, client_limits.EXEMPT_METADATA_KEY)
    return {key: metadata[key] for key in keys if key in metadata}


# --- 3. abuse limits ----------------------------------------------------------------------------------


async def refuse_over_limit(agent: Any, limits: ResidentLimits, message: UserMessage) -> bool:
    """Answer a message over an abuse limit kindly and keep it from Rasa; never a crisis message."""
    try:
        refusal = await limits.refusal(agent, message.sender_id, message.metadata)
    except Exception as error:  # a limit must never cost a resident their answer
        logger.error("Abuse limits: the check failed (%s); the message goes on", type(error).__name__)
        return False
    if refusal is None:
        return False
    if await crisis_message(agent, message.text):
        logger.info("Abuse limits: a crisis message passes the %s limit", refusal.kind)
        return False
    await _answer_refusal(message, refusal)
    return True


async def crisis_message(agent: Any, text: str) -> bool:
    """Whether the NLU (with the safety net) reads a crisis or a possible signal; nothing is stored."""
    if agent is None or not text.strip():
        return False
    try:
        parsed = await agent.parse_message(mask(text, keep_email=False).text)
    except Exception as error:
        logger.error("Abuse limits: the crisis check failed (%s)", type(error).__name__)
        return False
    return reads_as_crisis(parsed)


async def _answer_refusal(message: UserMessage, refusal: Refusal) -> None:
    channel = message.metadata.get(CHANNEL_METADATA_KEY)
    logger.info("Abuse limits: refused a %s message (%s limit)", channel, refusal.kind)
    try:
        settings = rasa_side_settings()
        phone = limit_replies.wijkteam_phone(settings.content_dir)
        form = settings.address_form
    except ValueError:
        phone, form = None, "je"
    text = limit_replies.reply_for(refusal.kind, refusal.retry_after, phone, form)
    await _send_text(message, text, "the limit answer")


# --- 4. masking ---------------------------------------------------------------------------------------


async def mask_identifiers(agent: Any, message: UserMessage) -> None:
    """Mask a BSN, IBAN or e-mail address once, before Rasa stores, parses or logs the message.

    The stored conversation is read only when the text may hold an e-mail address (is a form asking for
    one?) or when something was masked (the note's form of address); the common message reads nothing.
    """
    if not message.text:
        return
    store = getattr(agent, "tracker_store", None)
    state: FormState | None = None
    if may_hold_email(message.text):
        state = await form_state(store, message.sender_id)
    masked = mask(message.text, keep_email=state is not None and state.keeps_email)
    if not masked.kinds:
        return
    message.text = masked.text
    logger.info("Masked %s in a message before storing it", ", ".join(sorted(masked.kinds)))
    if state is None:
        state = await form_state(store, message.sender_id)
    await _send_text(message, masked_note(masked.kinds, state.address_form), "the masking note")


# --- 5. the sentence vector ahead ---------------------------------------------------------------------


async def embed_ahead(text: str) -> None:
    """Embed the text the NLU will read (without mask placeholders) off the event loop."""
    await encoder.embed_ahead(strip_placeholders(text))


# --- 7 to 9. after the turn ---------------------------------------------------------------------------


async def after_turn(agent: Any, message: UserMessage) -> TurnOutcome:
    """Steps 7 to 9 on one look at the stored conversation, taken only when the turn needs it."""
    if getattr(agent, "processor", None) is None:
        return TurnOutcome()  # the server has not started (or has no model)
    store = agent.tracker_store
    if not needs_a_look(stored_turn(store, message.sender_id), message):
        return TurnOutcome()
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.processor.get_tracker(message.sender_id)
        latest = tracker.latest_message
        if latest is None or latest.message_id != message.message_id:
            return TurnOutcome()  # a newer message of this conversation was handled meanwhile: its turn
        turn = turn_of(tracker)
        await crisis_reply_while_paused(agent, message, tracker)
        await reply_guard(agent, message, tracker, turn)
        return TurnOutcome(conversation_deleted=delete_on_request(store, message.sender_id, turn))


def needs_a_look(turn: Turn | None, message: UserMessage) -> bool:
    """Whether the conversation must be loaded: the bot said nothing, or a deletion was asked.

    `turn` is what `stored_turn` read (None: it could not, so look). A turn of a newer message needs no
    look: that message's own turn will take it.
    """
    if turn is None:
        return True
    if not is_turn_of(turn, message.message_id):
        return False
    return not replied(turn) or deletion_requested(turn)


async def crisis_reply_while_paused(agent: Any, message: UserMessage, tracker: DialogueStateTracker) -> None:
    """Step 7: the crisis response to a crisis message in a conversation paused for a staff member."""
    action = paused_crisis_response(tracker)
    if action is not None:
        logger.info("Conversation is paused; sending the safety reply %s", action)
        await send_after_turn(agent, message, action, CRISIS_POLICY)


async def reply_guard(agent: Any, message: UserMessage, tracker: DialogueStateTracker, turn: Turn) -> None:
    """Step 8: a kind reply to a turn in which the bot said nothing, unless the conversation is paused."""
    if tracker.is_paused() or replied(turn):
        return
    logger.warning("No reply to a message (action server down?); sending %s", TECHNICAL_PROBLEM)
    await send_after_turn(agent, message, TECHNICAL_PROBLEM, SILENCE_POLICY)


def delete_on_request(store: Any, sender_id: str, turn: Turn) -> bool:
    """Step 9: delete the conversation when an action of the turn asked for it; True when it was."""
    if not deletion_requested(turn):
        return False
    try:
        deleted = delete_conversation(store, sender_id)
    except Exception as error:
        logger.error("Deleting a conversation on request failed: %s", type(error).__name__)
        return False
    logger.info("Deleted a conversation on the resident's request (%d stored rows)", deleted)
    return True


async def send_after_turn(agent: Any, message: UserMessage, action: str, policy: str) -> None:
    """Run a domain response into the message's channel and listen again, as after any bot turn.

    Listening again matters for a paused conversation: once resumed, rules that start with an intent
    (such as EXTERNAL_handover_closed) must match. Failures are logged: the message itself is stored.
    """
    if action not in agent.domain.action_names_or_texts:
        return
    try:
        prediction = PolicyPrediction.for_action_name(agent.domain, action, policy)
        tracker = await agent.processor.execute_action(
            message.sender_id, action, message.output_channel, agent.nlg, prediction
        )
        if tracker is not None:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await agent.processor.save_tracker(tracker)
    except Exception as error:
        logger.error("Sending %s after a turn failed: %s", action, type(error).__name__)


async def _send_text(message: UserMessage, text: str, what: str) -> None:
    """Send the pipeline's own text to the resident; a failure is logged (the message goes its way)."""
    try:
        await message.output_channel.send_text_message(message.sender_id, text)
    except Exception as error:
        logger.error("Could not send %s: %s", what, type(error).__name__)
