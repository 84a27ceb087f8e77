"""Mask identifiers a resident should not share in a chat: BSN, IBAN and (outside a form) e-mail.

Standard library only: the Rasa side masks a message before Rasa stores it
(bot/channels/paused_safety.py), and the case backend masks its free-text fields with the same rules
(bot/backend/validation/fields.py), so there is one implementation.

- **BSN**: 9 digits, optionally grouped with single dots or spaces (`123456782`, `1234.56.782`,
  `123 456 782`), that pass the "elfproef" (11-check). Nine digits that fail the check, and longer
  digit runs such as phone numbers (`0612345678`, `+31 6 12345678`), are left alone.
- **IBAN**: a country code, two check digits and the account number with its country's length,
  with or without spaces, that pass the ISO 7064 mod-97 check (`NL91 ABNA 0417 1643 00`, `DE89...`).
- **E-mail addresses**: always, unless the caller keeps them (a form that asks for one).

Usage::

    from bot.shared.privacy import mask
    result = mask("mijn bsn is 123456782")
    result.text   # "mijn bsn is [BSN verwijderd]"
    result.kinds  # frozenset({"bsn"})
"""

from __future__ import annotations

import re

__all__ = [
    "BSN",
    "EMAIL",
    "IBAN",
    "Masked",
    "is_valid_bsn",
    "is_valid_iban",
    "mask",
    "mask_identifiers",
]

BSN, IBAN, EMAIL = "bsn", "iban", "email"
PLACEHOLDERS = {BSN: "[BSN verwijderd]", IBAN: "[IBAN verwijderd]", EMAIL: "[e-mail verwijderd]"}

# Nine digits with at most one dot or space between two digits, not part of a longer number (also not
# one written with separators, such as "+31 6 12345678" or "+31 (0)6 12345678").
_BSN_CANDIDATE = re.compile(
    r"(?<![\d+])(?<!\d[.\s])(?<!\(0\))(?<!\(0\)\s)"
    r"(\d(?:[.\s]?\d){8})"
    r"(?![.\s]?\d)"
)
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}")
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,63}\b"
)

# IBAN lengths per country (SWIFT IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


class Masked:
    """The masked text and which kinds of identifier were masked (empty: nothing changed).

    A plain class: the shared modules import only `re` (tests/app/backend/test_validation.py).
    """

    __slots__ = ("text", "kinds")

    def __init__(self, text: str, kinds: frozenset[str]) -> None:
        self.text, self.kinds = text, kinds

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Masked) and (self.text, self.kinds) == (other.text, other.kinds)

    def __hash__(self) -> int:
        return hash((self.text, self.kinds))

    def __repr__(self) -> str:
        return f"Masked(text={self.text!r}, kinds={set(self.kinds)!r})"


def is_valid_bsn(digits: str) -> bool:
    """The elfproef: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not all zeros)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def is_valid_iban(text: str) -> bool:
    """Country length and the ISO 7064 mod-97 check; spaces are ignored, case is not significant."""
    compact = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    if IBAN_LENGTHS.get(compact[:2], len(compact)) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _iban_spans(text: str) -> list[tuple[int, int]]:
    """Where valid IBANs are: the account number is read with single spaces between characters."""
    spans: list[tuple[int, int]] = []
    position = 0
    while match := _IBAN_START.search(text, position):
        country = match.group()[:2].upper()
        lengths = [IBAN_LENGTHS[country]] if country in IBAN_LENGTHS else list(range(30, 14, -1))
        end = _iban_end(text, match.start(), lengths)
        if end is None:
            position = match.start() + 1
            continue
        spans.append((match.start(), end))
        position = end
    return spans


def _iban_end(text: str, start: int, lengths: list[int]) -> int | None:
    """The end of a valid IBAN of one of `lengths` characters starting at `start`, or None."""
    chars: list[str] = []
    ends: dict[int, int] = {}
    index = start
    while index < len(text) and len(chars) < max(lengths):
        char = text[index]
        if char.isascii() and char.isalnum():
            chars.append(char)
            ends[len(chars)] = index + 1
            index += 1
        elif char == " " and chars and index + 1 < len(text) and text[index + 1].isalnum():
            index += 1
        else:
            break
    for length in lengths:
        end = ends.get(length)
        if end is None:
            continue
        following = text[end] if end < len(text) else ""
        if following.isascii() and following.isalnum():
            continue  # part of a longer word or number
        if is_valid_iban("".join(chars[:length])):
            return end
    return None


def _replace_spans(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + placeholder + text[end:]
    return text


def mask(text: str, *, keep_email: bool = False) -> Masked:
    """Mask IBANs, then (unless `keep_email`) e-mail addresses, then BSNs."""
    kinds: set[str] = set()
    spans = _iban_spans(text)
    if spans:
        kinds.add(IBAN)
        text = _replace_spans(text, spans, PLACEHOLDERS[IBAN])

    def bsn(match: re.Match[str]) -> str:
        if not is_valid_bsn(re.sub(r"[.\s]", "", match.group(1))):
            return match.group(0)
        kinds.add(BSN)
        return PLACEHOLDERS[BSN]

    if not keep_email:
        text, count = _EMAIL.subn(PLACEHOLDERS[EMAIL], text)
        if count:
            kinds.add(EMAIL)
    text = _BSN_CANDIDATE.sub(bsn, text)
    return Masked(text, frozenset(kinds))


def mask_identifiers(text: str, *, keep_email: bool = False) -> str:
    """`mask(...)`'s text only."""
    return mask(text, keep_email=keep_email).text
