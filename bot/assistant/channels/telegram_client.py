"""A python-telegram-bot `Bot`, initialized once, whose calls retry a bounded number of times.

A failed Bot API call never raises into the channel: it is logged (without the token or the message
text) and the caller gets `None`. Retried: 429 (after Telegram's `retry_after`), 5xx, time-outs and
network errors. Not retried: 400 Bad Request and 403 (the resident blocked the bot).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

logger = logging.getLogger(__name__)

T = TypeVar("T")

TELEGRAM_API = "https://api.telegram.org"


class TelegramClient:
    """One PTB Bot for the whole channel; created and initialized on first use, inside the server's loop."""

    def __init__(
        self,
        token: str,
        api_root: str = TELEGRAM_API,
        *,
        attempts: int = 4,
        first_delay: float = 0.5,
        max_retry_after: float = 30.0,
    ) -> None:
        configure_logging()
        self._token = token
        self._api_root = api_root.rstrip("/")
        self._attempts = attempts
        self._first_delay = first_delay
        self._max_retry_after = max_retry_after
        self._bot: Bot | None = None
        self._ready = False
        self._init_lock: asyncio.Lock | None = None

    async def bot(self) -> Bot:
        """The initialized Bot (`getMe` once); raises PTB's errors when Telegram cannot be reached."""
        if self._bot is None:
            self._bot = Bot(
                self._token,
                base_url=f"{self._api_root}/bot",
                base_file_url=f"{self._api_root}/file/bot",
            )
        if not self._ready:
            if self._init_lock is None:
                self._init_lock = asyncio.Lock()
            async with self._init_lock:
                if not self._ready:
                    await self._bot.initialize()
                    self._ready = True
        return self._bot

    async def call(self, what: str, action: Callable[[Bot], Awaitable[T]]) -> T | None:
        """Run one Bot API call with retries; `what` names it in the log (never the content)."""
        for attempt in range(1, self._attempts + 1):
            try:
                return await action(await self.bot())
            except RetryAfter as error:
                delay = min(_retry_after_seconds(error), self._max_retry_after)
                reason = "flood limit (429)"
            except BadRequest as error:
                logger.error("Telegram refused %s: %s", what, self.scrub(error))
                return None
            except NetworkError as error:
                delay = self._first_delay * 2 ** (attempt - 1)
                reason = self.scrub(error)
            except TelegramError as error:
                logger.error("Telegram call %s failed: %s: %s", what, type(error).__name__, self.scrub(error))
                return None
            if attempt == self._attempts:
                logger.error("Telegram call %s failed %d times, giving up: %s", what, attempt, reason)
                return None
            logger.warning("Telegram call %s failed (%s); retry %d in %.1fs", what, reason, attempt, delay)
            await asyncio.sleep(delay)
        return None

    async def shutdown(self) -> None:
        """Close the Bot's HTTP connections."""
        if self._bot is not None and self._ready:
            await self._bot.shutdown()
            self._ready = False

    def scrub(self, error: BaseException) -> str:
        """The error text without the token (httpx errors can carry the URL)."""
        return str(error).replace(self._token, "<token>") if self._token else str(error)


def _retry_after_seconds(error: RetryAfter) -> float:
    """`RetryAfter.retry_after` is an int or a timedelta, depending on PTB's settings (and warns as int)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


_logging_configured = False


def configure_logging() -> None:
    """Once: keep httpx and PTB quiet (httpx logs URLs with the token, PTB debug logs message text)."""
    global _logging_configured
    if _logging_configured:
        return
    for name in ("httpx", "httpcore", "telegram"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # PTB 22.2+ warns on every 429 that `retry_after` will become a timedelta; we handle both.
    warnings.filterwarnings("ignore", message=".*`retry_after`.*", category=PTBDeprecationWarning)
    _logging_configured = True
