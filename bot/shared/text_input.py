"""Text as it arrives from a resident or a form, made safe to handle before anything else reads it.

Standard library only: the resident channels clean every message with it
(bot/assistant/channels/input_limits.py) and the case backend every free-text field
(bot/backend/validation/fields.py).

- **Lone surrogates** (half of a UTF-16 pair, possible in JSON as `"\\ud800"`) are removed: they cannot
  be stored as UTF-8 and made the NLU, the tracker store and the log handlers fail.
- **Control characters** (C0, DEL and C1) are removed; a line break and a tab stay, and `\\r\\n` or
  `\\r` becomes `\\n`.
- **Bidirectional overrides, embeddings and isolates** (U+202A–U+202E, U+2066–U+2069) are removed, so
  text in the staff transcript reads in the order it was typed ("right-to-left override" spoofing).
  Right-to-left text itself (Arabic, Hebrew) is untouched: it needs none of these characters.

Usage::

    from bot.shared.text_input import clean_control_characters
    clean_control_characters("hallo\\u202e\\x85")   # "hallo"
"""

from __future__ import annotations

import re

__all__ = ["clean_control_characters"]

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_RETURN = re.compile("\r\n?")


def clean_control_characters(text: str) -> str:
    """`text` without lone surrogates, control characters (except line breaks and tabs) and bidi overrides."""
    return _UNSAFE.sub("", _RETURN.sub("\n", text))
