"""Free text: length limits, plain text only, identifiers masked (BSN, IBAN and e-mail addresses in
free text: bot/shared/privacy.py, the same rules as the Rasa side).

First names and e-mail addresses follow bot/shared/fields.py, the rules the chat's forms use too.
Standard library only. Every error is a ``ValueError`` with a Dutch message the resident can read.
"""

from __future__ import annotations

import unicodedata

from bot.shared.fields import FIRST_NAME_MAX, clean_email, clean_first_name
from bot.shared.privacy import mask_identifiers
from bot.shared.text_input import clean_control_characters

__all__ = ["clean_first_name", "clean_email", "clean_text", "mask_identifiers", "FIRST_NAME_MAX"]


def clean_text(raw: str | None, *, max_length: int, label: str, required: bool = False) -> str | None:
    """Trim, drop control characters, lone surrogates and bidi overrides (bot/shared/text_input.py),
    enforce the length, mask identifiers.

    The text is stored as plain text and never rendered as HTML, so markup is kept as typed.
    """
    if raw is None:
        if required:
            raise ValueError(f"Vul {label} in.")
        return None
    text = unicodedata.normalize("NFC", clean_control_characters(raw)).strip()
    if not text:
        if required:
            raise ValueError(f"Vul {label} in.")
        return None
    if len(text) > max_length:
        raise ValueError(f"{label[0].upper()}{label[1:]} is te lang (hoogstens {max_length} tekens).")
    return mask_identifiers(text)
