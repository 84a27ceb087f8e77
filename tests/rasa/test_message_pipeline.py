"""Each step of the message pipeline (bot/assistant/channels/message_pipeline.py), and their order.

Steps 1 to 5 run on Rasa's own channel and tracker store classes; the steps after the turn run with the
trained model as Rasa's agent (no action server: a custom action fails, as when the action server is
down). End to end, through a real Rasa server and action server: test_masking_server.py,
test_privacy_server.py, test_handover_server.py and test_safety_server.py.
"""

from __future__ import annotations

import sys
import unicodedata
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.assistant.channels import message_pipeline
from bot.assistant.channels.action_contract import (
    CHANNEL_METADATA_KEY,
    CLIENT_METADATA_KEY,
    DELETE_REQUESTED_SLOT,
)
from bot.assistant.channels.client_limits import EXEMPT_METADATA_KEY, LimitSettings, ResidentLimits
from bot.assistant.channels.crisis_while_paused import paused_crisis_response, reads_as_crisis
from bot.assistant.channels.identifier_masking import AT_SIGNS, may_hold_email
from bot.assistant.channels.message_pipeline import (
    MessagePipeline,
    TurnOutcome,
    apply_input_limits,
    delete_on_request,
    embed_ahead,
    mask_identifiers,
    refuse_over_limit,
    tag_metadata,
)
from bot.assistant.channels.turn_events import turn_of
from bot.shared.privacy import Masked, mask

BSN_TEXT = "mijn bsn is 123456782"
MASKED_BSN_TEXT = "mijn bsn is [BSN verwijderd]"
DOMAIN = Domain.from_dict(
    {
        "slots": {
            "spreekuur_contact": {"type": "text", "mappings": [{"type": "custom"}]},
            "address_form": {"type": "categorical", "values": ["je", "u"], "mappings": [{"type": "custom"}]},
            DELETE_REQUESTED_SLOT: {"type": "bool", "mappings": [{"type": "custom"}]},
        },
        "forms": {"spreekuur_form": {"required_slots": ["spreekuur_contact"]}},
    }
)


class CountingStore(InMemoryTrackerStore):
    """Rasa's in-memory tracker store that counts how often a conversation is read."""

    def __init__(self) -> None:
        super().__init__(DOMAIN)
        self.reads = 0

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        self.reads += 1
        return await super().retrieve(sender_id)


class RecordingOutput(CollectingOutputChannel):
    """Rasa's collecting channel that also keeps the domain response each bot message came from."""

    def __init__(self) -> None:
        super().__init__()
        self.responses: list[str | None] = []

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.responses.append(message.get("utter_action"))
        await super().send_response(recipient_id, message)


def texts(output: CollectingOutputChannel) -> list[str]:
    return [str(message.get("text")) for message in output.messages]


@pytest.fixture
def mask_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the pipeline's steps masked (bot/shared/privacy.py's `mask`, still doing its work)."""
    calls: list[str] = []

    def counting_mask(text: str, **options: Any) -> Masked:
        calls.append(text)
        return mask(text, **options)

    monkeypatch.setattr(message_pipeline, "mask", counting_mask)
    return calls


async def save(store: InMemoryTrackerStore, sender_id: str, *events: Any) -> None:
    await store.save(DialogueStateTracker.from_events(sender_id, list(events), DOMAIN.slots))


# --- 1. input limits ----------------------------------------------------------------------------------


async def test_input_limits_clean_the_text_and_keep_a_long_message_from_rasa() -> None:
    output = CollectingOutputChannel()
    message = UserMessage("hoi\u202e daar", output, "resident")
    assert await apply_input_limits(message, 100, "rest")
    assert message.text == "hoi daar" and output.messages == []
    too_long = UserMessage("a" * 101, output, "resident")
    assert not await apply_input_limits(too_long, 100, "rest")
    assert texts(output)[0].startswith("Je bericht is te lang.")


# --- 2. metadata --------------------------------------------------------------------------------------


def test_metadata_is_cleaned_masked_and_tagged_with_the_channel() -> None:
    metadata = {"pagina": "bsn 123456782", CLIENT_METADATA_KEY: "a1" * 16, CHANNEL_METADATA_KEY: "nep"}
    assert tag_metadata(metadata, "socketio") == {
        "pagina": "bsn [BSN verwijderd]",
        CLIENT_METADATA_KEY: "a1" * 16,  # the client key is no text to mask
        CHANNEL_METADATA_KEY: "socketio",  # set here, never by the client
    }
    assert tag_metadata(None, "telegram") == {CHANNEL_METADATA_KEY: "telegram"}
    assert tag_metadata({EXEMPT_METADATA_KEY: True}, "rest")[EXEMPT_METADATA_KEY] is True


# --- 3. abuse limits ----------------------------------------------------------------------------------


class Parser:
    """An agent that only parses, as the NLU with the safety net would read these texts."""

    def __init__(self, intent: str) -> None:
        self.intent = intent
        self.parsed: list[str] = []

    async def parse_message(self, text: str) -> dict[str, Any]:
        self.parsed.append(text)
        return {"intent": {"name": self.intent}}


def one_message_a_minute() -> ResidentLimits:
    return ResidentLimits(LimitSettings.from_env({"LIMIT_MESSAGES_PER_CONVERSATION_MINUTE": "1"}), "rest")


async def test_a_message_over_the_limit_is_answered_and_kept_from_rasa() -> None:
    limits, output = one_message_a_minute(), CollectingOutputChannel()
    first = UserMessage("hoi", output, "busy", metadata={CHANNEL_METADATA_KEY: "rest"})
    second = UserMessage("hoi", output, "busy", metadata={CHANNEL_METADATA_KEY: "rest"})
    assert not await refuse_over_limit(Parser("greet"), limits, first)
    assert await refuse_over_limit(Parser("greet"), limits, second)
    assert texts(output)[0].startswith("Er komen veel berichten snel na elkaar in dit gesprek.")


async def test_a_crisis_message_passes_every_limit_and_is_read_masked() -> None:
    limits, output, agent = one_message_a_minute(), CollectingOutputChannel(), Parser("crisis_suicide")
    for _ in range(3):
        message = UserMessage(f"ik wil niet meer, {BSN_TEXT}", output, "busy", metadata={})
        assert not await refuse_over_limit(agent, limits, message)
    assert output.messages == []
    assert agent.parsed == [f"ik wil niet meer, {MASKED_BSN_TEXT}"] * 2  # only the messages over the limit
    assert reads_as_crisis({"intent": {"name": "greet"}, "safety_check_in": True})
    assert not reads_as_crisis({"intent": {"name": "greet"}})


# --- 4. masking ---------------------------------------------------------------------------------------


async def test_a_message_is_masked_once_and_the_resident_told(mask_calls: list[str]) -> None:
    store, output = CountingStore(), CollectingOutputChannel()
    await save(store, "resident", SlotSet("address_form", "u"))
    message = UserMessage(BSN_TEXT, output, "resident")
    await mask_identifiers(SimpleNamespace(tracker_store=store), message)
    assert message.text == MASKED_BSN_TEXT
    assert mask_calls == [BSN_TEXT]  # once, on the resident's text; never again on the masked text
    assert texts(output) == ["Ik heb uw BSN niet bewaard. Dat hebben we hier niet nodig."]
    assert store.reads == 1  # for the note's form of address


async def test_a_message_without_identifiers_reads_no_conversation(mask_calls: list[str]) -> None:
    store, output = CountingStore(), CollectingOutputChannel()
    message = UserMessage("ik heb schulden", output, "resident")
    await mask_identifiers(SimpleNamespace(tracker_store=store), message)
    assert message.text == "ik heb schulden" and output.messages == []
    assert mask_calls == ["ik heb schulden"] and store.reads == 0


async def test_an_email_address_is_kept_only_while_a_form_asks_for_it(mask_calls: list[str]) -> None:
    store, output = CountingStore(), CollectingOutputChannel()
    asking = (ActiveLoop("spreekuur_form"), SlotSet("requested_slot", "spreekuur_contact"))
    await save(store, "in-form", *asking)
    kept = UserMessage("anna@voorbeeld.nl", output, "in-form")
    await mask_identifiers(SimpleNamespace(tracker_store=store), kept)
    assert kept.text == "anna@voorbeeld.nl" and output.messages == []
    masked = UserMessage("mail anna\uff20voorbeeld.nl", output, "no-form")  # a full-width at sign
    await mask_identifiers(SimpleNamespace(tracker_store=store), masked)
    assert masked.text == "mail [e-mail verwijderd]"
    assert texts(output) == ["Ik heb je e-mailadres niet bewaard. Dat hebben we hier niet nodig."]
    assert len(mask_calls) == 2 and store.reads == 2  # one read and one masking per message


def test_every_character_read_as_an_at_sign_is_known() -> None:
    found = {
        char
        for char in map(chr, range(sys.maxunicode + 1))
        if not 0xD800 <= ord(char) <= 0xDFFF and "@" in unicodedata.normalize("NFKC", char)
    }
    assert found == set(AT_SIGNS)
    assert may_hold_email("a\ufe6bb.nl") and not may_hold_email("ik heb schulden")


# --- 5. the sentence vector ahead ---------------------------------------------------------------------


async def test_the_vector_is_made_of_what_the_nlu_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    embedded: list[str] = []

    async def embed(text: str) -> None:
        embedded.append(text)

    monkeypatch.setattr(message_pipeline.encoder, "embed_ahead", embed)
    await embed_ahead(f"Ik heb schulden. {MASKED_BSN_TEXT}")
    assert embedded == ["Ik heb schulden. mijn bsn is"]


# --- 7 to 9. after the turn ---------------------------------------------------------------------------


def test_a_crisis_message_gets_its_response_only_while_paused() -> None:
    crisis = UserUttered("ik wil dood", {"name": "crisis_suicide"})
    paused = DialogueStateTracker.from_events("resident", [ConversationPaused(), crisis])
    assert paused_crisis_response(paused) == "utter_crisis_suicide"
    other = DialogueStateTracker.from_events(
        "resident", [ConversationPaused(), UserUttered("hoi", {"name": "greet"})]
    )
    assert paused_crisis_response(other) is None
    assert paused_crisis_response(DialogueStateTracker.from_events("resident", [crisis])) is None


async def test_the_conversation_is_deleted_when_the_action_asked_for_it() -> None:
    store = InMemoryTrackerStore(DOMAIN)
    turn = [
        UserUttered("ja", {"name": "affirm"}),
        ActionExecuted("action_delete_my_data"),
        BotUttered("Gewist."),
    ]
    await save(store, "kept", *turn)
    await save(store, "deleted", *turn, SlotSet(DELETE_REQUESTED_SLOT, True))
    for sender_id in ("kept", "deleted"):
        tracker = await store.retrieve(sender_id)
        assert tracker is not None
        assert delete_on_request(store, sender_id, turn_of(tracker)) == (sender_id == "deleted")
    assert await store.retrieve("kept") is not None
    assert await store.retrieve("deleted") is None


def pipeline_of(agent: Any) -> message_pipeline.PipelineHandler:
    """The pipeline around the agent, as a channel's blueprint sets it up once the server runs."""
    pipeline = MessagePipeline("rest")
    pipeline.app = SimpleNamespace(ctx=SimpleNamespace(agent=agent))
    return pipeline.wrap(agent.handle_message)


async def say(handle: message_pipeline.PipelineHandler, sender_id: str, text: str) -> RecordingOutput:
    output = RecordingOutput()
    assert await handle(UserMessage(text, output, sender_id)) == TurnOutcome()
    return output


@pytest.mark.slow
async def test_the_reply_guard_answers_a_silent_turn(agent: Any) -> None:
    handle = pipeline_of(agent)
    await say(handle, "pipeline-silent", "/greet")  # without an action server, the session starts badly
    asked = await say(handle, "pipeline-silent", "/delete_my_data")
    assert "utter_ask_delete_my_data" in asked.responses
    assert "utter_technical_problem" not in asked.responses
    # The confirmation runs action_delete_my_data; without an action server it fails and says nothing.
    silent = await say(handle, "pipeline-silent", "/affirm")
    assert silent.responses == ["utter_technical_problem"]
    assert (await agent.tracker_store.retrieve("pipeline-silent")) is not None  # nothing was asked: kept


@pytest.mark.slow
async def test_a_paused_conversation_gets_only_the_crisis_response(agent: Any) -> None:
    handle = pipeline_of(agent)
    await say(handle, "pipeline-paused", "/greet")
    tracker = await agent.tracker_store.retrieve("pipeline-paused")
    tracker.update(ConversationPaused())
    await agent.tracker_store.save(tracker)
    assert (await say(handle, "pipeline-paused", "/greet")).responses == []  # silent while paused
    assert (await say(handle, "pipeline-paused", "/crisis_suicide")).responses == ["utter_crisis_suicide"]


# --- the order ----------------------------------------------------------------------------------------


async def test_the_steps_run_in_order_around_the_turn(mask_calls: list[str]) -> None:
    store = CountingStore()
    turns: list[UserMessage] = []

    async def rasa(message: UserMessage) -> None:
        turns.append(message)

    pipeline = MessagePipeline(
        "rest", LimitSettings.from_env({"LIMIT_MESSAGES_PER_CONVERSATION_MINUTE": "2"})
    )
    pipeline.app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    handle = pipeline.wrap(rasa)
    output = CollectingOutputChannel()
    metadata = {"pagina": "anna@voorbeeld.nl"}
    assert (
        await handle(UserMessage(f"{BSN_TEXT}\u202e", output, "resident", metadata=metadata)) == TurnOutcome()
    )
    assert await handle(UserMessage("x" * 5000, output, "resident")) == TurnOutcome()  # too long
    await handle(UserMessage("hoi", output, "resident"))
    await handle(UserMessage("nog een", output, "resident"))  # the third in a minute: over the limit
    [turn, second] = turns
    assert turn.text == MASKED_BSN_TEXT  # cleaned, then masked once
    assert turn.metadata == {"pagina": "[e-mail verwijderd]", CHANNEL_METADATA_KEY: "rest"}
    assert second.text == "hoi"
    assert mask_calls == [BSN_TEXT, "hoi"]  # the refused messages never reached the masking step
    assert [text.split(".")[0] for text in texts(output)] == [
        "Ik heb je BSN niet bewaard",
        "Je bericht is te lang",
        "Er komen veel berichten snel na elkaar in dit gesprek",
    ]
