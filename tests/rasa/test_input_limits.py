"""Input limits of the resident channels (bot/assistant/channels/input_limits.py, issue 20 item 5); end to end
in tests/rasa/test_masking_server.py."""

from __future__ import annotations

import pytest

from bot.assistant.channels.input_limits import (
    DEFAULT_MAX_MESSAGE_LENGTH,
    MAX_METADATA_LENGTH,
    clean_metadata,
    clean_text,
    max_message_length,
    too_long_reply,
)
from bot.assistant.settings import rasa_side_settings


def test_the_limit_is_a_setting() -> None:
    assert max_message_length({}) == DEFAULT_MAX_MESSAGE_LENGTH == 2000
    assert max_message_length({"MAX_MESSAGE_LENGTH": "5000"}) == 5000
    for wrong in ("12", "veel", "-1", "2.5"):
        with pytest.raises(ValueError, match="MAX_MESSAGE_LENGTH"):
            max_message_length({"MAX_MESSAGE_LENGTH": wrong})


def test_the_answer_is_kind_dutch_in_both_forms() -> None:
    assert too_long_reply(2000, "je") == (
        "Je bericht is te lang. Ik kan berichten tot 2.000 tekens lezen. "
        "Wil je je vraag korter maken? Stuur hem dan opnieuw."
    )
    assert too_long_reply(2000, "u").startswith("Uw bericht is te lang.")
    assert "Wilt u uw vraag korter maken?" in too_long_reply(2000, "u")


def test_the_answer_takes_the_form_of_address_of_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "U ")
    assert too_long_reply(2000).startswith("Uw bericht is te lang.")
    monkeypatch.setenv("BACKEND_TIMEOUT_SECONDS", "99")  # refused settings: the channel keeps ADDRESS_FORM
    rasa_side_settings.cache_clear()
    assert too_long_reply(2000).startswith("Uw bericht is te lang.")


def test_text_is_cleaned_and_anything_else_becomes_empty() -> None:
    assert clean_text("hoi\u202e\x85\ud800 daar") == "hoi daar"
    assert clean_text(None) == "" and clean_text(42) == "" and clean_text(["x"]) == ""


def test_metadata_is_masked_cleaned_and_bounded() -> None:
    metadata = {
        "notitie": "bsn 111-222-333\u202e",
        "lijst": ["anna@voorbeeld.nl", 1, 2.5, float("nan"), None, True, object()],
        "diep": {"a": {"b": {"c": {"d": {"e": {"f": "te diep"}}}}}},
    }
    cleaned = clean_metadata(metadata)
    assert cleaned["notitie"] == "bsn [BSN verwijderd]"
    assert cleaned["lijst"] == ["[e-mail verwijderd]", 1, 2.5, None, None, True, None]
    assert "te diep" not in str(cleaned)
    assert clean_metadata({"x": "y" * (MAX_METADATA_LENGTH + 1)}) == {}
    assert clean_metadata("niet een object") == {} and clean_metadata(None) == {}
