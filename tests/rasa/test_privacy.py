"""Privacy safeguards without a server: masking rules, the deletion dialogue's data and responses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.events import SlotSet as SdkSlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content import FORBIDDEN_WORDS
from actions.privacy import ActionDeleteMyData
from actions.session import response_variation
from bot.assistant.channels.action_contract import DELETE_REQUESTED_SLOT
from bot.assistant.channels.identifier_masking import masked_note
from bot.assistant.channels.turn_events import deletion_requested, replied, turn_of
from bot.shared.privacy import BSN, EMAIL, IBAN, is_valid_bsn, is_valid_iban, mask, mask_identifiers
from tests.rasa.trackers import make_tracker

ROOT = Path(__file__).resolve().parents[2]

VALID_BSNS = ["123456782", "111222333", "999999990", "100000009"]
# Nine digits that fail the 11-check: never masked (they are not a BSN).
INVALID_BSNS = ["123456789", "111222334", "999999999", "100000000", "000000000"]


@pytest.mark.parametrize("bsn", VALID_BSNS)
def test_valid_bsns_pass_the_eleven_check(bsn: str) -> None:
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize("number", INVALID_BSNS + ["12345678", "1234567890", "12345678a"])
def test_invalid_bsns_fail_the_eleven_check(number: str) -> None:
    assert not is_valid_bsn(number)


@pytest.mark.parametrize(
    "text",
    [
        "mijn bsn is 123456782",
        "BSN: 1234.56.782 graag",
        "burgerservicenummer 123 456 782.",
        "123.456.782",
        "nummer 111222333, wat nu?",
    ],
)
def test_bsn_is_masked_in_any_grouping(text: str) -> None:
    result = mask(text)
    assert result.kinds == {BSN}
    assert "[BSN verwijderd]" in result.text
    assert not any(run in result.text for run in ("782", "333"))


@pytest.mark.parametrize(
    "text",
    [
        "mijn nummer is 123456789",  # fails the 11-check
        "bel me op 0612345678",
        "06-12345678",
        "06 1234 5678",
        "+31 6 12345678",
        "+31612345678",
        "0031 6 12345678",
        "+31 (0)6 12345678",
        "020-1234567",
        "0591 123456",
        "0800 0113",
        "mijn code is VD-7K3P",
        "afspraak vd 7k3p om 10:30 op 12-12-2026",
        "postcode 1234 AB, huisnummer 12",
        "ik heb 1234567 euro schuld",
        "rekening 1234567890",  # ten digits: no BSN
        "NL91ABNA0417164301",  # mod-97 check fails
        "het kost 123.456.789,00 euro",  # fails the 11-check
    ],
)
def test_other_numbers_are_not_masked(text: str) -> None:
    assert mask(text) == mask(text) and mask(text).text == text
    assert mask(text).kinds == frozenset()


@pytest.mark.parametrize(
    "iban",
    [
        "NL91ABNA0417164300",
        "NL91 ABNA 0417 1643 00",
        "nl91 abna 0417 1643 00",
        "DE89 3704 0044 0532 0130 00",
        "BE68 5390 0754 7034",
        "GB82WEST12345698765432",
        "FR14 2004 1010 0505 0001 3M02 606",
    ],
)
def test_valid_ibans_are_masked_with_or_without_spaces(iban: str) -> None:
    assert is_valid_iban(iban)
    result = mask(f"mijn rekening is {iban} en dat is alles")
    assert result.text == "mijn rekening is [IBAN verwijderd] en dat is alles"
    assert result.kinds == {IBAN}


def test_iban_at_the_end_of_a_sentence_and_next_to_words() -> None:
    assert mask("IBAN: NL91 ABNA 0417 1643 00.").text == "IBAN: [IBAN verwijderd]."
    assert mask("(NL91ABNA0417164300)").text == "([IBAN verwijderd])"
    # Glued to a word (issue 20): still masked.
    assert mask("XNL91ABNA0417164300").text == "X[IBAN verwijderd]"
    assert mask("rekeningNL91ABNA0417164300graag").text == "rekening[IBAN verwijderd]graag"


@pytest.mark.parametrize(
    "email", ["anna@voorbeeld.nl", "Anna.de.Vries+wijk@mail.Example.com", "j_jansen-2@sub.domein.org"]
)
def test_email_addresses_are_masked_unless_kept(email: str) -> None:
    result = mask(f"mail mij op {email} aub")
    assert result.text == "mail mij op [e-mail verwijderd] aub"
    assert result.kinds == {EMAIL}
    assert mask(f"mail mij op {email} aub", keep_email=True).text == f"mail mij op {email} aub"


def test_everything_at_once() -> None:
    result = mask("bsn 123456782, iban NL91ABNA0417164300, mail a@b.nl, tel 0612345678")
    expected = "bsn [BSN verwijderd], iban [IBAN verwijderd], mail [e-mail verwijderd], tel 0612345678"
    assert result.text == expected
    assert result.kinds == {BSN, IBAN, EMAIL}
    assert mask_identifiers("niets bijzonders") == "niets bijzonders"


ANY_TEXT = ["", " ", "🙂" * 20, "مرحبا 123456782", "你好 NL91ABNA0417164300", "x" * 50_000]


@pytest.mark.parametrize("text", ANY_TEXT)
def test_masking_copes_with_any_text(text: str) -> None:
    assert "123456782" not in mask(text).text and "NL91ABNA" not in mask(text).text


def test_masking_a_long_message_is_fast() -> None:
    import time

    text = ("ik heb 12 34 56 78 schulden en bel 06 1234 5678 " * 1200)[:50_000]
    started = time.perf_counter()
    mask(text)
    assert time.perf_counter() - started < 2


def test_masked_note_in_both_forms() -> None:
    assert masked_note(frozenset({BSN}), "je") == "Ik heb je BSN niet bewaard. Dat hebben we hier niet nodig."
    note = masked_note(frozenset({BSN, IBAN, EMAIL}), "u")
    assert note == (
        "Ik heb uw BSN, bankrekeningnummer en e-mailadres niet bewaard. Dat hebben we hier niet nodig."
    )
    assert not FORBIDDEN_WORDS["u"].search(note)
    assert not FORBIDDEN_WORDS["je"].search(masked_note(frozenset({IBAN}), None))


# --- "verwijder mijn gegevens" ---------------------------------------------------------------------

DOMAIN = Domain.load(str(ROOT / "domain")).as_dict()
PRIVACY_RESPONSES = ["utter_ask_delete_my_data", "utter_my_data_deleted", "utter_delete_my_data_cancelled"]


@pytest.mark.parametrize("name", PRIVACY_RESPONSES)
@pytest.mark.parametrize("form", ["je", "u"])
def test_privacy_responses_render_in_both_forms(name: str, form: str) -> None:
    variation = response_variation(DOMAIN, name, form)
    assert variation["text"].strip()
    assert not FORBIDDEN_WORDS[form].search(variation["text"]), variation["text"]
    assert (" u " in variation["text"] or "U " in variation["text"]) == (form == "u")


def test_the_confirmation_has_yes_and_no_buttons() -> None:
    for form in ("je", "u"):
        buttons = response_variation(DOMAIN, "utter_ask_delete_my_data", form)["buttons"]
        assert [button["payload"] for button in buttons] == ["/affirm", "/deny"]


def test_the_deleted_message_says_what_stays_and_how_to_cancel() -> None:
    text = response_variation(DOMAIN, "utter_my_data_deleted", "je")["text"]
    assert "gewist" in text and "afspraak" in text and "terugbelverzoek" in text and "afzeggen" in text


def test_nlu_has_enough_realistic_examples() -> None:
    data = yaml.safe_load((ROOT / "data" / "nlu" / "privacy.yml").read_text())
    [block] = [item for item in data["nlu"] if item["intent"] == "delete_my_data"]
    examples = [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]
    assert len(examples) >= 25 and len(set(examples)) == len(examples)


async def test_the_action_says_what_is_deleted() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionDeleteMyData().run(dispatcher, make_tracker(intent="affirm"), DOMAIN)
    assert events == [SdkSlotSet(DELETE_REQUESTED_SLOT, True)]
    assert [message["response"] for message in dispatcher.messages] == ["utter_my_data_deleted"]


def turn(*events: object) -> list[dict[str, object]]:
    """The latest turn of a conversation with these events, as the tracker store keeps it."""
    return turn_of(DialogueStateTracker.from_events("resident", list(events)))  # type: ignore[arg-type]


def test_the_delete_requested_slot_is_in_the_domain_and_steers_nothing() -> None:
    [slot] = [slot for slot in Domain.load(str(ROOT / "domain")).slots if slot.name == DELETE_REQUESTED_SLOT]
    assert slot.type_name == "bool" and not slot.influence_conversation


def test_deletion_is_requested_only_in_the_turn_of_the_action() -> None:
    user = UserUttered("ja", {"name": "affirm"})
    deleted, told, asked = (
        ActionExecuted("action_delete_my_data"),
        BotUttered("gewist"),
        SlotSet(DELETE_REQUESTED_SLOT, True),
    )
    assert deletion_requested(turn(user, deleted, told, asked))
    assert not deletion_requested(turn(user, ActionExecuted("utter_greet"), BotUttered("Hallo!")))
    assert not deletion_requested(turn(user, deleted, told, asked, UserUttered("hoi", {"name": "greet"})))
    # The action server was down: the action is logged, but it set nothing (and told the resident nothing).
    assert not deletion_requested(turn(user, deleted, ActionExecuted("action_listen")))
    # Only the signal counts, not the response: the confirmation alone deletes nothing.
    confirmation = BotUttered("gewist", metadata={"utter_action": "utter_my_data_deleted"})
    assert not deletion_requested(turn(user, deleted, confirmation))
    assert not deletion_requested(turn(user, deleted, told, SlotSet(DELETE_REQUESTED_SLOT, False)))


def test_a_turn_without_a_bot_message_is_silent() -> None:
    user = UserUttered("hoi", {"name": "greet"})
    assert replied(turn(user, ActionExecuted("utter_greet"), BotUttered("Hallo!")))
    assert not replied(turn(BotUttered("Welkom"), user, ActionExecuted("action_answer")))
    assert not replied(turn())
