"""Input limits of the resident channels (REST, socket.io widget, Telegram, WhatsApp), applied before
anything else reads a message (steps 1 and 2 of bot/assistant/channels/message_pipeline.py): clean the text,
refuse a message that is too long, clean and mask the channel's metadata.

- The text loses lone surrogates, control characters and bidi overrides (bot/shared/text_input.py).
- A message longer than `MAX_MESSAGE_LENGTH` characters (environment; default 2,000) is not passed to
  Rasa: nothing of it is stored or parsed, the resident gets `too_long_reply`, and the log says only how
  long it was.
- Metadata (REST's `metadata`, socket.io's `metadata`) keeps only JSON values; its strings are cleaned and
  their BSN, IBAN and e-mail addresses masked; metadata of more than `MAX_METADATA_LENGTH` characters
  (as JSON) is dropped.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import Any

from bot.assistant.settings import rasa_side_settings
from bot.shared.privacy import mask_identifiers
from bot.shared.text_input import clean_control_characters

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_LENGTH = 2000
MAX_METADATA_LENGTH = 2000
_MAX_DEPTH = 5


def max_message_length(environ: Mapping[str, str] | None = None) -> int:
    """`MAX_MESSAGE_LENGTH` from the environment (at least 100), else the default."""
    raw = (os.environ if environ is None else environ).get("MAX_MESSAGE_LENGTH", "").strip()
    if not raw:
        return DEFAULT_MAX_MESSAGE_LENGTH
    if not raw.isdigit() or int(raw) < 100:
        raise ValueError("MAX_MESSAGE_LENGTH must be a whole number of at least 100")
    return int(raw)


def configured_address_form() -> str:
    """ADDRESS_FORM as the actions read it (once per process); the raw value when the settings are refused."""
    try:
        return rasa_side_settings().address_form
    except ValueError:
        return os.environ.get("ADDRESS_FORM", "je")


def too_long_reply(limit: int, address_form: str | None = None) -> str:
    """The kind answer to a message over the limit (u-form when ADDRESS_FORM=u)."""
    count = f"{limit:,}".replace(",", ".")
    if (address_form or configured_address_form()).strip().lower() == "u":
        return (
            f"Uw bericht is te lang. Ik kan berichten tot {count} tekens lezen. "
            "Wilt u uw vraag korter maken? Stuur hem dan opnieuw."
        )
    return (
        f"Je bericht is te lang. Ik kan berichten tot {count} tekens lezen. "
        "Wil je je vraag korter maken? Stuur hem dan opnieuw."
    )


def clean_text(text: Any) -> str:
    """A message's text, cleaned; anything that is not a string becomes the empty text."""
    return clean_control_characters(text) if isinstance(text, str) else ""


def clean_metadata(metadata: Any) -> dict[str, Any]:
    """JSON-safe metadata with cleaned, masked strings; `{}` when it is not an object or too large."""
    if not isinstance(metadata, dict) or not metadata:
        return {}
    cleaned = _clean_value(metadata, 0)
    if not isinstance(cleaned, dict):
        return {}
    size = len(json.dumps(cleaned, ensure_ascii=False))
    if size > MAX_METADATA_LENGTH:
        logger.warning("Dropped message metadata of %d characters (limit %d)", size, MAX_METADATA_LENGTH)
        return {}
    return cleaned


def _clean_value(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return mask_identifiers(clean_control_characters(value[: MAX_METADATA_LENGTH + 1]))
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if depth >= _MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return {
            _clean_value(str(key), depth): _clean_value(item, depth + 1)
            for key, item in list(value.items())[:50]
        }
    if isinstance(value, (list, tuple)):
        return [_clean_value(item, depth + 1) for item in list(value)[:50]]
    return None
