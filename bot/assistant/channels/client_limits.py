"""Abuse limits of the resident channels (issue 21): new conversations per client, messages per conversation.

One script could start any number of conversations on the public REST and socket.io channels and ask
for a person in each, burying the staff inbox. Three limits hold it back (docs/security.md, "Abuse
limits"); a crisis message passes all of them, so it always gets the safety reply:

- **New conversations per client address and hour**, counted by the case backend with the `limits`
  library (in its memory, or Redis with several backends): the channel asks `POST /api/limits/
  conversations` only when a conversation is new, never per message. A backend that cannot be reached
  or answers too slowly (`LIMITS_CHECK_TIMEOUT_SECONDS`) lets the conversation start: a resident must
  reach the bot.
- **Messages per conversation and minute** (`LIMIT_MESSAGES_PER_CONVERSATION_MINUTE`), in fixed
  one-minute windows. With one Rasa process they are counted in its memory. With several replicas
  (`LIMITS_STORAGE_URL=redis://...`, which `VOORDEUR_STORES=production` sets) they are counted together in
  Redis: one INCR and EXPIRE per message in one round trip (the `limits` library the backend uses cannot
  be installed next to Rasa 3.6: it needs packaging>=21). When Redis does not answer, this process's own
  count applies until it does again: a resident must reach the bot.
- **Handovers per client address and hour**, and one open handover per conversation: the backend counts
  those where a handover is made. The channel puts the client's key into the message's metadata
  (`voordeur_client`), and the handover action passes it on.

The client address is the request's peer, or, when the peer is a trusted proxy (`FORWARDED_ALLOW_IPS`,
as uvicorn reads it: addresses or networks separated by commas, `*` for all; default 127.0.0.1), the
right-most address in X-Forwarded-For that is not a trusted proxy. IPv6 addresses count per /64. The key
is a keyed hash (HMAC-SHA256 with a key derived from BACKEND_SERVICE_TOKEN, the same on every replica),
so neither the tracker store nor the backend keeps an address. Clients in `LIMITS_EXEMPT_CLIENTS`
(default: this machine, 127.0.0.0/8 and ::1, so `make chat`, the tests and the benchmarks) are not
limited at all; behind a proxy the forwarded address counts, not the proxy's. Telegram messages carry no
address (Telegram's servers send them): only the per-conversation message limit applies to them.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from bot.assistant.backend_http import tls_context
from bot.assistant.channels.action_contract import CLIENT_METADATA_KEY
from bot.assistant.settings import rasa_side_settings

logger = logging.getLogger(__name__)

#: Metadata key of "this client is exempt from the limits"; read and removed before Rasa sees the message.
EXEMPT_METADATA_KEY = "voordeur_client_exempt"
DEFAULT_MESSAGES_PER_MINUTE = 30
DEFAULT_TRUSTED_PROXIES = "127.0.0.1"
DEFAULT_EXEMPT_CLIENTS = "127.0.0.0/8, ::1"
DEFAULT_CHECK_TIMEOUT_SECONDS = 1.0
#: Redis keys of the shared message counts: prefix, conversation id, minute window.
MESSAGE_KEY_PREFIX = "voordeur:limits:messages:"
#: Conversation ids this process knows to exist, and conversations it counts messages of (memory bound).
MAX_TRACKED_CONVERSATIONS = 50_000
KEY_LENGTH = 32  # hex characters of the client key
_KEY_CONTEXT = b"voordeur abuse limits client key"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str, variable: str) -> tuple[Network, ...] | None:
    """Addresses or networks separated by commas or spaces; None for `*` (every address)."""
    items = [item.strip().strip("'\"") for item in value.replace(",", " ").split()]
    items = [item for item in items if item]
    if "*" in items:
        return None
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except ValueError as error:
        raise ValueError(f"{variable}: {error}") from None


def in_networks(address: str, networks: tuple[Network, ...] | None) -> bool:
    """Whether `address` is in one of `networks` (None: every address)."""
    if networks is None:
        return True
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return any(parsed in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...] | None) -> str:
    """The resident's address: the peer, or behind trusted proxies the forwarded one (see the module text)."""
    address = (peer or "").strip()
    if not forwarded_for or not in_networks(address, trusted):
        return address
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not in_networks(hop, trusted):
            return hop
    return hops[0] if hops else address


def normalised(address: str) -> str:
    """`203.0.113.7`; IPv6 per /64 (one home or server gets a whole /64); anything else as it is."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:100] or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_key(address: str, secret: bytes) -> str:
    """The keyed hash of a client address that the metadata and the backend get instead of the address."""
    return hmac.new(secret, normalised(address).encode(), hashlib.sha256).hexdigest()[:KEY_LENGTH]


def key_secret(service_token: str) -> bytes:
    """The hashing key: derived from BACKEND_SERVICE_TOKEN (the same on every replica), else random."""
    if not service_token:
        return secrets.token_bytes(32)
    return hmac.new(service_token.encode(), _KEY_CONTEXT, hashlib.sha256).digest()


def _positive_number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip().strip("'\"")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def redis_url(value: str) -> str:
    """The Redis URL of `LIMITS_STORAGE_URL`, or "" when it names no Redis (`memory://`: one process)."""
    url = value.strip().strip("'\"")
    return url if url.startswith(("redis://", "rediss://")) else ""


@dataclass(frozen=True)
class LimitSettings:
    """The channel side's settings of the abuse limits (the backend has the hourly ones)."""

    messages_per_minute: int
    trusted_proxies: tuple[Network, ...] | None
    exempt_clients: tuple[Network, ...] | None
    check_timeout: float
    backend_url: str
    backend_token: str
    secret: bytes
    #: Redis URL of the counts shared by every replica; "" counts in this process's memory.
    shared_store_url: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LimitSettings:
        env = os.environ if environ is None else environ
        messages = _positive_number(
            env, "LIMIT_MESSAGES_PER_CONVERSATION_MINUTE", DEFAULT_MESSAGES_PER_MINUTE
        )
        timeout = _positive_number(env, "LIMITS_CHECK_TIMEOUT_SECONDS", DEFAULT_CHECK_TIMEOUT_SECONDS)
        if not 0 < timeout <= 10:
            raise ValueError("LIMITS_CHECK_TIMEOUT_SECONDS must be above 0 and at most 10")
        backend_url = env.get("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/")
        token = env.get("BACKEND_SERVICE_TOKEN", "")
        return cls(
            messages_per_minute=int(messages),
            trusted_proxies=parse_networks(
                env.get("FORWARDED_ALLOW_IPS", DEFAULT_TRUSTED_PROXIES), "FORWARDED_ALLOW_IPS"
            ),
            exempt_clients=parse_networks(
                env.get("LIMITS_EXEMPT_CLIENTS", DEFAULT_EXEMPT_CLIENTS), "LIMITS_EXEMPT_CLIENTS"
            ),
            check_timeout=timeout,
            backend_url=backend_url,
            backend_token=token,
            secret=key_secret(token),
            shared_store_url=redis_url(env.get("LIMITS_STORAGE_URL", "")),
        )

    @classmethod
    def for_channels(cls) -> LimitSettings:
        """From the environment, with the backend's address and token as the actions read them."""
        settings = cls.from_env()
        try:
            rasa_side = rasa_side_settings()
        except ValueError:
            return settings  # the actions refuse to start on it; the channel keeps the raw values
        return cls(**{**settings.__dict__, "backend_url": rasa_side.backend_url,
                      "backend_token": rasa_side.backend_service_token})  # fmt: skip

    def tag(self, metadata: Any, peer: str | None, forwarded_for: str | None) -> dict[str, Any]:
        """The metadata with the client's key (or the exempt mark), set here and never by the client."""
        tagged = dict(metadata) if isinstance(metadata, dict) else {}
        tagged.pop(CLIENT_METADATA_KEY, None)
        tagged.pop(EXEMPT_METADATA_KEY, None)
        address = client_address(peer, forwarded_for, self.trusted_proxies)
        if address and in_networks(address, self.exempt_clients):
            tagged[EXEMPT_METADATA_KEY] = True
        else:
            tagged[CLIENT_METADATA_KEY] = client_key(address or "unknown", self.secret)
        return tagged


@dataclass(frozen=True)
class Refusal:
    """Why a message is not passed on: `conversations` (new ones of this client) or `messages`."""

    kind: str
    retry_after: int


class MessageCounter:
    """Messages per conversation in fixed one-minute windows, in this process's memory."""

    def __init__(self, per_minute: int, clock: Any = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.windows: dict[str, tuple[int, int]] = {}

    def hit(self, conversation_id: str) -> int:
        """Count a message; 0 when it is within the limit, else the seconds until the next window."""
        if self.per_minute <= 0:
            return 0
        now = self.clock()
        window = int(now // 60)
        start, count = self.windows.get(conversation_id, (window, 0))
        if start != window:
            count = 0
        self.windows[conversation_id] = (window, count + 1)
        if len(self.windows) > MAX_TRACKED_CONVERSATIONS:
            self.windows = {key: value for key, value in self.windows.items() if value[0] == window}
        if count + 1 <= self.per_minute:
            return 0
        return max(1, int((window + 1) * 60 - now + 0.999))


class SharedMessageCounter:
    """Messages per conversation in fixed one-minute windows, counted in Redis by every replica together.

    A Redis that does not answer (within the check timeout) falls back to `fallback`, this process's own
    count, and is logged once until it answers again.
    """

    def __init__(self, url: str, fallback: MessageCounter, timeout: float, clock: Any = time.time) -> None:
        from redis import asyncio as redis_asyncio

        self.redis = redis_asyncio.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self.fallback = fallback
        self.clock = clock
        self.failing = False

    async def hit(self, conversation_id: str) -> int:
        """Count a message; 0 when it is within the limit, else the seconds until the next window."""
        per_minute = self.fallback.per_minute
        if per_minute <= 0:
            return 0
        now = self.clock()
        window = int(now // 60)
        key = f"{MESSAGE_KEY_PREFIX}{conversation_id}:{window}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                count, _ = await pipe.incr(key).expire(key, 120).execute()
        except Exception as error:  # Redis down: this process's count, never a refused resident
            if not self.failing:
                name = type(error).__name__
                logger.warning("Abuse limits: Redis did not answer (%s); counting in memory", name)
            self.failing = True
            return self.fallback.hit(conversation_id)
        if self.failing:
            logger.info("Abuse limits: Redis answers again; counting in Redis")
            self.failing = False
        if int(count) <= per_minute:
            return 0
        return max(1, int((window + 1) * 60 - now + 0.999))


class KnownConversations:
    """Conversation ids this process saw exist or let start (a bounded LRU set)."""

    def __init__(self, size: int = MAX_TRACKED_CONVERSATIONS) -> None:
        self.size = size
        self.ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, conversation_id: object) -> bool:
        if conversation_id in self.ids:
            self.ids.move_to_end(conversation_id)  # type: ignore[arg-type]
            return True
        return False

    def add(self, conversation_id: str) -> None:
        self.ids[conversation_id] = None
        self.ids.move_to_end(conversation_id)
        while len(self.ids) > self.size:
            self.ids.popitem(last=False)


def _sql_store(tracker_store: Any) -> Any:
    """Rasa's SQL tracker store inside its wrappers (fail-safe, awaitable), or None."""
    from rasa.core.tracker_store import SQLTrackerStore

    store = tracker_store
    for _ in range(5):
        if isinstance(store, SQLTrackerStore):
            return store
        store = getattr(store, "_tracker_store", None)
        if store is None:
            return None
    return None


async def conversation_exists(agent: Any, conversation_id: str) -> bool:
    """Whether the tracker store holds this conversation: one indexed row lookup on the SQL stores."""
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker_store is None:
        return False
    sql_store = _sql_store(tracker_store)
    if sql_store is None:
        return bool(await tracker_store.exists(conversation_id))
    import sqlalchemy as sa

    event = sql_store.SQLEvent
    query = sa.select(event.id).where(event.sender_id == conversation_id).limit(1)
    with sql_store.engine.connect() as connection:
        return connection.execute(query).first() is not None


class ResidentLimits:
    """The checks before a resident's message reaches Rasa (one object per channel)."""

    def __init__(self, settings: LimitSettings, channel: str) -> None:
        self.settings = settings
        self.channel = channel
        self.local_messages = MessageCounter(settings.messages_per_minute)
        self.shared_messages = (
            SharedMessageCounter(settings.shared_store_url, self.local_messages, settings.check_timeout)
            if settings.shared_store_url
            else None
        )
        self.known = KnownConversations()

    async def message_wait(self, conversation_id: str) -> int:
        """Count a message of this conversation: 0 within the limit, else the seconds to wait."""
        if self.shared_messages is not None:
            return await self.shared_messages.hit(conversation_id)
        return self.local_messages.hit(conversation_id)

    async def refusal(self, agent: Any, conversation_id: str, metadata: dict[str, Any]) -> Refusal | None:
        """None when the message may go on; else why not. Removes the exempt mark from `metadata`."""
        if metadata.pop(EXEMPT_METADATA_KEY, False) is True:
            return None
        wait = await self.message_wait(conversation_id)
        if wait:
            return Refusal("messages", wait)
        client = metadata.get(CLIENT_METADATA_KEY)
        if not isinstance(client, str) or conversation_id in self.known:
            return None
        try:
            exists = await conversation_exists(agent, conversation_id)
        except Exception as error:  # the tracker store will say so itself; do not add to it
            logger.warning("Abuse limits: could not look the conversation up (%s)", type(error).__name__)
            return None
        if not exists:
            allowed, retry_after = await self.may_start(client)
            if not allowed:
                return Refusal("conversations", retry_after)
        self.known.add(conversation_id)
        return None

    async def may_start(self, client: str) -> tuple[bool, int]:
        """Ask the backend whether this client may start a conversation; yes when it cannot answer."""
        try:
            async with httpx.AsyncClient(timeout=self.settings.check_timeout, verify=tls_context()) as http:
                response = await http.post(
                    f"{self.settings.backend_url}/api/limits/conversations",
                    json={"client": client, "channel": self.channel},
                    headers={"Authorization": f"Bearer {self.settings.backend_token}"},
                )
            if response.status_code != 200:
                raise ValueError(f"answer {response.status_code}")
            body = response.json()
            return bool(body["allowed"]), int(body.get("retry_after") or 0)
        except Exception as error:  # fail open: a resident must reach the bot
            logger.warning("Abuse limits: the backend did not answer (%s); the conversation may start",
                           type(error).__name__ if not isinstance(error, ValueError) else error)  # fmt: skip
            return True, 0


def exempt_networks_text(networks: Iterable[Network] | None) -> str:
    """For the start-up log: the exempt networks as written."""
    return "*" if networks is None else ", ".join(str(network) for network in networks) or "none"
