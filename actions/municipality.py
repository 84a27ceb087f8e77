"""The resident's municipality in the actions: which one, asking for it once, and confirming a choice.

The slot `gemeente` (bot/assistant/municipality.py) holds the slug. While it is unknown the actions use
the default municipality (`DEFAULT_MUNICIPALITY`, whose values content/local.yml holds); an action that
gives a municipality-specific answer, lists slots, or records a callback or handover first asks once
(`ask_once`). The message pipeline reads the answer and then runs `action_municipality_chosen` and the
action that asked again (the slot `gemeente_pending`).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendRejected, BackendUnavailable
from actions.content import ContentStore, content_store
from bot.assistant.municipality import (
    ASK,
    ASKED_SLOT,
    CHOSEN_ACTION,
    GEMEENTE_SLOT,
    PENDING_SLOT,
    choice_payload,
    is_slug,
    resident_name,
)
from bot.assistant.settings import RasaSideSettings, rasa_side_settings

logger = logging.getLogger(__name__)

CHOSEN = {
    "je": "Dank je. Ik onthoud dat je in {name} woont. Woon je ergens anders? Typ dan: ik woon in ... "
    "(de naam van je woonplaats).",
    "u": "Dank u. Ik onthoud dat u in {name} woont. Woont u ergens anders? Typ dan: ik woon in ... "
    "(de naam van uw woonplaats).",
}
NAME_PREFIX = "gemeente "


def known_municipality(tracker: Tracker) -> str | None:
    """The slug the resident's municipality is known by, or None."""
    value = tracker.get_slot(GEMEENTE_SLOT)
    return value if is_slug(value) else None


def municipality_of(tracker: Tracker, settings: RasaSideSettings | None = None) -> str:
    """The resident's municipality, or the default one while it is unknown."""
    return known_municipality(tracker) or (settings or rasa_side_settings()).default_municipality


def municipality_name(store: ContentStore, slug: str) -> str:
    """ "Heideveen": the content's `gemeente_naam` without "gemeente ", else the slug with a capital."""
    name = store.local_values_for(slug).get("gemeente_naam", "") if slug in store.municipal else ""
    if not name and slug == rasa_side_settings().default_municipality:
        name = store.local_values.get("gemeente_naam", "")
    name = name.removeprefix(NAME_PREFIX).strip()
    return name or slug.replace("-", " ").title()


def known_slugs(store: ContentStore, settings: RasaSideSettings) -> set[str]:
    """The municipalities the content knows: the default one and each content/local/<slug>.yml."""
    return {settings.default_municipality, *store.municipal}


async def ask_once(
    dispatcher: CollectingDispatcher, tracker: Tracker, settings: RasaSideSettings, then: str
) -> list[EventType] | None:
    """Ask "In welke gemeente woon je?" when the municipality is unknown and was not asked before.

    Returns the events to end the asking action with (the action `then` runs again once the resident
    answers), or None when nothing was asked: the caller goes on, with the default municipality while
    it is unknown. Nothing is asked when the backend lists fewer than two municipalities or is down.
    """
    if known_municipality(tracker) or tracker.get_slot(ASKED_SLOT):
        return None
    try:
        municipalities = await BackendClient.from_settings(settings).municipalities()
    except (BackendUnavailable, BackendRejected) as error:
        logger.warning("Municipalities not listed, the default one is used: %s", error)
        return None
    if len(municipalities) < 2:
        return None
    buttons = [
        {"title": resident_name(item), "payload": choice_payload(resident_name(item))}
        for item in municipalities
    ]
    dispatcher.utter_message(text=ASK[settings.address_form], buttons=buttons)
    return [SlotSet(ASKED_SLOT, True), SlotSet(PENDING_SLOT, then)]


class ActionMunicipalityChosen(Action):
    """Run by the message pipeline after it set the slot `gemeente`: confirms the choice."""

    def name(self) -> str:
        return CHOSEN_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        slug = known_municipality(tracker)
        if slug is not None:
            name = municipality_name(content_store(settings.content_dir), slug)
            dispatcher.utter_message(text=CHOSEN[settings.address_form].format(name=name))
        return [SlotSet(ASKED_SLOT, True), SlotSet(PENDING_SLOT, None)]
