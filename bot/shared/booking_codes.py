"""Booking codes a resident can read out on the phone: `VD-7K3P-X9QA`.

Standard library only: the backend makes and checks codes, the booking-change form reads them from a
message. Eight characters from an alphabet without characters that look or sound alike (0/O, 1/I/L,
2/Z, 5/S, 8/B, U/V): 23**8, about 78 billion codes (issue 20). Codes made before issue 20 had four
characters (`VD-7K3P`, about 280,000 codes); they keep working until their bookings pass. Opening any
booking also needs a second factor (bot/backend/services/booking_lookup.py).
"""

from __future__ import annotations

import re

__all__ = [
    "ALPHABET",
    "PREFIX",
    "LENGTH",
    "LEGACY_LENGTH",
    "MAX_RAW_LENGTH",
    "normalise_code",
    "find_code",
    "written_codes",
]

ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
PREFIX = "VD-"
LENGTH = 8
LEGACY_LENGTH = 4
#: The longest text that can still be a code (`VD-7K3P-X9QA` with spaces around it).
MAX_RAW_LENGTH = 30
_SEPARATORS = re.compile(r"[\s\-_.]")
#: A code as the bot and the backend write it (`VD-7K3P-X9QA`, old `VD-7K3P`), in any text.
_WRITTEN = re.compile(r"\bVD-[A-Z0-9]{4}(?:-[A-Z0-9]{4})?\b")
_BODY = re.compile(rf"^VD([{ALPHABET}]{{{LENGTH}}}|[{ALPHABET}]{{{LEGACY_LENGTH}}})$")
_CANDIDATE = re.compile(r"(?<![A-Z0-9])(VD[\s\-_.]*)?([A-Z0-9]{4})(?:[\s\-_.]*([A-Z0-9]{4}))?(?![A-Z0-9])")


def normalise_code(raw: str) -> str | None:
    """`vd 7k3p x9qa`, `VD7K3PX9QA`, ` VD-7K3P-X9QA ` -> `VD-7K3P-X9QA`; an old four-character code
    (`vd 7k3p` -> `VD-7K3P`) too. None when it cannot be a booking code."""
    if len(raw) > MAX_RAW_LENGTH:
        return None
    compact = _SEPARATORS.sub("", raw.upper())
    if not compact.startswith("VD"):
        compact = "VD" + compact
    match = _BODY.match(compact)
    if not match:
        return None
    body = match.group(1)
    return PREFIX + body if len(body) == LEGACY_LENGTH else f"{PREFIX}{body[:4]}-{body[4:]}"


def find_code(text: str) -> str | None:
    """The first booking code in a message ("mijn code is vd 7k3p x9qa"), normalised; else None.

    An old four-character code counts with its `VD` or as the whole message: in a sentence, a word such
    as "daar" or "weet" would look like one.
    """
    upper = text[:500].upper()
    alone = re.sub(r"[^A-Z0-9]", "", upper)
    for match in _CANDIDATE.finditer(upper):
        prefix, first, second = match.groups()
        if second is not None:
            whole = normalise_code(first + second)
            if whole is not None:
                return whole
        if prefix or (second is None and alone == first):
            legacy = normalise_code(first)
            if legacy is not None:
                return legacy
    return None


def written_codes(text: str) -> list[str]:
    """The codes written in their own form (`VD-7K3P-X9QA`) in `text`, in order, upper-cased."""
    return _WRITTEN.findall(text.upper())
