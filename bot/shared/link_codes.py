"""Link codes that carry one conversation to another channel ("Verder op Telegram"): `K7P-X9Q`.

Standard library only: the backend makes and checks codes, the Rasa side recognises one the resident
types in the widget (or Telegram passes after `/start`). Six characters from the booking codes' alphabet
(no characters that look or sound alike), always at least one letter and one digit, so that an ordinary
word ("achter") or a Dutch postcode ("3467 AC") is never taken for a code: about 100 million codes, each
valid 15 minutes and usable once (bot/backend/services/resident_links.py).
"""

from __future__ import annotations

import re

from bot.shared.booking_codes import ALPHABET

__all__ = ["ALPHABET", "LENGTH", "normalise_link_code", "shown"]

LENGTH = 6
_DIGITS = frozenset(c for c in ALPHABET if c.isdigit())
_LETTERS = frozenset(c for c in ALPHABET if c.isalpha())
#: A whole message that is a code: `K7P-X9Q`, `k7p x9q`, `K7PX9Q`, optionally after the word "code".
_TYPED = re.compile(rf"^\s*(?:code[:\s]*)?([{ALPHABET}]{{3}})[\s\-_.]?([{ALPHABET}]{{3}})\s*[.!]?\s*$", re.I)
_POSTCODE = re.compile(r"^\d{4}[A-Z]{2}$")


def normalise_link_code(raw: str) -> str | None:
    """`k7p x9q`, `K7PX9Q`, `code K7P-X9Q` -> `K7PX9Q`; None when it cannot be a link code."""
    if len(raw) > 40:
        return None
    match = _TYPED.match(raw.upper())
    if not match:
        return None
    compact = match.group(1) + match.group(2)
    if not (set(compact) & _DIGITS and set(compact) & _LETTERS) or _POSTCODE.match(compact):
        return None
    return compact


def shown(code: str) -> str:
    """How the resident reads it: `K7P-X9Q`."""
    return f"{code[:3]}-{code[3:]}"
