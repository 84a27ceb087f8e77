"""A link code from the other channel, as the message pipeline and Telegram's `/start` pass it on.

A resident who asked "verder op de website" on Telegram types the code they got (`K7P-X9Q`) in the
widget's chat; a Telegram deep link opens the chat with `/start K7PX9Q`. Both become the intent payload
`/link_conversation{"link_code": "K7PX9Q"}`, which Rasa reads without the NLU (the classifier has no
entity extractor) and the rule answers with `action_link_conversation` (actions/linking.py). Only a whole
message that is a code counts (bot/shared/link_codes.py: a letter and a digit, no postcode, no word).
"""

from __future__ import annotations

import json

from bot.shared.link_codes import normalise_link_code

LINK_INTENT = "link_conversation"
LINK_ENTITY = "link_code"


def link_payload(code: str) -> str:
    return f"/{LINK_INTENT}{json.dumps({LINK_ENTITY: code})}"


def typed_link_payload(text: str) -> str | None:
    """The payload for a message that is a link code, else None (the message goes on untouched)."""
    if not text or text.startswith("/"):
        return None
    code = normalise_link_code(text)
    return link_payload(code) if code else None


def start_link_payload(text: str) -> str | None:
    """The payload for `/start <code>` (a Telegram deep link's start parameter), else None."""
    parts = text.split()
    if len(parts) != 2:
        return None
    code = normalise_link_code(parts[1])
    return link_payload(code) if code else None
