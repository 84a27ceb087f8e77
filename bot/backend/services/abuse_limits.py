"""Per-client abuse limits of the public channels: new conversations and handovers per client and hour.

One script on one address could start any number of conversations and make a handover in each, and so
bury the staff inbox (issue 21). The resident channels (REST, the widget's socket.io) know the request's
address; they send a keyed hash of it (`client`, never the address itself;
bot/assistant/channels/client_limits.py) and ask `POST /api/limits/conversations` before a conversation
starts. The action server passes the same hash with `POST /api/handovers`, which counts it here before a
handover row is written.

The counts are kept by the `limits` library with a moving window (no double burst at a window's edge):
in this process's memory by default (one backend), in Redis with `LIMITS_STORAGE_URL=redis://...` when
several backends run (`VOORDEUR_STORES=production` sets it from REDIS_*). A limit of 0 is off. When the
store cannot be reached the limits let requests through and log an error: a resident must reach the
bot and a person; the proxy's rate limits still hold.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerHour
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bot.backend.services.errors import ServiceError, invalid

logger = logging.getLogger(__name__)

KEY_PREFIX = "voordeur-limits"
#: A client key as the channels make it: a hex HMAC-SHA256, shortened (never an address).
CLIENT_KEY_PATTERN = r"^[0-9a-f]{16,64}$"
_CLIENT_KEY = re.compile(CLIENT_KEY_PATTERN)
_CHANNEL = re.compile(r"^[a-z][a-z0-9_\-]{0,29}$")
#: Seconds to wait for Redis before a limit lets the request through.
STORAGE_TIMEOUT_SECONDS = 1.0


class TooManyRequests(ServiceError):
    status = 429


@dataclass(frozen=True)
class Verdict:
    """Whether a client may go on; if not, after how many seconds it may try again."""

    allowed: bool
    retry_after: int = 0


def valid_client_key(value: str) -> bool:
    return bool(_CLIENT_KEY.match(value))


def checked_client(client: str, channel: str | None = None) -> None:
    """Refuse a client key that is not the channels' hash (an address, say), and an unreadable channel."""
    if not valid_client_key(client):
        raise invalid("client", "Deze client-sleutel klopt niet.")
    if channel is not None and not _CHANNEL.match(channel):
        raise invalid("channel", "Dit kanaal klopt niet, bijvoorbeeld rest of socketio.")


def minutes_label(seconds: int) -> str:
    """'1 minuut', '12 minuten': rounded up, at least one."""
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minuut" if minutes == 1 else f"{minutes} minuten"


class AbuseLimits:
    """The per-client limits of one backend process, on one shared store."""

    def __init__(self, storage_url: str, *, conversations_per_hour: int, handovers_per_hour: int) -> None:
        self.storage_url = storage_url or "memory://"
        options: dict[str, float | str | bool] = {"key_prefix": KEY_PREFIX, "wrap_exceptions": True}
        if self.storage_url.startswith(("redis://", "rediss://", "redis+unix://")):
            options |= {"socket_timeout": STORAGE_TIMEOUT_SECONDS,
                        "socket_connect_timeout": STORAGE_TIMEOUT_SECONDS}  # fmt: skip
        storage = storage_from_string(self.storage_url, **options)
        if not isinstance(storage, Storage):  # "async+...": limits' asyncio storages need another limiter
            raise ValueError("LIMITS_STORAGE_URL must be memory:// or redis://..., not an async+ storage")
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.conversations = RateLimitItemPerHour(conversations_per_hour) if conversations_per_hour else None
        self.handovers = RateLimitItemPerHour(handovers_per_hour) if handovers_per_hour else None

    @property
    def kind(self) -> str:
        """'memory' or 'redis' (for the log and the docs), never the URL with its password."""
        return self.storage_url.split(":", 1)[0]

    def allow_conversation(self, client: str) -> Verdict:
        """Count a new conversation of this client; refused when it started too many this hour."""
        return self._hit(self.conversations, "conversation", client)

    def allow_handover(self, client: str) -> Verdict:
        """Count a new handover of this client; refused when it asked for too many this hour."""
        return self._hit(self.handovers, "handover", client)

    def _hit(self, item: RateLimitItem | None, kind: str, client: str) -> Verdict:
        if item is None:
            return Verdict(True)
        try:
            if self.limiter.hit(item, kind, client):
                return Verdict(True)
            reset_time = self.limiter.get_window_stats(item, kind, client).reset_time
        except Exception as error:  # the store is down: let the resident through (see the module text)
            logger.error("Abuse limits: the %s store failed (%s); not limiting", self.kind,
                         type(error).__name__)  # fmt: skip
            return Verdict(True)
        retry_after = max(1, math.ceil(reset_time - time.time()))
        logger.warning("Abuse limits: refused a %s of one client (retry after %d s)", kind, retry_after)
        return Verdict(False, retry_after)


def too_many_handovers(retry_after: int) -> TooManyRequests:
    return TooManyRequests(
        "too_many_handovers",
        "Vanaf deze verbinding is vaak om een medewerker gevraagd. "
        f"Probeer het over {minutes_label(retry_after)} opnieuw.",
        retry_after=retry_after,
    )
