"""WhatsApp's 24-hour customer service window: one definition for the channel and the staff page.

Within 24 hours of the resident's last message a business may send free-form messages; later only an
approved template (bot/assistant/channels/whatsapp_templates.py, docs/whatsapp.md). The WhatsApp channel
decides with this before every send; the staff page tells a medewerker in advance when a reply will go out as
a template (bot/backend/services/channel_window.py). Standard library only: both environments use it.
"""

from __future__ import annotations

#: The window less a margin: Meta counts from when the resident sent the message, we from when it
#: arrived. A send Meta still refuses as too late falls back to a template.
WINDOW_SECONDS = 24 * 3600 - 300


def window_open(seconds_since_resident_wrote: float | None) -> bool:
    """Whether a free-form message may go out; unknown (None) counts as closed."""
    return seconds_since_resident_wrote is not None and seconds_since_resident_wrote < WINDOW_SECONDS
