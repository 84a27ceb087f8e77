"""What a resident types into a form field: first names, e-mail addresses, and the free-text limits.

Standard library only: the chat's form validators (actions/form_base.py) and the case backend
(bot/backend/validation/) use these rules, so the chat never accepts what the backend refuses at submit,
nor refuses what it would accept. Phone numbers: bot/shared/phone.py; booking codes:
bot/shared/booking_codes.py. Tests: tests/app/backend/test_field_properties.py (hypothesis) and
tests/rasa/test_field_parity.py (the form and the backend give the same verdict).

- **First name**: letters of any alphabet, with their accents (Łukasz, Şükrü, Zoë, Анна, 美咲); words
  separated by a space, parts of a word by one hyphen or apostrophe (Anne-Marie, d'Souza, O'Neil).
  No digits or other signs, no hyphen or apostrophe at the start or end of a word or twice in a row.
  At most 50 characters and four words (a longer text is a sentence, not a name).
- **E-mail address**: a practical check, not the full RFC 5322 grammar: one `@`; before it up to 64
  characters that mail servers accept unquoted, with no dot at the start or end or twice in a row;
  after it a domain of at least two labels (letters, digits, hyphens), none empty, ending in a
  top-level domain of letters. No spaces. The domain is lower-cased.

Every refusal is an `InvalidField` (a `ValueError`) with a Dutch message the resident can read.

Usage::

    from bot.shared.fields import InvalidField, clean_email, clean_first_name
    clean_first_name("  Łukasz ")   # "Łukasz"
    clean_email("Anna@Voorbeeld.NL")   # "Anna@voorbeeld.nl"
"""

from __future__ import annotations

import re
import string
import unicodedata

__all__ = [
    "EMAIL_MAX",
    "FIRST_NAME_MAX",
    "FIRST_NAME_MAX_WORDS",
    "QUESTION_MAX",
    "SUMMARY_MAX",
    "InvalidField",
    "clean_email",
    "clean_first_name",
]

FIRST_NAME_MAX = 50
FIRST_NAME_MAX_WORDS = 4
EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64
#: A resident's question sent with a booking or a callback request.
QUESTION_MAX = 500
#: The conversation summary the assistant sends with a handover.
SUMMARY_MAX = 2000

#: What may join two parts of a name: a hyphen, a typewriter or a typographic apostrophe.
_NAME_JOINERS = re.compile("[-'\u2019]")
#: The characters of an unquoted local part (RFC 5322 "atext"); dots only between them.
_LOCAL_CHARS = frozenset(string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-")
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII | re.IGNORECASE)
_TOP_LEVEL_DOMAIN = re.compile(r"[a-z]{2,63}", re.ASCII | re.IGNORECASE)


class InvalidField(ValueError):
    """Raised with a Dutch message the resident can read."""


def _is_name_part(part: str) -> bool:
    """A letter of any alphabet, then letters or combining marks (accents written apart, Indic vowels)."""
    return (
        bool(part)
        and unicodedata.category(part[0]).startswith("L")
        and all(unicodedata.category(char)[0] in "LM" for char in part)
    )


def clean_first_name(raw: str) -> str:
    """The name with its spaces tidied (NFC); `InvalidField` when it cannot be a first name."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise InvalidField("Vul je voornaam in.")
    if len(name) > FIRST_NAME_MAX:
        raise InvalidField(f"Een voornaam is hoogstens {FIRST_NAME_MAX} tekens.")
    words = name.split(" ")
    if len(words) > FIRST_NAME_MAX_WORDS:
        raise InvalidField(f"Een voornaam is hoogstens {FIRST_NAME_MAX_WORDS} woorden.")
    if not all(_is_name_part(part) for word in words for part in _NAME_JOINERS.split(word)):
        raise InvalidField("Een voornaam bestaat uit letters, eventueel met spatie, streepje of apostrof.")
    return name


def _is_local_part(local: str) -> bool:
    return 0 < len(local) <= EMAIL_LOCAL_MAX and all(
        part and set(part) <= _LOCAL_CHARS for part in local.split(".")
    )


def _is_domain(domain: str) -> bool:
    labels = domain.split(".")
    return (
        len(labels) >= 2
        and all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        and _TOP_LEVEL_DOMAIN.fullmatch(labels[-1]) is not None
    )


def clean_email(raw: str) -> str:
    """A plain address `naam@domein.nl` with the domain lower-cased; `InvalidField` otherwise."""
    email = raw.strip()
    if not email:
        raise InvalidField("Vul een e-mailadres in.")
    local, at, domain = email.rpartition("@")
    if len(email) > EMAIL_MAX or not at or not _is_local_part(local) or not _is_domain(domain):
        raise InvalidField("Dit is geen geldig e-mailadres, bijvoorbeeld naam@voorbeeld.nl.")
    return f"{local}@{domain.lower()}"
