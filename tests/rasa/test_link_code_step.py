"""Link codes as residents bring them to the other channel (bot/shared/link_codes.py,
bot/assistant/channels/link_code_step.py): a typed code in the web chat and Telegram's `/start <code>`
become the `link_conversation` payload; words, postcodes, booking codes and commands stay as they are."""

from __future__ import annotations

import json

import pytest

from bot.assistant.channels.link_code_step import start_link_payload, typed_link_payload
from bot.shared.link_codes import normalise_link_code, shown


def payload_code(payload: str | None) -> str | None:
    if payload is None:
        return None
    assert payload.startswith("/link_conversation{")
    return str(json.loads(payload.removeprefix("/link_conversation"))["link_code"])


@pytest.mark.parametrize("typed", ["K7P-X9Q", "k7p x9q", "K7PX9Q", " code: k7p-x9q ", "K7P.X9Q!"])
def test_a_typed_code_becomes_the_link_payload(typed: str) -> None:
    assert payload_code(typed_link_payload(typed)) == "K7PX9Q"


@pytest.mark.parametrize(
    "text",
    [
        "achter",  # a word of letters from the code alphabet
        "3467 AC",  # a postcode
        "3467AC",
        "777-777",  # digits only
        "VD-7K3P-X9QA",  # a booking code
        "7K3P",  # an old booking code
        "K7P-X9Q graag",  # more than a code
        "/start K7PX9Q",  # a command is Telegram's business
        "K7P-X9OQ",  # O and 0 are not in the alphabet, and too long
        "",
    ],
)
def test_other_messages_go_on_untouched(text: str) -> None:
    assert typed_link_payload(text) is None


def test_telegram_start_with_a_code() -> None:
    assert payload_code(start_link_payload("/start K7PX9Q")) == "K7PX9Q"
    assert payload_code(start_link_payload("/start@voordeur_bot k7px9q")) == "K7PX9Q"
    assert start_link_payload("/start") is None
    assert start_link_payload("/start hallo") is None


def test_shown_and_normalised_agree() -> None:
    assert shown("K7PX9Q") == "K7P-X9Q"
    assert normalise_link_code(shown("4AC7DE")) == "4AC7DE"
