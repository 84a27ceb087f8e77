"""How staff pages name the resident's channel (the values our channels store: `socketio`, `telegram`)."""

from __future__ import annotations

CHANNEL_LABELS: dict[str, str] = {
    "socketio": "Website-chat",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "rest": "REST (test)",
}


def channel_label(channel: str | None) -> str:
    """The human name; a value no channel of ours stores is shown as such, marked unknown."""
    if not channel:
        return "onbekend kanaal"
    return CHANNEL_LABELS.get(channel, f"{channel} (onbekend kanaal)")
