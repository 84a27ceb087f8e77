"""Mask identifiers a resident should not share in a chat: BSN, IBAN, e-mail and (in logs) phone numbers.

Standard library only: the Rasa side masks a message before Rasa stores it
(bot/assistant/channels/message_pipeline.py), the case backend masks its free-text fields with the same rules
(bot/backend/validation/fields.py), and every process masks its log records (bot/log_masking.py),
so there is one implementation.

The text is **normalised first**, only to find identifiers (the rest of the text is kept as typed):
Unicode NFKC (full-width digits, non-breaking and other spaces, compatibility forms), every format
character removed (zero-width spaces and joiners, soft hyphens, bidi marks), and other scripts' digits
read as 0-9. Between two characters of an identifier a *gap* is accepted: up to three spaces or tabs, a
hyphen, dash or slash (with a space either side), or one dot. An identifier may be glued to a word.

- **BSN**: 9 digits, in any grouping with such gaps (`123456782`, `1234.56.782`, `123-456-782`,
  `123 / 456 / 782`), that pass the "elfproef" (11-check). Nine digits that fail the check, and longer
  digit runs such as phone numbers (`0612345678`, `+31 6 12345678`, `+31 (0)6 12345678`), are left
  alone. A BSN written right next to another number ("111222333 2024") is one longer number: not masked.
- **IBAN**: a country code, two check digits and the account number with its country's length, any
  case, with gaps (`NL91 ABNA 0417 1643 00`, `NL 91 ABNA ...`, `nl91-abna-...`, `DE89...`), that pass
  the ISO 7064 mod-97 check and look like that country's account number (`_BBAN_FORMATS`; elsewhere at
  most 8 letters and at least half digits). A country not in the registry counts only written without
  gaps and not glued to a word.
- **E-mail addresses**: always, unless the caller keeps them (a form that asks for one).
- **Phone numbers** (only with `phone=True`, for logs): 10 to 15 digits starting with `0`, `00` or `+`.
  The chat keeps them: the booking form asks for one.

Usage::

    from bot.shared.privacy import mask
    result = mask("mijn bsn is 123-456-782")
    result.text   # "mijn bsn is [BSN verwijderd]"
    result.kinds  # frozenset({"bsn"})
    strip_placeholders(result.text)  # "mijn bsn is": what the NLU reads (bot/assistant/nlp/placeholders.py)
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "BSN",
    "EMAIL",
    "IBAN",
    "PHONE",
    "PLACEHOLDERS",
    "Masked",
    "is_valid_bsn",
    "is_valid_iban",
    "mask",
    "mask_identifiers",
    "normalise",
    "strip_placeholders",
]

BSN, IBAN, EMAIL, PHONE = "bsn", "iban", "email", "phone"
PLACEHOLDERS = {
    BSN: "[BSN verwijderd]",
    IBAN: "[IBAN verwijderd]",
    EMAIL: "[e-mail verwijderd]",
    PHONE: "[telefoonnummer verwijderd]",
}
_PLACEHOLDER = re.compile("|".join(re.escape(placeholder) for placeholder in PLACEHOLDERS.values()))

# A gap inside an identifier: up to three spaces/tabs (no line break), a hyphen, dash or slash with at
# most one space either side, or a single dot.
_SPACE = r"[^\S\r\n]"
_GAP = rf"(?:{_SPACE}?[-/_\u2010-\u2015\u2212]{_SPACE}?|{_SPACE}{{1,3}}|\.)"
_GAP_AT = re.compile(_GAP)
_DIGIT_RUN = re.compile(rf"[0-9](?:{_GAP}?[0-9])*")
_PHONE_RUN = re.compile(rf"(?<![0-9])(?:\+|00)?[0-9](?:(?:{_GAP}|{_SPACE}?\(0\){_SPACE}?)?[0-9])*")
_PHONE_PREFIX = re.compile(rf"(?:\+|\(0\)){_SPACE}?$")
_IBAN_START = re.compile(rf"(?=[A-Za-z]{_GAP}?[A-Za-z]{_GAP}?[0-9]{_GAP}?[0-9])")
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

# The account number (BBAN) of the countries residents are most likely to write (SWIFT IBAN registry).
_BBAN_FORMATS = {
    "NL": re.compile(r"[A-Z]{4}[0-9]{10}"),
    "BE": re.compile(r"[0-9]{12}"),
    "DE": re.compile(r"[0-9]{18}"),
    "GB": re.compile(r"[A-Z]{4}[0-9]{14}"),
    "FR": re.compile(r"[0-9]{10}[0-9A-Z]{11}[0-9]{2}"),
    "LU": re.compile(r"[0-9]{3}[0-9A-Z]{13}"),
}


class Masked:
    """The masked text and which kinds of identifier were masked (empty: nothing changed).

    A plain class: the shared modules import only the standard library (tests/app/backend/test_validation.py).
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
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def is_valid_iban(text: str) -> bool:
    """Country length and the ISO 7064 mod-97 check; spaces are ignored, case is not significant."""
    compact = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact):
        return False
    if IBAN_LENGTHS.get(compact[:2], len(compact)) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def normalise(text: str) -> tuple[str, list[int] | None]:
    """The text as identifiers are looked for in, and for each of its characters the index of the
    original character it came from (None: the text needed no normalisation, indexes are the same)."""
    if text.isascii():
        return text, None
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            chars.append(char)
            origin.append(index)
            continue
        if unicodedata.category(char) == "Cf":
            continue  # zero-width space and joiner, word joiner, soft hyphen, bidi marks, BOM
        for piece in unicodedata.normalize("NFKC", char):
            if not piece.isascii() and unicodedata.category(piece) == "Nd":
                piece = str(unicodedata.decimal(piece))
            chars.append(piece)
            origin.append(index)
    return "".join(chars), origin


def _bsn_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"[^0-9]", "", match.group())
        if len(digits) != 9 or not is_valid_bsn(digits):
            continue
        if _PHONE_PREFIX.search(text, max(0, match.start() - 4), match.start()):
            continue  # "+31 612345678", "+31 (0)6 12345678": a phone number
        spans.append((match.start(), match.end()))
    return spans


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _PHONE_RUN.finditer(text):
        number = match.group()
        digits = sum(char.isdigit() for char in number)
        if not 10 <= digits <= 15 or not number.startswith(("0", "+")) or re.match(r"0\.[0-9]", number):
            continue
        spans.append((match.start(), match.end()))
    return spans


def _iban_spans(text: str) -> list[tuple[int, int]]:
    """Where valid IBANs are (read with gaps between characters)."""
    spans: list[tuple[int, int]] = []
    end_of_last = 0
    for match in _IBAN_START.finditer(text):
        start = match.start()
        if start < end_of_last:
            continue
        end = _iban_end(text, start)
        if end is not None:
            spans.append((start, end))
            end_of_last = end
    return spans


def _iban_end(text: str, start: int) -> int | None:
    """The end of a valid IBAN starting at `start`, or None."""
    country = re.sub(r"[^A-Za-z]", "", text[start : start + 9])[:2].upper()
    if country not in IBAN_LENGTHS:
        return _contiguous_iban_end(text, start)
    length = IBAN_LENGTHS[country]
    chars: list[str] = []
    index = start
    while len(chars) < length:
        if _is_alnum(text, index):
            chars.append(text[index].upper())
            index += 1
            continue
        if not chars or len(chars) == length:
            break
        gap = _GAP_AT.match(text, index)
        if gap is None or not _is_alnum(text, gap.end()):
            return None
        index = gap.end()
    if len(chars) != length or not _plausible_bban(country, "".join(chars[4:])):
        return None
    return index if is_valid_iban("".join(chars)) else None


def _is_alnum(text: str, index: int) -> bool:
    return index < len(text) and text[index].isascii() and text[index].isalnum()


def _contiguous_iban_end(text: str, start: int) -> int | None:
    """A country outside the registry: only written without gaps, not glued to a word."""
    if start > 0 and _is_alnum(text, start - 1):
        return None
    match = re.compile(r"[A-Za-z0-9]{15,34}").match(text, start)
    if match is None:
        return None
    end = match.end()
    return end if is_valid_iban(match.group()) else None


def _plausible_bban(country: str, bban: str) -> bool:
    """Whether the account number looks like one of `country`'s (elsewhere: few letters), so that
    words are not read as one."""
    if country in _BBAN_FORMATS:
        return _BBAN_FORMATS[country].fullmatch(bban) is not None
    letters = sum(char.isalpha() for char in bban)
    return letters <= 8 and 2 * (len(bban) - letters) >= len(bban)


def _without_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if all(span[1] <= start or span[0] >= end for start, end, _ in kept):
            kept.append(span)
    return kept


def mask(text: str, *, keep_email: bool = False, phone: bool = False) -> Masked:
    """Mask IBANs, then (unless `keep_email`) e-mail addresses, then BSNs, then (with `phone`) phone numbers.

    The identifiers are looked for in the normalised text (`normalise`); each one found is replaced in
    the original text, including the zero-width or other characters it was written with.
    """
    normal, origin = normalise(text)
    found: list[tuple[int, int, str]] = [(start, end, IBAN) for start, end in _iban_spans(normal)]
    if not keep_email:
        found += [(match.start(), match.end(), EMAIL) for match in _EMAIL.finditer(normal)]
    found += [(start, end, BSN) for start, end in _bsn_spans(normal)]
    if phone:
        found += [(start, end, PHONE) for start, end in _phone_spans(normal)]
    spans = _without_overlaps(found)
    if not spans:
        return Masked(text, frozenset())
    for start, end, kind in sorted(spans, reverse=True):
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
        text = text[:start] + PLACEHOLDERS[kind] + text[end:]
    return Masked(text, frozenset(kind for _, _, kind in spans))


def mask_identifiers(text: str, *, keep_email: bool = False, phone: bool = False) -> str:
    """`mask(...)`'s text only."""
    return mask(text, keep_email=keep_email, phone=phone).text


def strip_placeholders(text: str) -> str:
    """The text without mask placeholders (and the extra spaces they leave): what the NLU reads, so a
    placeholder's words ("verwijderd") never suggest an intent."""
    if "verwijderd]" not in text:
        return text
    stripped = _PLACEHOLDER.sub(" ", text)
    return re.sub(r"[^\S\n]{2,}", " ", stripped).strip()
