"""Input rules of the backend services; names, e-mail and phone numbers come from bot/shared (stdlib only,
the same rules as the chat's forms)."""

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
