"""Button payloads that do not fit a messaging app's button id, kept here under a short key.

Telegram's callback data holds 64 bytes and WhatsApp's reply ids 256 characters; a payload with a long
JSON entity (a plan id, a slot) may not fit. Such a payload gets the key `p:` + 24 hex characters of its
hash, kept in memory (a bounded LRU): a press on a button whose key was forgotten (after a restart) gets
the channel's short "press again" note instead of a wrong payload.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict

LONG_KEY = re.compile(r"^p:[0-9a-f]{24}$")


class PayloadBook:
    """Payloads by short key, for the buttons whose payload does not fit."""

    def __init__(self, size: int = 2000) -> None:
        self._long: OrderedDict[str, str] = OrderedDict()
        self._size = size

    def key_for(self, payload: str, fits: bool) -> str:
        """The payload itself when it fits (and cannot be mistaken for a key), else a short key."""
        if fits and not LONG_KEY.match(payload):
            return payload
        key = "p:" + hashlib.sha256(payload.encode()).hexdigest()[:24]
        self._long[key] = payload
        self._long.move_to_end(key)
        while len(self._long) > self._size:
            self._long.popitem(last=False)
        return key

    def payload(self, key: str) -> str | None:
        """The payload behind a button id (None when a long payload was forgotten)."""
        if LONG_KEY.match(key):
            return self._long.get(key)
        return key
