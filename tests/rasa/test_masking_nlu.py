"""The NLU reads neutral text for a masked value (issue 20, item 4), on the real trained model: the mask
placeholders are removed before the pipeline reads the message (bot/assistant/nlp/placeholders.py), so
"verwijderd" in "[BSN verwijderd]" never suggests `delete_my_data`.
"""

from __future__ import annotations

import pytest

from bot.shared.privacy import PLACEHOLDERS, mask
from tests.rasa.conftest import Parser


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("Ik heb schulden. Mijn BSN is {}", "111222333"),
        ("Ik heb schulden. Mijn BSN is {}", "111-222-333"),
        ("ik heb een huurachterstand, mijn iban is {}", "NL91 ABNA 0417 1643 00"),
        ("Mijn zoon heeft jeugdhulp nodig, mail me op {}", "anna@voorbeeld.nl"),
    ],
)
def test_a_masked_value_does_not_steer_the_intent(parse: Parser, template: str, value: str) -> None:
    masked = mask(template.format(value)).text
    assert "verwijderd]" in masked
    result = parse(masked)
    assert result["intent"]["name"] != "delete_my_data", result["intent"]
    assert "verwijderd" not in result["text"]  # what the pipeline read
    assert result["intent"]["name"] == parse(template.format("").strip())["intent"]["name"]


def test_the_example_of_the_issue_is_about_debts(parse: Parser) -> None:
    assert parse("Ik heb schulden. Mijn BSN is [BSN verwijderd]")["intent"]["name"].startswith("schulden")


@pytest.mark.parametrize("placeholder", sorted(PLACEHOLDERS.values()))
def test_a_placeholder_alone_is_no_intent(parse: Parser, placeholder: str) -> None:
    result = parse(placeholder)
    assert result["intent"]["name"] == "nlu_fallback", result["intent"]


def test_asking_to_delete_still_works(parse: Parser) -> None:
    assert parse("verwijder mijn gegevens")["intent"]["name"] == "delete_my_data"
    with_value = parse("verwijder mijn gegevens, mijn bsn is [BSN verwijderd]")
    assert with_value["intent"]["name"] == "delete_my_data"
