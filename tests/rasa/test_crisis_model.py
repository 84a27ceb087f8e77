"""The trained model with all three crisis layers, at the parse level (issue 19 items 3 and 4).

Our own phrasings (tests/rasa/crisis_phrasings.py): indirect crisis messages get the crisis intent of
their kind, weaker hints keep their intent and ask for a check-in, ordinary messages (some close to a
crisis on the surface, some in English) get neither; English requests get their intent and are marked.
"""

from __future__ import annotations

import pytest

from bot.assistant.nlp.safety_net import CRISIS_INTENTS, assess
from tests.rasa.crisis_phrasings import INDIRECT_CRISIS, NOT_CRISIS, POSSIBLE_CRISIS

#: Kinds whose reply leads with the same line (Veilig Thuis); the model may make the net's kind one of them.
SAME_FIRST_LINE = {
    "crisis_domestic_violence": {"crisis_child_danger"},
    "crisis_child_danger": {"crisis_domestic_violence"},
}


@pytest.mark.parametrize(("intent", "text"), INDIRECT_CRISIS)
def test_indirect_crisis_messages_get_their_crisis_intent(parse, intent: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """The kind the phrasing names, one whose reply leads with the same line, or acute danger (112 first):
    the model may make the net's kind more urgent when it is quite sure (safety_component.py)."""
    assert parse.intent(text) in {intent, "crisis_acute_danger", *SAME_FIRST_LINE.get(intent, ())}


@pytest.mark.parametrize("text", POSSIBLE_CRISIS[:2])
def test_possible_signals_keep_their_intent_and_ask_for_a_check_in(parse, text: str) -> None:  # type: ignore[no-untyped-def]
    result = parse(text)
    assert result["intent"]["name"] not in CRISIS_INTENTS
    assert result.get("safety_check_in") == "crisis_suicide"


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_ordinary_messages_get_no_crisis_reply_and_no_check_in(parse, text: str) -> None:  # type: ignore[no-untyped-def]
    result = parse(text)
    assert result["intent"]["name"] not in CRISIS_INTENTS
    assert result.get("safety_check_in") is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("person", "request_human"),
        ("I need to speak to a person", "request_human"),
        ("Could somebody from the team talk with me?", "request_human"),
        ("Can someone call me back?", "request_callback"),
        ("please give me a phone call tomorrow", "request_callback"),
        ("I would like to make an appointment", "book_spreekuur"),
        ("can I visit you on Thursday to talk about my rent", "book_spreekuur"),
        ("I have to cancel my appointment for Monday", "cancel_booking"),
        ("I cannot come to the appointment, please cancel it", "cancel_booking"),
    ],
)
def test_english_requests_get_their_intent_and_are_marked_english(parse, text: str, intent: str) -> None:  # type: ignore[no-untyped-def]
    result = parse(text)
    assert result["intent"]["name"] == intent
    assert result["message_language"] == "en"
    assert result.get("safety_check_in") is None


def test_dutch_messages_are_marked_dutch(parse) -> None:  # type: ignore[no-untyped-def]
    assert parse("ik wil een afspraak maken")["message_language"] == "nl"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # Crisis messages the deterministic net does not know: the semantic check finds them.
        ("het liefst zou ik gewoon verdwijnen en nooit meer terugkomen", "crisis_suicide"),
        ("ik heb geen kracht meer om elke dag op te staan, wat heeft het nog voor zin", "crisis_suicide"),
        ("my partner locks me in and will not let me see anyone", "crisis_domestic_violence"),
        (
            "mijn buurjongen van zes loopt 's avonds laat alleen op straat en krijgt thuis geen eten",
            "crisis_child_danger",
        ),
        (
            "hij heeft stiekem filmpjes van mij gemaakt in de douche en laat ze aan anderen zien",
            "crisis_sexual_violence",
        ),
    ],
)
def test_the_semantic_check_finds_what_the_net_does_not(parse, text: str, intent: str) -> None:  # type: ignore[no-untyped-def]
    assert not assess(text).is_crisis  # otherwise this would test the net
    result = parse(text)
    assert result["intent"]["name"] == intent
    assert result["safety_semantic"]["level"] == "strong"
