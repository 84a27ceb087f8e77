"""Which language a resident writes in (bot/assistant/nlp/language.py): English recognised, Dutch stays."""

from __future__ import annotations

import pytest

from bot.assistant.nlp.language import DUTCH_WORDS, ENGLISH_WORDS, detect


@pytest.mark.parametrize(
    "text",
    [
        "person",
        "Can someone call me back?",
        "I would like to make an appointment",
        "I have to cancel my appointment for Monday",
        "my husband hits me",
        "I’m not safe at home",  # a typographic apostrophe
        "Do you speak English?",
        "hoi, I need someone to help me with the rent",  # mostly English
    ],
)
def test_english_is_recognised(text: str) -> None:
    assert detect(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "ik wil een afspraak maken",
        "hoi, I need help met mijn huur",  # mostly Dutch
        "mijn boyfriend slaat me",
        "help",
        "hallo",
        "yes",  # Dutch residents write "yes", "please", "sorry" and "thanks" too
        "sorry",
        "thanks",
        "ok please",
        "huurachterstand deurwaarder beslag",  # no function words at all
        "we hebben een probleem met de huur",
        "/request_human",
        "",
    ],
)
def test_dutch_and_unsure_messages_stay_dutch(text: str) -> None:
    assert detect(text) == "nl"


@pytest.mark.parametrize(
    "text", ["Dzień dobry, potrzebuję pomocy", "مرحبا أحتاج مساعدة", "Merhaba, yardıma ihtiyacım var"]
)
def test_other_scripts_and_letters_are_another_language(text: str) -> None:
    assert detect(text) == "other"


def test_no_word_counts_for_both_languages() -> None:
    assert not ENGLISH_WORDS & DUTCH_WORDS
