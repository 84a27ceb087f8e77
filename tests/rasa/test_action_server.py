"""The action server is locked (issue 20, item 1): a shared secret on every call, 127.0.0.1 by default,
and clean 4xx answers for unknown paths and malformed bodies.

The penetration test cancelled a real booking and created a handover with a hand-made tracker sent to
`POST /webhook` without any credentials. Here the same calls go to our action server
(bot/assistant/action_server.py, started as scripts/start.sh starts it) in front of a real backend: without
the secret or with a wrong one nothing changes; with it the same call works.
"""

from __future__ import annotations

import socket
import subprocess
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.assistant.action_server import DEFAULT_HOST, ActionServerSettings, read_action_call
from bot.assistant.settings import SettingsError
from tests.ports import free_port
from tests.rasa.booking_backend import TOKEN, running_backend
from tests.rasa.rasa_servers import (
    ACTION_SERVER_TOKEN,
    ROOT,
    Processes,
    actions_command,
    rasa_env_with_backend,
)

SECRET = {"Authorization": f"Bearer {ACTION_SERVER_TOKEN}"}
SERVICE = {"Authorization": f"Bearer {TOKEN}"}
MARKER = "body-marker-0612345678"


@dataclass
class Servers:
    actions: str
    backend: str
    port: int
    log: Path


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("action-server")
    with running_backend(folder) as backend:
        port = free_port()
        processes = Processes(folder, rasa_env_with_backend(port, folder, backend))
        processes.start("actions", actions_command(port))
        url = f"http://127.0.0.1:{port}"
        try:
            processes.wait_until(
                lambda: httpx.get(f"{url}/health", timeout=2).status_code == 200, timeout=180
            )
            yield Servers(url, backend, port, folder / "actions.log")
        finally:
            processes.stop()


def action_call(action: str, sender: str, slots: dict[str, Any] | None = None) -> dict[str, Any]:
    """What Rasa sends to run one action (trimmed to what our actions read)."""
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {"address_form": "je", **(slots or {})},
            "latest_message": {"text": "hallo", "intent": {"name": "request_human", "confidence": 1.0}},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


def book(backend: str) -> str:
    slot = httpx.get(
        f"{backend}/api/slots", params={"topic": "algemeen"}, headers=SERVICE, timeout=10
    ).json()[0]
    body = {"slot_id": slot["id"], "first_name": "Anna", "phone": "0612345678"}
    created = httpx.post(f"{backend}/api/bookings", json=body, headers=SERVICE, timeout=10)
    assert created.status_code == 201, created.text
    return str(created.json()["code"])


def open_booking(backend: str, code: str) -> dict[str, Any]:
    body = {"code": code, "verification": "5678", "client": f"test-{uuid.uuid4()}"}
    opened = httpx.post(f"{backend}/api/bookings/lookup", json=body, headers=SERVICE, timeout=10)
    assert opened.status_code == 200, opened.text
    return dict(opened.json())


def handovers_of(backend: str, conversation: str) -> list[dict[str, Any]]:
    params = {"conversation_id": conversation}
    return list(httpx.get(f"{backend}/api/handovers", params=params, headers=SERVICE, timeout=10).json())


# --- settings ----------------------------------------------------------------------------------------


def test_the_action_server_listens_on_localhost_unless_told_otherwise() -> None:
    settings = ActionServerSettings.from_env({"ACTION_SERVER_TOKEN": "x"})
    assert (settings.host, settings.port) == (DEFAULT_HOST, 5055) == ("127.0.0.1", 5055)
    private = ActionServerSettings.from_env({"ACTION_SERVER_TOKEN": "x", "ACTION_HOST": "10.0.0.5"})
    assert private.host == "10.0.0.5"


@pytest.mark.parametrize(
    ("environ", "refused"),
    [
        ({}, True),  # never without a secret, not even in development
        ({"ACTION_SERVER_TOKEN": "  "}, True),
        ({"ACTION_SERVER_TOKEN": "short", "VOORDEUR_ENV": "production"}, True),
        ({"ACTION_SERVER_TOKEN": "x" * 24, "VOORDEUR_ENV": "production"}, False),
        ({"ACTION_SERVER_TOKEN": "short"}, False),  # development
        ({"ACTION_SERVER_TOKEN": "x", "ACTION_PORT": "http"}, True),
    ],
)
def test_the_secret_is_required(environ: dict[str, str], refused: bool) -> None:
    if refused:
        with pytest.raises(SettingsError):
            ActionServerSettings.from_env(environ)
    else:
        ActionServerSettings.from_env(environ)


def test_the_server_does_not_start_without_its_secret(tmp_path: Path) -> None:
    env = rasa_env_with_backend(free_port(), tmp_path, "http://127.0.0.1:9")
    env.pop("ACTION_SERVER_TOKEN")
    done = subprocess.run(actions_command(free_port()), cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode != 0
    assert b"ACTION_SERVER_TOKEN must be set" in done.stderr


# --- the running server ------------------------------------------------------------------------------


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_it_listens_on_127_0_0_1_only(servers: Servers) -> None:
    assert listening_addresses(servers.port) == {"0100007F"}  # 127.0.0.1, not 0.0.0.0 (00000000)
    outside = socket.gethostbyname(socket.gethostname())
    if not outside.startswith("127."):
        with socket.socket() as sock:
            sock.settimeout(2)
            assert sock.connect_ex((outside, servers.port)) != 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-the-secret"},
        {"Authorization": f"Basic {ACTION_SERVER_TOKEN}"},
        {"Authorization": "Bearer"},
        {"Authorization": f"Bearer {ACTION_SERVER_TOKEN}x"},
    ],
    ids=["none", "wrong", "basic", "empty", "longer"],
)
def test_a_call_without_the_right_secret_cancels_no_booking_and_creates_no_handover(
    servers: Servers, headers: dict[str, str]
) -> None:
    code = book(servers.backend)
    ticket = open_booking(servers.backend, code)["ticket"]
    sender = f"attacker-{uuid.uuid4()}"
    slots = {"change_code": code, "change_choice": "afzeggen", "change_ticket": ticket}
    for call in (
        action_call("action_submit_booking_change", sender, slots),
        action_call("action_handover", sender),
    ):
        refused = httpx.post(f"{servers.actions}/webhook", json=call, headers=headers, timeout=30)
        assert refused.status_code == 401
        assert refused.json() == {"error": "unauthorized", "message": "This server needs its secret."}
    as_query = httpx.post(
        f"{servers.actions}/webhook",
        params={"token": ACTION_SERVER_TOKEN},
        json=action_call("action_handover", sender),
        timeout=30,
    )
    assert as_query.status_code == 401  # only the header counts: a token in a URL ends up in logs
    assert httpx.get(f"{servers.actions}/actions", headers=headers, timeout=10).status_code == 401
    assert open_booking(servers.backend, code)["booking"]["status"] == "bevestigd"
    assert handovers_of(servers.backend, sender) == []


def test_the_same_calls_with_the_secret_work(servers: Servers) -> None:
    code = book(servers.backend)
    ticket = open_booking(servers.backend, code)["ticket"]
    sender = f"resident-{uuid.uuid4()}"
    slots = {"change_code": code, "change_choice": "afzeggen", "change_ticket": ticket}
    cancelled = httpx.post(
        f"{servers.actions}/webhook",
        json=action_call("action_submit_booking_change", sender, slots),
        headers=SECRET,
        timeout=30,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["responses"][0]["response"] == "utter_booking_cancelled"
    assert open_booking(servers.backend, code)["booking"]["status"] == "geannuleerd"
    # the resident's municipality is known (else the handover asks for it first: issue 23)
    handover_call = action_call("action_handover", sender, {"gemeente": "voorbeeldstad"})
    handed = httpx.post(f"{servers.actions}/webhook", json=handover_call, headers=SECRET, timeout=30)
    assert handed.status_code == 200, handed.text
    assert len(handovers_of(servers.backend, sender)) == 1
    names = {
        item["name"] for item in httpx.get(f"{servers.actions}/actions", headers=SECRET, timeout=10).json()
    }
    assert "action_submit_booking_change" in names
    compressed = httpx.post(
        f"{servers.actions}/webhook",
        content=zlib.compress(
            httpx.Request("POST", "/", json=action_call("action_stop_booking", sender)).read()
        ),
        headers={**SECRET, "Content-Encoding": "deflate", "Content-Type": "application/json"},
        timeout=30,
    )  # Rasa compresses with COMPRESS_ACTION_SERVER_REQUEST=true
    assert compressed.status_code == 200, compressed.text


def test_a_forged_cancel_without_a_ticket_changes_nothing_even_with_the_secret(servers: Servers) -> None:
    code = book(servers.backend)
    slots = {"change_code": code, "change_choice": "afzeggen"}
    answer = httpx.post(
        f"{servers.actions}/webhook",
        json=action_call("action_submit_booking_change", f"x-{uuid.uuid4()}", slots),
        headers=SECRET,
        timeout=30,
    )
    assert answer.status_code == 200 and answer.json()["responses"] == []
    assert open_booking(servers.backend, code)["booking"]["status"] == "bevestigd"


def assert_clean(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message"}
    assert "Traceback" not in response.text and MARKER not in response.text and "File " not in response.text


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/etc/passwd", 404),
        ("POST", "/webhook/../../admin", 404),
        ("GET", f"/{MARKER}", 404),
        ("GET", "/webhook", 405),
        ("PUT", "/actions", 405),
    ],
)
def test_unknown_paths_and_methods_get_a_clean_answer(
    servers: Servers, method: str, path: str, status: int
) -> None:
    response = httpx.request(method, f"{servers.actions}{path}", headers=SECRET, content=MARKER, timeout=10)
    assert_clean(response, status)


BAD_BODIES: list[tuple[bytes, dict[str, str]]] = [
    (b"[]", {}),
    (b"{}", {}),
    (b"null", {}),
    (f'"{MARKER}"'.encode(), {}),
    (f"not json {MARKER}".encode(), {}),
    (b"", {}),
    (b'{"next_action": "action_handover"}', {}),  # no tracker
    (f'{{"next_action": "action_handover", "tracker": [], "x": "{MARKER}"}}'.encode(), {}),
    (b'{"next_action": "action_handover", "tracker": {"sender_id": 1}}', {}),
    (b'{"next_action": "action_handover", "tracker": {"sender_id": "a", "slots": []}}', {}),
    (b'{"next_action": 5, "tracker": {"sender_id": "a"}}', {}),
    (b'{"next_action": "action_handover", "tracker": {"sender_id": "a"}, "domain": []}', {}),
    (b"[" * 100_000, {}),
    (f"deflate {MARKER}".encode(), {"Content-Encoding": "deflate"}),
    (zlib.compress(b"[]"), {"Content-Encoding": "deflate"}),
    (b"\xff\xfe\x00", {}),
]


@pytest.mark.parametrize(("body", "headers"), BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_malformed_bodies_get_400_without_echo_or_traceback(
    servers: Servers, body: bytes, headers: dict[str, str]
) -> None:
    response = httpx.post(
        f"{servers.actions}/webhook",
        content=body,
        headers={**SECRET, "Content-Type": "application/json", **headers},
        timeout=30,
    )
    assert_clean(response, 400)


def test_a_zip_bomb_is_refused(servers: Servers) -> None:
    bomb = zlib.compress(b'{"next_action": "' + b"a" * (40 * 1024 * 1024) + b'"}', 9)
    response = httpx.post(
        f"{servers.actions}/webhook",
        content=bomb,
        headers={**SECRET, "Content-Type": "application/json", "Content-Encoding": "deflate"},
        timeout=60,
    )
    assert_clean(response, 400)


def test_an_unknown_action_gets_404(servers: Servers) -> None:
    response = httpx.post(
        f"{servers.actions}/webhook", json=action_call("action_nope", "a"), headers=SECRET, timeout=10
    )
    assert_clean(response, 404)


def test_the_log_holds_no_traceback_for_refused_calls(servers: Servers) -> None:
    log = servers.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert ACTION_SERVER_TOKEN not in log and MARKER not in log


def test_read_action_call_accepts_what_rasa_sends() -> None:
    class Fake:
        def __init__(self, body: bytes) -> None:
            self.body, self.headers = body, {}

    call = action_call("action_handover", "a")
    assert read_action_call(Fake(httpx.Request("POST", "/", json=call).read())) == call  # type: ignore[arg-type]
