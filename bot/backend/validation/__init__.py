"""Input rules shared by the backend services (stdlib only, so the Rasa side can reuse them)."""

from bot.backend.validation.fields import (
    clean_email,
    clean_first_name,
    clean_text,
    mask_identifiers,
)
from bot.shared.phone import InvalidPhoneNumber, normalise_phone

__all__ = [
    "InvalidPhoneNumber",
    "clean_email",
    "clean_first_name",
    "clean_text",
    "mask_identifiers",
    "normalise_phone",
]
