"""Split long answers into parts that fit in one Telegram message.

Telegram refuses a message longer than 4096 characters (counted in UTF-16 code units, so an emoji
can count twice). We split on paragraph boundaries first, then on sentence ends, then on spaces,
and only as a last resort inside a word.
"""

from __future__ import annotations

import re

TELEGRAM_TEXT_LIMIT = 4096

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split `text` into parts of at most `limit` Telegram characters, on natural boundaries."""
    text = text.strip()
    if telegram_length(text) <= limit:
        return [text] if text else []
    return [part for part in _pack(text.split("\n\n"), "\n\n", limit) if part]


def _pack(pieces: list[str], separator: str, limit: int) -> list[str]:
    """Join pieces greedily with `separator`; pieces that are still too long are split finer."""
    parts: list[str] = []
    current = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if telegram_length(piece) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.extend(_split_piece(piece, limit))
            continue
        candidate = f"{current}{separator}{piece}" if current else piece
        if telegram_length(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _split_piece(piece: str, limit: int) -> list[str]:
    """Split one paragraph that is too long: on sentences, then lines, then spaces, then hard."""
    for pattern, separator in ((_SENTENCE_END, " "), (re.compile(r"\n"), "\n"), (re.compile(r" +"), " ")):
        pieces = pattern.split(piece)
        if len(pieces) > 1:
            return _pack(pieces, separator, limit)
    return _hard_split(piece, limit)


def _hard_split(piece: str, limit: int) -> list[str]:
    """Cut a single word that is longer than the limit (never splits a surrogate pair)."""
    parts: list[str] = []
    current = ""
    for char in piece:
        if telegram_length(current + char) > limit:
            parts.append(current)
            current = ""
        current += char
    if current:
        parts.append(current)
    return parts
