"""Fuzzing the WhatsApp webhook: whatever an attacker posts, the channel answers without a 500, keeps
the bodies out of the logs, and still answers the next resident.

The channel runs in its own Sanic app, as Rasa mounts it, with a stand-in `on_new_message` that answers
every message through the channel's output (so the reply reaches the WhatsApp stand-in) and a SQLite
tracker store that holds the contacts and the delivery ids. No Rasa model, no action server.

Hypothesis is not in the Rasa environment, so the bodies come from a seeded `random` generator: the
same requests on every run, and a failure names the seed and the request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import random
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from unittest import mock

import httpx
import pytest
import pytest_asyncio
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.assistant.channels.whatsapp import TEXT_ONLY_TEXT, WhatsAppInput, WhatsAppSettings
from tests.rasa.booking_backend import free_port
from tests.rasa.whatsapp_standin import API_VERSION, WhatsAppStandIn

pytestmark = pytest.mark.asyncio(loop_scope="module")

WA_TOKEN = "EAAfuzz-token-for-the-stand-in"
PHONE_NUMBER_ID = "109876543210"
APP_SECRET = "fuzz-app-secret-0123456789abcdef"
VERIFY_TOKEN = "fuzz-verify-token_123"
REPLY = "Ik heb je bericht gelezen."
SEED = 25
HUGE = 100_000
#: Strings shorter than this are too common ("text", "id") to say a log line came from a body.
MARKER_LENGTH = 8

KEYS = [
    "object", "entry", "id", "changes", "value", "field", "messaging_product", "metadata",
    "phone_number_id", "display_phone_number", "contacts", "profile", "name", "wa_id", "messages",
    "statuses", "from", "timestamp", "type", "text", "body", "interactive", "button_reply", "list_reply",
    "title", "button", "payload", "reaction", "emoji", "message_id", "errors", "code", "status",
    "recipient_id", "system", "image", "context",
]  # fmt: skip
KINDS = ["text", "interactive", "button", "reaction", "image", "system", "ephemeral", "unsupported", ""]
STATUSES = ["sent", "delivered", "read", "failed", "deleted", ""]
ODD_TEXTS = [
    "",
    " ",
    "\x00",
    "hallo\x00wereld",
    "\ud800",
    "\u202eevil",
    "💥" * 50,
    "Ω≈ç√∫˜µ≤≥÷",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%s%s%n",
    "{{7*7}}",
    "../../etc/passwd",
    "p:" + "0" * 24,
    "/affirm",
    '/inform{"naam": "x"}',
    "https://example.nl/x",
]


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- the generator ---------------------------------------------------------------------------------


def random_text(rng: random.Random) -> str:
    """Short, odd, unicode, with null bytes, or huge (up to 100,000 characters)."""
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(ODD_TEXTS)
    if roll < 0.4:
        return rng.choice("ab\x00é💥 ") * rng.randint(1_000, HUGE)
    length = rng.randint(1, 40)
    return "".join(
        chr(rng.choice([rng.randint(32, 126), rng.randint(0, 0x2FFF), 0x1F4A5, 0])) for _ in range(length)
    )


def random_leaf(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            rng.random() < 0.5,
            rng.randint(-(2**63), 2**63 - 1),
            rng.randint(0, 10),
            rng.uniform(-1e300, 1e300),
            random_text(rng),
            rng.choice(KINDS + STATUSES),
            PHONE_NUMBER_ID,
        ]
    )


def random_value(rng: random.Random, depth: int = 0) -> Any:
    """Any JSON value: leaves, lists and objects (with the keys the channel reads) a few levels deep."""
    roll = rng.random()
    if depth >= 4 or roll < 0.5:
        return random_leaf(rng)
    if roll < 0.7:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = rng.sample(KEYS, rng.randint(0, 5)) + ([random_text(rng)] if rng.random() < 0.2 else [])
    return {key: random_value(rng, depth + 1) for key in keys}


def deeply_nested(depth: int, leaf: Any = "x") -> Any:
    """A list in a list ... `depth` times (the JSON parser's depth limit is about 1,000)."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def nested_json(depth: int) -> str:
    """JSON text of a list in a list ... `depth` times (too deep for Python's own encoder)."""
    return "[" * depth + '"x"' + "]" * depth


PLACEHOLDER = "<the value under test>"


def maybe(rng: random.Random, right: Callable[[], Any], chance: float = 0.15) -> Any:
    """The right shape, or now and then a random value in its place (or a missing key: `MISSING`)."""
    roll = rng.random()
    if roll < chance / 3:
        return MISSING
    if roll < chance:
        return random_value(rng)
    return right()


MISSING = object()


def without_missing(value: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if item is not MISSING}


def shaped_message(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(KINDS)
    content: Any = {
        "text": lambda: {"body": random_text(rng)},
        "interactive": lambda: {
            "type": rng.choice(["button_reply", "list_reply", "nfm_reply", 7]),
            rng.choice(["button_reply", "list_reply"]): {"id": random_leaf(rng), "title": random_leaf(rng)},
        },
        "button": lambda: {"payload": random_leaf(rng), "text": random_leaf(rng)},
        "reaction": lambda: {"message_id": random_leaf(rng), "emoji": random_leaf(rng)},
    }.get(kind, lambda: random_value(rng))
    return without_missing(
        {
            "from": maybe(rng, lambda: f"316{rng.randint(0, 10**8):08d}"),
            "id": maybe(rng, lambda: f"wamid.fuzz{rng.getrandbits(64):x}"),
            "timestamp": maybe(rng, lambda: str(rng.randint(0, 2**40))),
            "type": maybe(rng, lambda: kind),
            kind or "empty": maybe(rng, content),
        }
    )


def shaped_status(rng: random.Random) -> dict[str, Any]:
    return without_missing(
        {
            "id": maybe(rng, lambda: f"wamid.out{rng.randint(0, 999)}"),
            "status": maybe(rng, lambda: rng.choice(STATUSES)),
            "recipient_id": maybe(rng, lambda: random_leaf(rng)),
            "errors": maybe(rng, lambda: [{"code": random_leaf(rng), "title": random_leaf(rng)}]),
        }
    )


def shaped_notification(rng: random.Random) -> Any:
    """Meta's notification shape with random values, wrong types and missing keys at every level."""

    def value() -> dict[str, Any]:
        return without_missing(
            {
                "messaging_product": maybe(rng, lambda: "whatsapp"),
                "metadata": maybe(
                    rng,
                    lambda: without_missing({"phone_number_id": maybe(rng, lambda: PHONE_NUMBER_ID, 0.3)}),
                ),
                "messages": maybe(rng, lambda: [shaped_message(rng) for _ in range(rng.randint(0, 3))]),
                "statuses": maybe(rng, lambda: [shaped_status(rng) for _ in range(rng.randint(0, 3))]),
            }
        )

    def change() -> dict[str, Any]:
        return without_missing({"field": maybe(rng, lambda: "messages"), "value": maybe(rng, value)})

    def entry() -> dict[str, Any]:
        return without_missing(
            {"id": maybe(rng, lambda: "1022"), "changes": maybe(rng, lambda: [change(), change()])}
        )

    def notification() -> dict[str, Any]:
        return without_missing(
            {
                "object": maybe(rng, lambda: "whatsapp_business_account"),
                "entry": maybe(rng, lambda: [entry()]),
            }
        )

    found = maybe(rng, notification, 0.1)
    return {} if found is MISSING else found


def valid_text(wa_id: str, text: str, message_id: str) -> dict[str, Any]:
    message = {
        "from": wa_id,
        "id": message_id,
        "timestamp": "1700000000",
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "31201234567", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Fuzz Bewoner"}, "wa_id": wa_id}],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1022", "changes": [{"value": value, "field": "messages"}]}],
    }


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and index path in a JSON value."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def mutated(rng: random.Random, document: Any) -> Any:
    """A copy with one field replaced by a random value, or deleted."""
    document = json.loads(json.dumps(document))
    path = rng.choice(paths(document)[1:])
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and rng.random() < 0.2:
        del parent[path[-1]]
    else:
        parent[path[-1]] = rng.choice(
            [random_value(rng), random_leaf(rng), deeply_nested(rng.randint(1, 300))]
        )
    return document


def strings_in(value: Any) -> set[str]:
    """The strings of a body long enough to recognise in a log line."""
    if isinstance(value, str):
        return {value} if len(value.strip()) >= MARKER_LENGTH else set()
    if isinstance(value, dict):
        return set().union(*(strings_in(k) | strings_in(v) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(strings_in(item) for item in value))
    return set()


# --- the channel under fuzz -------------------------------------------------------------------------


@dataclass
class Harness:
    http: httpx.AsyncClient
    standin: WhatsAppStandIn
    received: list[UserMessage] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    sent: set[str] = field(default_factory=set)

    async def post(self, raw: bytes, *, sign: str | None = "", content_type: str = "application/json") -> int:
        """POST raw bytes; `sign` "" signs them properly, None sends no signature, else that header."""
        headers = {"Content-Type": content_type} if content_type else {}
        if sign is not None:
            headers["X-Hub-Signature-256"] = sign or signature(raw)
        response = await self.http.post("/webhooks/whatsapp/webhook", content=raw, headers=headers)
        self.statuses.append(response.status_code)
        return response.status_code

    async def post_json(self, document: Any, **kwargs: Any) -> int:
        self.sent |= strings_in(document)
        return await self.post(json.dumps(document).encode(), **kwargs)

    async def still_answers(self, wa_id: str) -> None:
        """A resident's plain text message still reaches Rasa and gets its reply through the stand-in."""
        before = len(self.received)
        status = await self.post_json(valid_text(wa_id, "Ik heb een vraag over huur", f"wamid.live{wa_id}"))
        assert status == 200
        assert [m.text for m in self.received[before:]] == ["Ik heb een vraag over huur"]
        assert self.standin.texts(wa_id) == [REPLY]


@pytest.fixture(scope="module")
def standin() -> Iterator[WhatsAppStandIn]:
    with WhatsAppStandIn(WA_TOKEN, PHONE_NUMBER_ID, APP_SECRET, VERIFY_TOKEN) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def channel(
    standin: WhatsAppStandIn, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Harness]:
    """The channel's blueprint in a Sanic app on a free port, with a SQLite tracker store (one app per
    module: Sanic 21.12 cannot start a second app in the same process)."""
    settings = WhatsAppSettings(
        WA_TOKEN, PHONE_NUMBER_ID, APP_SECRET, VERIFY_TOKEN, standin.base_url, API_VERSION
    )
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        """Rasa's part, stood in: every message gets one reply through the channel's output."""
        received.append(message)
        await message.output_channel.send_text_message(message.sender_id, REPLY)

    app = Sanic(f"whatsapp_fuzz_{os.getpid()}")
    folder = tmp_path_factory.mktemp("whatsapp_fuzz")
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(folder / "tracker.db"))
    app.ctx.agent = SimpleNamespace(tracker_store=store)
    app.blueprint(WhatsAppInput(settings).blueprint(on_new_message), url_prefix="/webhooks/whatsapp")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    assert server is not None
    # Sanic's TouchUp rewrites its HTTP methods from their source at the first app start in a process; a
    # later start (another in-process server of the test session) cannot read the rewritten source and
    # fails with KeyError. It is only a speed-up, so this test app starts without it.
    with mock.patch("sanic.app.TouchUp.run", lambda app: None):
        await server.startup()
    await server.before_start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            yield Harness(http, standin, received)
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()


@pytest.fixture
def harness(channel: Harness) -> Harness:
    """The running channel, with this test's own record of what was sent."""
    channel.sent = set()
    return channel


def assert_nothing_of_the_bodies_logged(caplog: pytest.LogCaptureFixture, sent: set[str]) -> None:
    """No warning or error repeats a string of a body, and none carries a traceback."""
    loud = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert not [r.getMessage() for r in loud if r.exc_info], "an exception escaped into the log"
    logged = "\n".join(record.getMessage() for record in loud)
    leaked = [text[:60] for text in sent if text in logged]
    assert not leaked, f"body content in the log: {leaked[:5]}"


# --- the tests ---------------------------------------------------------------------------------------


async def test_random_json_of_every_shape_gets_200_and_the_channel_goes_on(
    harness: Harness, standin: WhatsAppStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED)
    caplog.set_level(logging.INFO)
    await harness.still_answers("31690000001")
    for number in range(160):
        document = shaped_notification(rng) if number % 4 else random_value(rng)
        status = await harness.post_json(document)
        allowed = {200} if isinstance(document, dict) else {400}
        assert status in allowed, f"seed {SEED}, request {number}: {status} for {json.dumps(document)[:300]}"
    await harness.still_answers("31690000002")
    assert_nothing_of_the_bodies_logged(caplog, harness.sent)


async def test_deeply_nested_and_huge_values_in_every_field(
    harness: Harness, standin: WhatsAppStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """Nesting close to the parser's limit and 100,000-character strings in every field of a notification.

    Found by the fuzzing: a list nested 1,000 deep as `phone_number_id` (or a status, a sender) made the
    channel turn it into text, which raised RecursionError: a 500.
    """
    caplog.set_level(logging.INFO)
    template = valid_text("31690000010", "hallo", "wamid.deep")
    template["entry"][0]["changes"][0]["value"]["statuses"] = [
        {"id": "wamid.s", "status": "failed", "errors": [{"code": 131026}]}
    ]
    replacements = [  # JSON text, and what the webhook answers
        (nested_json(1000), 200),
        (nested_json(5000), 400),  # past the parser's depth limit: not readable JSON
        (json.dumps("é\x00" * (HUGE // 2)), 200),
        (json.dumps({"a": [None] * 500}), 200),
    ]
    for number, path in enumerate(paths(template)[1:]):
        for variant, (replacement, expected) in enumerate(replacements):
            document = json.loads(json.dumps(template))
            document["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = f"wamid.deep{number}-{variant}"
            parent = document
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = PLACEHOLDER
            harness.sent |= strings_in(document) | strings_in(json.loads(replacement) if variant > 1 else "")
            raw = json.dumps(document).replace(json.dumps(PLACEHOLDER), replacement).encode()
            status = await harness.post(raw)
            assert status == expected, f"{status} for {path} = {replacement[:80]}"
    await harness.still_answers("31690000011")
    assert_nothing_of_the_bodies_logged(caplog, harness.sent)


async def test_mutations_of_a_valid_text_message_get_200(
    harness: Harness, standin: WhatsAppStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED + 1)
    caplog.set_level(logging.INFO)
    for number in range(200):
        document = mutated(rng, valid_text(f"3166{number:07d}", "Ik heb schulden", f"wamid.m{number}"))
        status = await harness.post_json(document)
        allowed = {200} if isinstance(document, dict) else {400}
        assert status in allowed, (
            f"seed {SEED + 1}, mutation {number}: {status} for {json.dumps(document)[:300]}"
        )
    await harness.still_answers("31690000020")
    assert_nothing_of_the_bodies_logged(caplog, harness.sent)


async def test_signed_bodies_that_are_not_json_get_400_with_any_content_type(
    harness: Harness, standin: WhatsAppStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED + 2)
    caplog.set_level(logging.INFO)
    valid = json.dumps(valid_text("31690000030", "hallo", "wamid.ct")).encode()
    bodies = [
        b"",
        b"null",
        b"[]",
        b'"just a string"',
        b"12345",
        b"{",
        valid[:-1],
        valid + b"}",
        b'{"entry": [}',
        b"\xff\xfe\x00\x00",
        b"\x00" * 1000,
        b"entry=1&changes=2",
        b"<xml><entry/></xml>",
        b'{"entry": NaN}',
        b'{"a": 1e999999}',
        b'{"a": ' + b"9" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'{"a": "\\ud800"}',
        *(rng.randbytes(rng.randint(1, 5000)) for _ in range(30)),
    ]
    content_types = [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/json; charset=latin-1",
        "",
    ]
    for number, raw in enumerate(bodies):
        content_type = content_types[number % len(content_types)]
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):
            parsed = None
        status = await harness.post(raw, content_type=content_type)
        expected = 200 if isinstance(parsed, dict) else 400  # NaN, 1e999999, a lone surrogate: still JSON
        assert status == expected, f"{status} for body {number} ({content_type!r}): {raw[:80]!r}"
    for content_type in content_types:  # a real notification is read whatever the content type says
        assert (
            await harness.post(
                valid.replace(b"wamid.ct", f"wamid.ct{content_type}".encode()), content_type=content_type
            )
            == 200
        )
    await harness.still_answers("31690000031")
    assert_nothing_of_the_bodies_logged(caplog, {"just a string", "entry=1&changes=2", "<xml><entry/></xml>"})


async def test_unsigned_or_badly_signed_random_bodies_get_403_and_reach_nothing(
    harness: Harness, standin: WhatsAppStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED + 3)
    caplog.set_level(logging.INFO)
    calls_before, received_before = len(standin.calls(ok=False)), len(harness.received)
    for number in range(150):
        wa_id = f"3168{number:07d}"
        document = (
            valid_text(wa_id, "geheime vraag over schulden", f"wamid.u{number}")
            if number % 2
            else shaped_notification(rng)
        )
        raw = json.dumps(document).encode() if number % 5 else rng.randbytes(rng.randint(0, 3000))
        harness.sent |= strings_in(document)
        bad = rng.choice(
            [
                None,
                "",
                "sha256=",
                "sha256=" + "0" * 64,
                "sha256=" + rng.randbytes(32).hex(),
                "sha1=" + hashlib.sha1(raw).hexdigest(),
                signature(raw, "another-apps-secret"),
                signature(raw + b" "),
                signature(raw)[:-1],
                signature(raw) + "00",
                "sha256=" + "é" * 64,
                "SHA256=" + signature(raw)[7:],
                "sha256=" + "f" * 4000,
            ]
        )
        headers = {"Content-Type": "application/json"}
        if bad is not None:
            headers["X-Hub-Signature-256"] = bad
        response = await harness.http.post(
            "/webhooks/whatsapp/webhook", content=raw, headers={k: v.encode() for k, v in headers.items()}
        )
        assert response.status_code == 403, f"{response.status_code} for signature {bad!r:.80}"
    assert harness.received[received_before:] == [], "nothing unsigned may reach Rasa"
    assert len(standin.calls(ok=False)) == calls_before, "nothing unsigned may get an answer"
    await harness.still_answers("31690000040")
    assert_nothing_of_the_bodies_logged(caplog, harness.sent)


# --- what the fuzzing found -------------------------------------------------------------------------


def message_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("WhatsApp message failed")]


@pytest.mark.parametrize("metadata", ["109876543210", [PHONE_NUMBER_ID], 7, True])
async def test_metadata_that_is_not_an_object_gets_200_and_the_message_its_reply(
    harness: Harness, standin: WhatsAppStandIn, metadata: Any
) -> None:
    """Found by the fuzzing: `metadata` as a string or a list made the webhook answer 500."""
    wa_id = f"3167000{[str, list, int, bool].index(type(metadata)):04d}"
    document = valid_text(wa_id, "Ik heb een vraag", f"wamid.meta{wa_id}")
    document["entry"][0]["changes"][0]["value"]["metadata"] = metadata
    assert await harness.post_json(document) == 200
    assert standin.texts(wa_id) == [REPLY]


async def test_error_codes_of_a_failed_status_are_logged_only_as_numbers(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the fuzzing: whatever stood in `errors[].code` (text, a number id) went into a warning."""
    caplog.set_level(logging.INFO)
    errors = [{"code": 131026}, {"code": "geheime tekst 0612345678"}, {"code": [1, 2]}, {"code": True}]
    status = {"id": "wamid.s1", "status": "failed", "recipient_id": "31612345678", "errors": errors}
    document = valid_text("31670001000", "x", "wamid.status1")
    document["entry"][0]["changes"][0]["value"] = {
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "statuses": [status],
    }
    assert await harness.post_json(document) == 200
    [warning] = [r.getMessage() for r in caplog.records if "could not deliver" in r.getMessage()]
    assert warning == "WhatsApp could not deliver a message: error code [131026, '?', '?', '?']"


@pytest.mark.parametrize(
    "kind, content, answer",
    [
        ("text", "hallo", [TEXT_ONLY_TEXT]),
        ("text", ["hallo"], [TEXT_ONLY_TEXT]),
        ("interactive", "button_reply", [TEXT_ONLY_TEXT]),
        ("button", 5, [TEXT_ONLY_TEXT]),
        ("reaction", "👍", []),  # no emoji in an object: a removed reaction, nothing to answer
    ],
)
async def test_a_message_whose_content_has_the_wrong_type_is_handled_as_without_text(
    harness: Harness,
    standin: WhatsAppStandIn,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    content: Any,
    answer: list[str],
) -> None:
    """Found by the fuzzing: a message whose object was a string or a list failed inside the channel
    (logged as a failure, and the resident heard nothing); now it counts as a message without text."""
    wa_id = f"316701{kind[:1].encode().hex()}{len(str(content)):04d}"
    document = valid_text(wa_id, "x", f"wamid.kind{wa_id}")
    message = document["entry"][0]["changes"][0]["value"]["messages"][0]
    message["type"] = kind
    message[kind] = content
    before = len(harness.received)
    assert await harness.post_json(document) == 200
    assert message_failures(caplog) == []
    assert harness.received[before:] == []
    assert standin.texts(wa_id) == answer
