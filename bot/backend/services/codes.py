"""Short booking codes a resident can read out on the phone: `VD-7K3P`.

No characters that look or sound alike (0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
PREFIX = "VD-"
LENGTH = 4
_CODE = re.compile(rf"^VD-?([{ALPHABET}]{{{LENGTH}}})$")


def new_code() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(raw: str) -> str | None:
    """`vd 7k3p`, `VD7K3P`, ` VD-7K3P ` -> `VD-7K3P`; None when it cannot be a booking code."""
    if len(raw) > 20:
        return None
    compact = re.sub(r"[\s\-_.]", "", raw.upper())
    if not compact.startswith("VD"):
        compact = "VD" + compact
    match = _CODE.match(compact)
    return PREFIX + match.group(1) if match else None
