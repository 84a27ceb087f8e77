"""Domain responses: a 'je' and a 'u' variation each; crisis replies lead with their number."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain

from actions.content import FORBIDDEN_WORDS
from actions.session import response_variation

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain")).as_dict()
RESPONSES = sorted(DOMAIN["responses"])
LEADS = {
    "utter_crisis_acute_danger": "Bel nu 112.",
    "utter_crisis_suicide": "Bel 113 of 0800-0113.",
    "utter_crisis_self_harm": "Bel 113 of 0800-0113.",
    "utter_crisis_domestic_violence": "Bel Veilig Thuis: 0800-2000.",
    "utter_crisis_child_danger": "Bel Veilig Thuis: 0800-2000.",
    "utter_crisis_sexual_violence": "Bel het Centrum Seksueel Geweld: 0800-0188.",
}


@pytest.mark.parametrize("name", RESPONSES)
@pytest.mark.parametrize("form", ["je", "u"])
def test_every_response_exists_in_both_forms(name: str, form: str) -> None:
    text = response_variation(DOMAIN, name, form)["text"]
    assert text.strip()
    assert not FORBIDDEN_WORDS[form].search(text), f"{name} ({form}) mixes forms: {text}"


@pytest.mark.parametrize(("name", "lead"), sorted(LEADS.items()))
@pytest.mark.parametrize("form", ["je", "u"])
def test_crisis_replies_lead_with_the_number_and_offer_a_person(name: str, lead: str, form: str) -> None:
    variation = response_variation(DOMAIN, name, form)
    assert variation["text"].startswith(lead)
    assert "/request_human" in [button["payload"] for button in variation["buttons"]]


def test_every_crisis_intent_has_a_reply() -> None:
    crisis_intents = [intent for intent in DOMAIN["intents"] if str(intent).startswith("crisis_")]
    assert sorted(f"utter_{intent}" for intent in crisis_intents) == sorted(LEADS)


@pytest.mark.parametrize("form", ["je", "u"])
def test_who_cannot_speak_is_sent_to_the_112nl_app_not_told_to_listen(form: str) -> None:
    """A silent 112 caller can be disconnected; the 112NL app lets the meldkamer chat instead."""
    text = response_variation(DOMAIN, "utter_crisis_acute_danger", form)["text"]
    speak_paragraph = next(part for part in text.split("\n\n") if "niet praten" in part)
    assert "112NL-app" in speak_paragraph and "chat" in speak_paragraph
    assert "luister" not in text.lower()
