"""Dutch phone numbers: accept what residents type, store E.164 (`+31612345678`).

Standard library only: the Rasa-side form validators use the same rules.

Accepted: mobile `06-12345678`, `06 1234 5678`, `+31 6 12345678`, `0031 6 12345678`, `+31 (0)6 ...`,
landlines `020-1234567`, `0591-123456`, and the 0800/0900/088/085/097 service numbers.
"""

from __future__ import annotations

import re

__all__ = ["InvalidPhoneNumber", "normalise_phone", "format_national"]

_SEPARATORS = re.compile(r"[\s\-./()]")
# Dutch national significant numbers (after the trunk 0): 9 digits for mobile, landline, 085/088/091/097.
_NINE_DIGIT_PREFIXES = tuple("1234567") + ("85", "88", "91", "97")
_SERVICE_PREFIXES = ("800", "900", "906", "909")  # 0800-xxxx(xxx), 0900-xxxx(xxx)


class InvalidPhoneNumber(ValueError):
    """Raised with a Dutch message the resident can read."""


def _national_digits(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise InvalidPhoneNumber("Vul een telefoonnummer in.")
    if len(text) > 30:
        raise InvalidPhoneNumber("Dit telefoonnummer is te lang.")
    text = text.replace("(0)", "")
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("+31"):
        return compact[3:]
    if compact.startswith("0031"):
        return compact[4:]
    if compact.startswith("+") or compact.startswith("00"):
        raise InvalidPhoneNumber("Geef een Nederlands telefoonnummer, bijvoorbeeld 06-12345678.")
    if compact.startswith("0"):
        return compact[1:]
    raise InvalidPhoneNumber("Een telefoonnummer begint met 0 of +31, bijvoorbeeld 06-12345678.")


def normalise_phone(raw: str) -> str:
    """Return the number in E.164 form or raise :class:`InvalidPhoneNumber`."""
    digits = _national_digits(raw)
    if not digits.isdigit():
        raise InvalidPhoneNumber("Een telefoonnummer bestaat alleen uit cijfers, bijvoorbeeld 06-12345678.")
    if digits.startswith("6"):
        if len(digits) != 9:
            raise InvalidPhoneNumber("Een 06-nummer heeft 10 cijfers, bijvoorbeeld 06-12345678.")
        if digits.startswith("66"):
            raise InvalidPhoneNumber("Een 066-nummer is geen mobiel nummer; geef een ander nummer.")
        return "+31" + digits
    if digits.startswith(_SERVICE_PREFIXES):
        if 7 <= len(digits) <= 10:
            return "+31" + digits
        raise InvalidPhoneNumber("Dit servicenummer klopt niet.")
    if digits.startswith(_NINE_DIGIT_PREFIXES) and not digits.startswith("0"):
        if len(digits) != 9:
            raise InvalidPhoneNumber("Een vast nummer heeft 10 cijfers, bijvoorbeeld 020-1234567.")
        return "+31" + digits
    raise InvalidPhoneNumber("Dit is geen geldig Nederlands telefoonnummer.")


def format_national(e164: str) -> str:
    """`+31612345678` -> `06-12345678` for messages; other numbers stay as they are."""
    if e164.startswith("+316") and len(e164) == 12:
        return "06-" + e164[4:]
    if e164.startswith("+31"):
        return "0" + e164[3:]
    return e164
