"""Forget in the case backend on "verwijder mijn gegevens", for a channel that deletes a conversation itself
(Telegram's /stop button): the resident's conversation links, link codes and pending reminders and
check-ins of every linked conversation go (`POST /api/keep-in-touch/forget`, issue 24).

The dialogue's own path ("verwijder mijn gegevens" in the chat) does this in actions/privacy.py.
Best effort: a backend that cannot be reached is logged; the tracker is deleted all the same.
"""

from __future__ import annotations

import logging

import httpx

from bot.assistant.backend_http import backend_client

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0


async def forget_in_backend(conversation_id: str) -> bool:
    """True when the backend removed the conversation's links and pending messages."""
    try:
        async with backend_client(TIMEOUT_SECONDS) as client:
            response = await client.post(
                "/api/keep-in-touch/forget", json={"conversation_id": conversation_id}
            )
    except httpx.HTTPError as error:
        logger.warning("Links and scheduled messages not forgotten in the backend: %s", type(error).__name__)
        return False
    if response.status_code != 200:
        logger.warning("Links and messages not forgotten: the backend answered %d", response.status_code)
        return False
    return True
