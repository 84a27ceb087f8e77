"""The resident's municipality (gemeente): the names the actions and the message pipeline share.

Several municipalities share one installation (issue 23). The slot `GEMEENTE_SLOT` holds the resident's
municipality as the case backend's slug (`heideveen`). It is set

- at session start from the widget's `data-gemeente` (the message metadata `METADATA_KEY`,
  actions/session.py);
- by the message pipeline (bot/assistant/channels/municipality_step.py) when the resident writes
  "ik woon in <plaats>" or "mijn postcode is 1234 AB", or answers the question `ASK` with a place name
  or postcode, and the backend's lookup (GET /api/municipalities/lookup) finds a municipality.

An action that needs the municipality while it is unknown asks `ASK` once (actions/municipality.py),
with a button per municipality whose payload is `choice_payload(name)`, a sentence the pipeline reads.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from bot.assistant.backend_http import backend_client

logger = logging.getLogger(__name__)

GEMEENTE_SLOT = "gemeente"
ASKED_SLOT = "gemeente_asked"
PENDING_SLOT = "gemeente_pending"
CHOSEN_ACTION = "action_municipality_chosen"
#: The message metadata key the widget's `data-gemeente` travels in.
METADATA_KEY = "gemeente"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

ASK = {
    "je": "In welke gemeente woon je? Kies hieronder. Of typ de naam van je woonplaats of je postcode.",
    "u": "In welke gemeente woont u? Kies hieronder. Of typ de naam van uw woonplaats of uw postcode.",
}
#: How the pipeline knows the question was the bot's last message.
ASK_START = ("In welke gemeente woon je?", "In welke gemeente woont u?")

_LIVE_IN = re.compile(
    r"^(?:ik|wij|we)\s+(?:woon|wonen)\s+(?:nu\s+)?in\s+(?:de\s+)?(?:gemeente\s+)?(?P<q>[^?!.,;:]{2,40}?)\s*[.!]?$",
    re.IGNORECASE,
)
_POSTCODE_IS = re.compile(
    r"^(?:mijn|onze)?\s*postcode\s*(?:is|:)?\s*(?P<q>\d{4}\s?[a-z]{0,2})\s*[.!]?$", re.IGNORECASE
)
_BARE_POSTCODE = re.compile(r"^\d{4}\s?[a-z]{0,2}$", re.IGNORECASE)
_BARE_PLACE = re.compile(r"^[^\W\d_][\w'’ -]{1,39}$")
MAX_BARE_WORDS = 4


def choice_payload(name: str) -> str:
    """What a municipality button sends: a sentence the pipeline reads on every channel."""
    return f"Ik woon in {name}"


def explicit_choice(text: str) -> str | None:
    """The place name or postcode in "ik woon in Heideveen" or "mijn postcode is 1234 AB", else None.

    Only a candidate: the message is about the municipality only when the backend's lookup finds one
    ("ik woon in een huurhuis" finds none and goes on to Rasa untouched).
    """
    text = " ".join(text.split())
    for pattern in (_LIVE_IN, _POSTCODE_IS):
        match = pattern.match(text)
        if match:
            return match.group("q").strip()
    return None


def bare_answer(text: str) -> str | None:
    """A short place name or postcode, as an answer to `ASK` ("Oud-Heide", "1234 AB"), else None."""
    text = " ".join(text.split()).strip(" .!")
    if text.startswith("/") or len(text.split()) > MAX_BARE_WORDS:
        return None
    if _BARE_POSTCODE.match(text) or _BARE_PLACE.match(text):
        return text
    return None


def is_slug(value: Any) -> bool:
    return isinstance(value, str) and bool(SLUG.match(value))


def resident_name(municipality: dict[str, Any]) -> str:
    """The name to show ("Heideveen"), from the backend's `{"slug", "name"}`."""
    return str(municipality.get("name") or municipality.get("slug") or "")


async def lookup(query: str, timeout: float) -> dict[str, Any] | None:
    """The municipality of a place name or postcode (`{"slug", "name"}`), or None when the backend
    knows none or cannot be reached (then the message simply goes on to Rasa)."""
    try:
        async with backend_client(timeout) as client:
            response = await client.get("/api/municipalities/lookup", params={"q": query[:80]})
    except httpx.HTTPError as error:
        logger.warning("Municipality lookup failed: %s", type(error).__name__)
        return None
    if response.status_code != 200:
        if response.status_code != 404:
            logger.warning("Municipality lookup: the backend answered %d", response.status_code)
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) and is_slug(body.get("slug")) else None
