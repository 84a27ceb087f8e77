"""What Rasa's replies look like on WhatsApp: text within the limits, buttons as reply buttons or a list.

WhatsApp Cloud API limits (https://developers.facebook.com/docs/whatsapp/cloud-api/messages):
a text body holds 4096 characters, the body of an interactive message 1024; a reply button's title
20 characters and its id 256; a list has at most 10 rows, a row title 24 characters, a row description
72 and a row id 200; the list's own button label 20 characters.

Rasa buttons become reply buttons when there are at most 3 and every title fits in 20 characters,
otherwise a list: titles shortened at a word boundary with "…" (the full title then goes in the row's
description), the first 10 rows and a line that there are more. A button whose payload is a link
becomes a line of text ("Title: https://..."). A payload longer than an id may be is kept server-side
(`PayloadBook`) under a short key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.assistant.channels import payload_book
from bot.assistant.channels.telegram_text import split_text

TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
MAX_REPLY_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
MAX_LIST_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
ROW_ID_LIMIT = 200
ELLIPSIS = "…"

# What the resident reads (Dutch, B1).
LIST_BUTTON = "Kies een antwoord"
EMPTY_BODY = "Kies een antwoord:"
MORE_CHOICES_TEXT = "Er zijn meer keuzes. Staat je keuze er niet bij? Typ dan je vraag."

_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s,;:.\-–]+$")


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: cut after a whole word, with "…".

    Only a first word that alone is longer than the limit is cut inside the word (it cannot be kept
    whole); every other title loses whole words.
    """
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    room = text[: limit - len(ELLIPSIS) + 1]  # one more: is the character after the room a space?
    if " " in room:
        kept = _TRAILING.sub("", room.rsplit(" ", 1)[0])
        if kept:
            return kept + ELLIPSIS
    return text[: limit - len(ELLIPSIS)] + ELLIPSIS


def template_parameter(text: str, limit: int) -> str:
    """A text as a template parameter: WhatsApp refuses new lines, tabs and more than four spaces."""
    return shorten(_SPACES.sub(" ", text), limit)


class PayloadBook(payload_book.PayloadBook):
    """Button payloads as ids within WhatsApp's limit; longer payloads get a short key kept here."""

    def button_id(self, payload: str, limit: int) -> str:
        """The id for a payload: the payload itself when it fits, else a short key."""
        return self.key_for(payload, len(payload) <= limit)


@dataclass(frozen=True)
class Reply:
    """One message to send: `text` alone, or `interactive` (the Cloud API's object)."""

    text: str = ""
    interactive: dict[str, Any] | None = None

    def message(self) -> dict[str, Any]:
        """The message fields of a Cloud API request (without `to`)."""
        if self.interactive is not None:
            return {"type": "interactive", "interactive": self.interactive}
        return {"type": "text", "text": {"preview_url": False, "body": self.text}}


def is_link(payload: str) -> bool:
    return payload.startswith(("https://", "http://"))


def render(text: str, buttons: list[dict[str, Any]] | None, payloads: PayloadBook) -> list[Reply]:
    """Rasa's text and buttons as WhatsApp messages, in order; the buttons come with the last one."""
    choices = [b for b in buttons or [] if isinstance(b, dict) and str(b.get("payload") or "").strip()]
    links = [b for b in choices if is_link(str(b["payload"]))]
    choices = [b for b in choices if not is_link(str(b["payload"]))]
    lines = [f"{str(b.get('title') or '').strip() or 'Link'}: {b['payload']}" for b in links]
    text = "\n\n".join(part for part in [text.strip(), "\n".join(lines)] if part)
    if not choices:
        return [Reply(text=part) for part in split_text(text, TEXT_LIMIT)]
    parts = split_text(text, TEXT_LIMIT) or [EMPTY_BODY]
    if len(parts[-1]) > INTERACTIVE_BODY_LIMIT:
        parts = parts[:-1] + split_text(parts[-1], INTERACTIVE_BODY_LIMIT)
    *before, body = parts
    interactive, more = interactive_for(body, choices, payloads)
    replies = [Reply(text=part) for part in before] + [Reply(interactive=interactive)]
    if more:
        replies.append(Reply(text=MORE_CHOICES_TEXT))
    return replies


def fits_reply_buttons(choices: list[dict[str, Any]]) -> bool:
    titles = [str(b.get("title") or "").strip() for b in choices]
    return (
        len(choices) <= MAX_REPLY_BUTTONS
        and all(0 < len(title) <= BUTTON_TITLE_LIMIT for title in titles)
        and len(set(titles)) == len(titles)  # WhatsApp refuses two reply buttons with the same title
    )


def interactive_for(
    body: str, choices: list[dict[str, Any]], payloads: PayloadBook
) -> tuple[dict[str, Any], bool]:
    """Reply buttons or a list for `choices` under `body`; True when choices were left out."""
    if fits_reply_buttons(choices):
        buttons = [
            {
                "type": "reply",
                "reply": {
                    "id": payloads.button_id(str(b["payload"]), BUTTON_ID_LIMIT),
                    "title": str(b.get("title")).strip(),
                },
            }
            for b in choices
        ]
        return {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}, False
    rows, seen = [], set()
    for choice in choices[:MAX_LIST_ROWS]:
        row_id = payloads.button_id(str(choice["payload"]), ROW_ID_LIMIT)
        if row_id in seen:  # ids must be unique within a list
            continue
        seen.add(row_id)
        full = _SPACES.sub(" ", str(choice.get("title") or choice["payload"])).strip()
        row: dict[str, Any] = {"id": row_id, "title": shorten(full, ROW_TITLE_LIMIT)}
        if row["title"] != full:
            row["description"] = shorten(full, ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    interactive = {
        "type": "list",
        "body": {"text": body},
        "action": {"button": LIST_BUTTON, "sections": [{"rows": rows}]},
    }
    return interactive, len(choices) > MAX_LIST_ROWS
