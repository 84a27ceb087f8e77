"""Whether a medewerker's message to a WhatsApp resident goes out as a template (the 24-hour window).

WhatsApp allows free-form messages within 24 hours of the resident's last message, later only an approved
template (docs/whatsapp.md). The channel decides that on the Rasa side, from the time it keeps in
`voordeur_whatsapp_contacts`. The staff page tells the medewerker in advance, from the conversation it
already reads from Rasa: the time of the resident's last message in the transcript, with the same window
(`bot.shared.whatsapp_window`). The two can differ in one case: a photo or voice message opens the window
for the channel but never reaches Rasa, so the page may announce a template where plain text goes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from bot.shared.whatsapp_window import window_open

WHATSAPP = "whatsapp"
#: The text of a user event Rasa makes itself (`trigger_intent`: the hand-back's message, reminders),
#: not written by the resident (rasa.shared.core.constants.EXTERNAL_MESSAGE_PREFIX).
EXTERNAL_PREFIX = "EXTERNAL: "


class TranscriptEntry(Protocol):
    """A line of the conversation as the staff page reads it (`rasa_client.TranscriptLine`)."""

    @property
    def sender(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def at(self) -> datetime | None: ...


def outside_whatsapp_window(
    *, channel: str | None, transcript: Sequence[TranscriptEntry] | None, now: datetime | None = None
) -> bool:
    """True when the handover is on WhatsApp and the resident's last message is too old for free text.

    False when unknown: Rasa did not answer (the page says so), or no message of the resident is left.
    """
    if channel != WHATSAPP or not transcript:
        return False
    written = [
        line.at
        for line in transcript
        if line.sender == "user" and line.at is not None and not line.text.startswith(EXTERNAL_PREFIX)
    ]
    if not written:
        return False
    since = ((now or datetime.now(UTC)) - max(written)).total_seconds()
    return not window_open(since)
