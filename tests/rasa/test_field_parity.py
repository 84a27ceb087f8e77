"""The chat's forms and the case backend give the same verdict on a first name or an e-mail address.

The form validators run as the action server runs them (CollectingDispatcher, a tracker from the
factory); the backend's rules are its own validation package (bot/backend/validation, standard library
only, so this environment can import it). Both follow bot/shared/fields.py; before issue 22 the chat
refused "Łukasz" and "Şükrü", which the backend accepts, and accepted "jan@voorbeeld..nl" and "Jan--Piet",
which the backend refused only at submit. Random inputs: tests/app/backend/test_field_properties.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ValidateCallbackForm
from actions.spreekuur import ValidateSpreekuurForm
from bot.backend.validation import clean_email, clean_first_name
from tests.rasa.trackers import make_tracker

GOOD_NAMES = [
    "Anna", "  anna  ", "Łukasz", "Şükrü", "Zoë", "Zoe\u0308", "Anne-Marie", "d'Souza", "O'Neil",
    "O\u2019Neil", "Jan-Willem", "Ayşe", "Nguyễn", "Mohammed Ali", "María José", "Jan  Piet", "Björn",
    "Ðorđe", "Анна", "Μαρία", "محمد", "יעל", "美咲", "प्रिया", "Ngozi", "A",
]  # fmt: skip
BAD_NAMES = [
    "", "   ", "Jan--Piet", "-Anna", "Anna-", "Anna'", "'Anna", "Jan''Piet", "Jan - Piet", "Anna1",
    "Anna\u0663", "Anna½", "J.", "Anna_Maria", "<b>Anna</b>", "a@b", "Anna\u200b",
    "Robert'); DROP TABLE x;--", "A" * 51, "ik heet eigenlijk gewoon Anna", "06-12345678",
]  # fmt: skip
GOOD_EMAILS = [
    "anna@voorbeeld.nl", " anna@voorbeeld.nl ", "Anna.Jansen@Voorbeeld.NL", "o'neil+wijk@mail.example.co.uk",
    "jan_piet@sub-domein.nl", "j@x.io", "1234@voorbeeld.nl",
]  # fmt: skip
BAD_EMAILS = [
    "jan@voorbeeld..nl", "jan@.voorbeeld.nl", "jan@voorbeeld.nl.", "jan..piet@voorbeeld.nl",
    ".jan@voorbeeld.nl", "jan.@voorbeeld.nl", "jan@voorbeeld", "jan@@voorbeeld.nl", "jan@piet@voorbeeld.nl",
    "jan piet@voorbeeld.nl", "jan@voor beeld.nl", "jan@-voorbeeld.nl", "jan@voorbeeld-.nl",
    "jan@voorbeeld.n1", "@voorbeeld.nl", "jan@", "<jan@voorbeeld.nl>", "mailto:jan@voorbeeld.nl",
    "jan@voorbeeld.nl;", "jürgen@x.de", "a" * 65 + "@voorbeeld.nl", "jan@" + "a" * 250 + ".nl",
]  # fmt: skip


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal renders its message with the wijkteam's number from the content folder."""
    monkeypatch.setenv("ADDRESS_FORM", "je")
    monkeypatch.delenv("CONTENT_DIR", raising=False)


async def form_value(form: Any, slot: str, typed: str) -> Any:
    """What the form keeps for the slot: the cleaned value, or None after a refusal."""
    dispatcher = CollectingDispatcher()
    result = await getattr(form, f"validate_{slot}")(typed, dispatcher, make_tracker(text=typed), {})
    assert (result[slot] is None) == bool(dispatcher.messages), (typed, result, dispatcher.messages)
    return result[slot]


def backend_value(rule: Any, typed: str) -> str | None:
    """What the backend stores, or None when it refuses the value at submit."""
    try:
        return str(rule(typed))
    except ValueError:
        return None


@pytest.mark.parametrize("slot", ["callback_first_name", "spreekuur_first_name"])
@pytest.mark.parametrize(("typed", "good"), [(n, True) for n in GOOD_NAMES] + [(n, False) for n in BAD_NAMES])
async def test_the_forms_and_the_backend_agree_on_first_names(slot: str, typed: str, good: bool) -> None:
    form = ValidateCallbackForm() if slot.startswith("callback") else ValidateSpreekuurForm()
    in_chat = await form_value(form, slot, typed)
    at_submit = backend_value(clean_first_name, typed)
    assert (in_chat is not None, at_submit is not None) == (good, good)
    if good:
        # The chat writes the name with a capital; the backend accepts what the chat sends as it is.
        assert in_chat == at_submit[:1].upper() + at_submit[1:]
        assert backend_value(clean_first_name, in_chat) == in_chat


@pytest.mark.parametrize(
    ("typed", "good"), [(e, True) for e in GOOD_EMAILS] + [(e, False) for e in BAD_EMAILS]
)
async def test_the_spreekuur_form_and_the_backend_agree_on_e_mail_addresses(typed: str, good: bool) -> None:
    in_chat = await form_value(ValidateSpreekuurForm(), "spreekuur_contact", typed)
    at_submit = backend_value(clean_email, typed)
    assert (in_chat is not None, at_submit is not None) == (good, good)
    assert in_chat == at_submit  # the chat keeps the address as the backend will store it
    if good:
        assert backend_value(clean_email, in_chat) == in_chat
