"""New booking codes (`VD-7K3P-X9QA`); the rules for reading them are shared with the Rasa side
(bot/shared/booking_codes.py)."""

from __future__ import annotations

import secrets

from bot.shared.booking_codes import ALPHABET, LEGACY_LENGTH, LENGTH, PREFIX, normalise_code

__all__ = ["ALPHABET", "LEGACY_LENGTH", "LENGTH", "PREFIX", "new_code", "normalise_code"]


def new_code() -> str:
    """`VD-` and two groups of four characters."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{PREFIX}{body[:4]}-{body[4:]}"
