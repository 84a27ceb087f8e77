"""The channel side of the abuse limits (bot/assistant/channels/client_limits.py, limit_replies.py): which
address counts, the client key, the per-conversation message counter, the fail-open check, and the Dutch
texts.

The whole path over a running stack is in tests/app/test_abuse_limits_stack.py; the backend's counts in
tests/app/backend/test_abuse_limits.py.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from bot.assistant.channels import limit_replies
from bot.assistant.channels.client_limits import (
    CLIENT_METADATA_KEY,
    EXEMPT_METADATA_KEY,
    KnownConversations,
    LimitSettings,
    MessageCounter,
    ResidentLimits,
    SharedMessageCounter,
    client_address,
    client_key,
    key_secret,
    parse_networks,
)
from tests.rasa.booking_backend import free_port

ROOT = Path(__file__).resolve().parents[2]
LOCAL = parse_networks("127.0.0.1", "test")
PROXIES = parse_networks("10.0.0.0/8, 127.0.0.1", "test")
SECRET = key_secret("a-service-token-of-some-length-0123")


def settings(**env: str) -> LimitSettings:
    return LimitSettings.from_env({"BACKEND_SERVICE_TOKEN": "a-service-token-of-some-length-0123", **env})


# --- Which address counts ----------------------------------------------------------------------------------


def test_without_a_trusted_proxy_the_peer_counts_whatever_the_header_says() -> None:
    assert client_address("203.0.113.7", "198.51.100.1", LOCAL) == "203.0.113.7"
    assert client_address("203.0.113.7", None, LOCAL) == "203.0.113.7"


def test_behind_trusted_proxies_the_right_most_untrusted_address_counts() -> None:
    # nginx appends the address it saw; what the client wrote itself stands to the left and is ignored.
    assert client_address("127.0.0.1", "198.51.100.1, 203.0.113.7", LOCAL) == "203.0.113.7"
    assert client_address("10.1.2.3", "203.0.113.7, 10.0.0.5", PROXIES) == "203.0.113.7"
    assert client_address("10.1.2.3", "10.0.0.9, 10.0.0.5", PROXIES) == "10.0.0.9"  # all proxies: leftmost
    assert client_address("127.0.0.1", "", LOCAL) == "127.0.0.1"
    assert client_address("192.0.2.1", "203.0.113.7", parse_networks("*", "test")) == "203.0.113.7"


def test_ipv6_clients_count_per_64_and_the_key_hides_the_address() -> None:
    first = client_key("2001:db8:1:2::1", SECRET)
    assert first == client_key("2001:db8:1:2:ffff::9", SECRET)  # same /64: one home
    assert first != client_key("2001:db8:1:3::1", SECRET)
    assert client_key("::ffff:203.0.113.7", SECRET) == client_key("203.0.113.7", SECRET)
    key = client_key("203.0.113.7", SECRET)
    assert len(key) == 32 and set(key) <= set("0123456789abcdef") and "203" not in key
    assert key != client_key("203.0.113.7", key_secret("another-deployments-token-0123456"))


def test_the_channel_sets_the_key_and_a_client_cannot_set_its_own() -> None:
    limits = settings()
    forged = {CLIENT_METADATA_KEY: "0" * 32, EXEMPT_METADATA_KEY: True, "page": "/wonen"}
    tagged = limits.tag(forged, "127.0.0.1", "203.0.113.7")
    assert tagged == {"page": "/wonen", CLIENT_METADATA_KEY: client_key("203.0.113.7", limits.secret)}
    assert limits.tag(None, "127.0.0.1", None) == {EXEMPT_METADATA_KEY: True}  # this machine: make chat
    assert limits.tag("not a dict", "::1", None) == {EXEMPT_METADATA_KEY: True}
    assert CLIENT_METADATA_KEY in limits.tag({}, "198.51.100.4", None)


def test_settings_from_the_environment() -> None:
    defaults = settings()
    assert defaults.messages_per_minute == 30 and defaults.check_timeout == 1.0
    tuned = settings(LIMIT_MESSAGES_PER_CONVERSATION_MINUTE="12", LIMITS_EXEMPT_CLIENTS='""',
                     FORWARDED_ALLOW_IPS="'10.0.0.0/8'")  # fmt: skip
    assert tuned.messages_per_minute == 12 and tuned.exempt_clients == ()
    assert tuned.tag({}, "127.0.0.1", None) != {EXEMPT_METADATA_KEY: True}  # nothing exempt
    for name, value in [("FORWARDED_ALLOW_IPS", "proxy.example"), ("LIMITS_EXEMPT_CLIENTS", "10.0.0.300"),
                        ("LIMIT_MESSAGES_PER_CONVERSATION_MINUTE", "many"),
                        ("LIMITS_CHECK_TIMEOUT_SECONDS", "0")]:  # fmt: skip
        with pytest.raises(ValueError, match=name):
            settings(**{name: value})


# --- Messages per conversation -----------------------------------------------------------------------------


def test_messages_are_counted_per_conversation_in_minute_windows() -> None:
    now = [600.0]
    counter = MessageCounter(3, clock=lambda: now[0])
    assert [counter.hit("a") for _ in range(3)] == [0, 0, 0]
    now[0] = 615.0
    assert counter.hit("a") == 45  # over the limit: the seconds until the next minute
    assert counter.hit("b") == 0  # another conversation is not affected
    now[0] = 660.0
    assert counter.hit("a") == 0  # a new minute
    assert all(MessageCounter(0).hit("a") == 0 for _ in range(100))  # 0: off


@pytest.mark.redis
async def test_two_replicas_count_the_messages_of_a_conversation_together_in_redis() -> None:
    """With LIMITS_STORAGE_URL on Redis, messages reaching different replicas share one count."""
    env = {"LIMIT_MESSAGES_PER_CONVERSATION_MINUTE": "4", "LIMITS_STORAGE_URL": "redis://127.0.0.1:6379/0",
           "BACKEND_URL": f"http://127.0.0.1:{free_port()}"}  # fmt: skip
    replicas = [ResidentLimits(settings(**env), "rest") for _ in range(2)]
    assert all(isinstance(replica.shared_messages, SharedMessageCounter) for replica in replicas)
    await replicas[0].shared_messages.redis.ping()  # fails loudly when Redis is not running
    conversation = f"shared-{uuid.uuid4().hex}"
    waits = [await replicas[index % 2].message_wait(conversation) for index in range(5)]
    assert waits[:4] == [0, 0, 0, 0]  # two on each replica: four together, within the limit
    assert 0 < waits[4] <= 60  # the fifth is over it, though each replica saw at most three
    assert await replicas[1].message_wait(f"other-{uuid.uuid4().hex}") == 0
    assert all(not replica.local_messages.windows for replica in replicas)  # nothing counted in memory


async def test_an_unreachable_redis_falls_back_to_counting_in_memory() -> None:
    env = {"LIMIT_MESSAGES_PER_CONVERSATION_MINUTE": "2", "LIMITS_CHECK_TIMEOUT_SECONDS": "0.5",
           "LIMITS_STORAGE_URL": f"redis://127.0.0.1:{free_port()}/0"}  # fmt: skip
    limits = ResidentLimits(settings(**env), "rest")
    waits = [await limits.message_wait("no-redis") for _ in range(3)]
    assert waits[:2] == [0, 0] and waits[2] > 0  # still limited, by this process's count
    assert limits.shared_messages is not None and limits.shared_messages.failing


def test_only_a_redis_url_makes_the_count_shared() -> None:
    assert settings().shared_store_url == settings(LIMITS_STORAGE_URL="memory://").shared_store_url == ""
    quoted = settings(LIMITS_STORAGE_URL="'rediss://127.0.0.1:6379/0'")
    assert quoted.shared_store_url == "rediss://127.0.0.1:6379/0"


def test_known_conversations_stay_bounded() -> None:
    known = KnownConversations(size=3)
    for name in "abcd":
        known.add(name)
    assert "a" not in known and all(name in known for name in "bcd")


# --- New conversations: asking the backend -----------------------------------------------------------------


async def test_an_unreachable_backend_lets_new_conversations_start() -> None:
    """Fail open: a resident must reach the bot when the backend is down."""
    limits = ResidentLimits(settings(BACKEND_URL=f"http://127.0.0.1:{free_port()}"), "rest")
    metadata = {CLIENT_METADATA_KEY: client_key("203.0.113.7", SECRET)}
    started = time.monotonic()
    for index in range(3):
        assert await limits.refusal(None, f"new-{index}", dict(metadata)) is None
    assert time.monotonic() - started < 5


async def test_exempt_clients_and_messages_over_the_minute_limit() -> None:
    limits = ResidentLimits(settings(LIMIT_MESSAGES_PER_CONVERSATION_MINUTE="2",
                                     BACKEND_URL=f"http://127.0.0.1:{free_port()}"), "rest")  # fmt: skip
    exempt = {EXEMPT_METADATA_KEY: True}
    assert all([await limits.refusal(None, "local", dict(exempt)) is None for _ in range(10)])
    metadata = {CLIENT_METADATA_KEY: client_key("203.0.113.7", SECRET)}
    verdicts = [await limits.refusal(None, "busy", dict(metadata)) for _ in range(3)]
    assert verdicts[:2] == [None, None]
    assert verdicts[2] is not None and verdicts[2].kind == "messages" and 0 < verdicts[2].retry_after <= 60
    marked = dict(exempt)
    await limits.refusal(None, "local", marked)
    assert marked == {}  # the exempt mark never reaches Rasa


# --- What the resident reads --------------------------------------------------------------------------------


def test_the_replies_are_short_kind_dutch_with_the_number_and_112() -> None:
    phone = limit_replies.wijkteam_phone(ROOT / "content")
    assert phone == "0123-456 789"
    text = limit_replies.reply_for("conversations", 125, phone)
    assert text.startswith("Er komen veel nieuwe gesprekken van deze verbinding.")
    assert "over 3 minuten opnieuw" in text and "Bel het wijkteam: 0123-456 789." in text
    assert text.endswith("Ben je in gevaar? Bel dan meteen 112.")
    formal = limit_replies.reply_for("messages", 30, phone, "u")
    assert "stuur uw bericht over 1 minuut opnieuw" in formal and "Bent u in gevaar?" in formal
    assert " je " not in formal
    handover = limit_replies.reply_for("handovers", 3600, None)
    assert "over 60 minuten opnieuw" in handover and "Bel het wijkteam" not in handover
    for kind in ("conversations", "messages", "handovers"):
        sentences = [s for s in limit_replies.reply_for(kind, 60, phone).split(". ") if s]
        assert max(len(sentence.split()) for sentence in sentences) <= 12  # short sentences (B1)


def test_no_phone_number_when_local_yml_is_missing(tmp_path: Path) -> None:
    assert limit_replies.wijkteam_phone(tmp_path) is None
    assert "wijkteam" not in limit_replies.reply_for("conversations", 60, None)
