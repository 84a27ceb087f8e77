"""Names, e-mail addresses and free text: length limits, plain text only, identifiers masked
(BSN, IBAN and e-mail addresses in free text: bot/shared/privacy.py, the same rules as the Rasa side).

Standard library only. Every error is a ``ValueError`` with a Dutch message the resident can read.
"""

from __future__ import annotations

import re
import unicodedata

from bot.shared.privacy import mask_identifiers
from bot.shared.text_input import clean_control_characters

__all__ = ["clean_first_name", "clean_email", "clean_text", "mask_identifiers", "FIRST_NAME_MAX"]

FIRST_NAME_MAX = 50
EMAIL_MAX = 254

_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-’][^\W\d_]+)*$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def clean_first_name(raw: str) -> str:
    """Letters, spaces, hyphens and apostrophes; at most 50 characters."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise ValueError("Vul je voornaam in.")
    if len(name) > FIRST_NAME_MAX:
        raise ValueError(f"Een voornaam is hoogstens {FIRST_NAME_MAX} tekens.")
    if not _NAME.match(name):
        raise ValueError("Een voornaam bestaat uit letters, eventueel met spatie, streepje of apostrof.")
    return name


def clean_email(raw: str) -> str:
    """A plain address `naam@domein.nl`; the domain is lower-cased."""
    email = raw.strip()
    if not email:
        raise ValueError("Vul een e-mailadres in.")
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise ValueError("Dit is geen geldig e-mailadres, bijvoorbeeld naam@voorbeeld.nl.")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


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
