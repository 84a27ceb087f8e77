"""The trained model answering: crisis messages always get a crisis intent, negations do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.assistant.nlp.safety_net import CRISIS_INTENTS

ROOT = Path(__file__).resolve().parents[2]
# The tuning set: tests/nlu/*.yml. tests/nlu/independent/ is the evaluation set of the outcome benchmark,
# in its own format; no test reads it.
_TUNING_FILES = sorted((ROOT / "tests" / "nlu").glob("*.yml"))
HOLDOUT = load_data(str(_TUNING_FILES[0])).merge(*(load_data(str(path)) for path in _TUNING_FILES[1:]))
HOLDOUT_CRISIS = [m.get("text") for m in HOLDOUT.intent_examples if m.get("intent") in CRISIS_INTENTS]


def test_every_held_out_crisis_message_gets_a_crisis_intent(parse) -> None:  # type: ignore[no-untyped-def]
    assert len(HOLDOUT_CRISIS) >= 25
    missed = [text for text in HOLDOUT_CRISIS if parse.intent(text) not in CRISIS_INTENTS]
    assert not missed


@pytest.mark.parametrize(
    "text",
    [
        "ik wil niet dood, ik wil hulp met mijn schulden",
        "ik denk echt niet aan zelfmoord hoor, maar de deurwaarder staat steeds aan de deur",
    ],
)
def test_a_negated_crisis_is_not_treated_as_one(parse, text: str) -> None:  # type: ignore[no-untyped-def]
    result = parse(text)
    assert result["intent"]["name"] not in CRISIS_INTENTS
    assert result["safety_net"] == {"crisis": None, "negated_only": True}


def test_the_safety_net_overrides_an_unsure_model(parse) -> None:  # type: ignore[no-untyped-def]
    # Nonsense around a crisis phrase: the model alone would be unsure; the net decides.
    result = parse("xqzv blorp wiebel hmm ik zie het niet meer zitten fnarg")
    assert result["intent"] == {"name": "crisis_suicide", "confidence": 1.0}
    assert result["safety_net"]["crisis"] == "crisis_suicide"


def test_a_very_long_message_with_a_crisis_at_the_end_is_caught(parse) -> None:  # type: ignore[no-untyped-def]
    text = "mijn huur is te hoog en ik heb schulden. " * 1300 + "ik wil dood"
    assert len(text) >= 50_000
    assert parse(text)["intent"]["name"] == "crisis_suicide"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("goedemorgen", "greet"),
        ("ben jij een robot", "bot_challenge"),
        ("ik wil met een medewerker praten", "request_human"),
        ("ik heb een aanmaning van de deurwaarder gekregen", "schulden_"),
        ("mijn verhuurder doet niks aan de schimmel", "huisvesting_"),
        ("mijn puber gaat niet meer naar school", "jeugdhulp_"),
        ("waar was ik gebleven met de stappen", "stappenplan_hervatten"),
        # Questions that got an answer in issue 18 (item 5); none of these is training data.
        ("kan ik via de rechtbank in de schuldsanering komen", "schulden_wsnp"),
        ("de jaarafrekening van mijn stroom is veel te hoog om te betalen", "schulden_energierekening"),
        ("hoe vraag ik kindgebonden budget aan voor mijn twee kinderen", "schulden_toeslag_aanvragen"),
        ("ik ben een gedupeerde ouder van de toeslagenaffaire", "schulden_toeslagen_herstel"),
        ("moet ik de schulden van mijn vrouw afbetalen", "schulden_partner"),
        ("mijn zoon is 18 en heeft een schuld bij een webwinkel", "schulden_achttien"),
        ("wij zijn met ons gezin en een baby dakloos geworden", "huisvesting_dakloos_gezin"),
        ("we gaan scheiden, wat spreken we af over de kinderen", "jeugdhulp_scheiding"),
        ("we moeten op gesprek bij de leerplichtambtenaar", "jeugdhulp_leerplicht"),
        ("mijn vader heeft hulp nodig in het huishouden", "algemeen_wmo"),
        ("ik ben mantelzorger en het is me te zwaar", "algemeen_mantelzorg"),
        ("ik voel me heel eenzaam en wil met iemand praten", "algemeen_eenzaamheid"),
        ("er is ingebroken bij mijn buren, waar doen ze aangifte", "algemeen_slachtoffer"),
    ],
)
def test_everyday_messages_reach_their_intent(parse, text: str, intent: str) -> None:  # type: ignore[no-untyped-def]
    predicted = parse.intent(text)
    assert predicted == intent or (intent.endswith("_") and predicted.startswith(intent))


@pytest.mark.parametrize(
    "text",
    [
        "ik ben zo eenzaam dat ik niet meer wil leven",
        "ik heb niemand meer en denk aan zelfmoord",
        "ik voel me alleen en zie het niet meer zitten",
    ],
)
def test_loneliness_with_a_suicidal_signal_is_a_crisis(parse, text: str) -> None:  # type: ignore[no-untyped-def]
    # The loneliness answer (algemeen_eenzaamheid) must never take a message that names suicide.
    assert parse.intent(text) == "crisis_suicide"
