"""Robustness of the running assistant (`make start` on free ports, one stack for the module).

Odd messages get a reply and the conversation goes on; malformed requests to every HTTP endpoint of
the backend API, the staff pages' POST routes and Rasa's REST webhook get a 4xx, never a 500; the
action server or the backend going down mid-conversation gives the resident a kind Dutch message and
loses nothing. The action server and the backend connection of the actions are ours to break: the
stack's Rasa talks to an action server this module starts, which reaches the backend through a TCP
proxy it can switch off (killing a process of `make start` itself stops the whole stack, by design).
The database test runs its own backend on a throw-away PostgreSQL database behind such a proxy.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url
from stack import ROOT, Stack, free_port, read_env_file_value, running_stack

from tests.app.backend_helpers import ThrowAwayPostgres
from tests.rasa.booking_backend import running_backend

pytestmark = pytest.mark.slow

RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"
APP_PYTHON = ROOT / ".venv" / "app" / "bin" / "python"
TECHNICAL_PROBLEM = "Er ging iets mis aan onze kant"


class Proxy:
    """A TCP proxy on a free port to `target_port`; `stop()` cuts it off, `start()` resumes."""

    def __init__(self, target_port: int) -> None:
        self.port, self.target_port = free_port(), target_port
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the other thread
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update({client, upstream})
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class ActionServer:
    """Our own action server for the stack's Rasa; can be killed and started again on the same port."""

    def __init__(self, port: int, backend_url: str, log: Path) -> None:
        self.port, self.backend_url, self.log = port, backend_url, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "BACKEND_URL": self.backend_url,
            "BACKEND_SERVICE_TOKEN": read_env_file_value("BACKEND_SERVICE_TOKEN"),
            "ADDRESS_FORM": "je",
            "BACKEND_TIMEOUT_SECONDS": "3",
            "ACTION_SERVER_TOKEN": read_env_file_value("ACTION_SERVER_TOKEN"),
        }
        env.pop("CONTENT_DIR", None)
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [str(RASA_PYTHON), "-m", "bot.assistant.action_server", "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        raise AssertionError(
            "the action server did not start:\n" + self.log.read_text(errors="replace")[-3000:]
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


class Robust:
    def __init__(self, stack: Stack, actions: ActionServer, backend_proxy: Proxy) -> None:
        self.stack, self.actions, self.backend_proxy = stack, actions, backend_proxy
        self.token = read_env_file_value("RASA_AUTH_TOKEN")

    def say(self, sender: str, text: Any) -> list[dict[str, Any]]:
        return self.stack.say(sender, text)

    def user_texts(self, sender: str) -> list[str]:
        tracker = httpx.get(
            f"{self.stack.rasa}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30
        ).json()
        return [str(event.get("text")) for event in tracker["events"] if event["event"] == "user"]


@pytest.fixture(scope="module")
def robust(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Robust]:
    folder = tmp_path_factory.mktemp("robust")
    backend_port, action_port = free_port(), free_port()
    proxy = Proxy(backend_port)
    proxy.start()
    actions = ActionServer(action_port, f"http://127.0.0.1:{proxy.port}", folder / "own-actions.log")
    actions.start()
    extra = {
        "BACKEND_PORT": str(backend_port),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
    }
    try:
        with running_stack(folder, extra_env=extra) as stack:
            yield Robust(stack, actions, proxy)
    finally:
        actions.kill()
        proxy.stop()


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


# --- odd messages ---------------------------------------------------------------------------------

ODD_MESSAGES = {
    "empty": "",
    "spaces": "   \n\t ",
    "huge": "ik heb een vraag over mijn huurachterstand en de deurwaarder " * 820,  # ~50,000 characters
    "emoji": "😀😢🏠💶👶 help 🙏",
    "arabic": "مرحبا، لدي ديون ولا أستطيع دفع الإيجار",
    "chinese": "你好，我有债务问题，付不起房租",
    "html": "<script>alert('x')</script><b>hallo</b><img src=x onerror=alert(1)>",
    "sql": "'; DROP TABLE events; -- SELECT * FROM bookings WHERE 1=1",
    "control": "hallo\x00\x07\x1b[31m wereld",
    "rtl-override": "\u202ehallo\u202c schulden",
}


@pytest.mark.parametrize("kind", sorted(ODD_MESSAGES))
def test_odd_messages_get_a_reply_and_the_conversation_goes_on(robust: Robust, kind: str) -> None:
    sender = f"robust-{kind}-{uuid.uuid4().hex[:6]}"
    message = ODD_MESSAGES[kind]
    assert len(ODD_MESSAGES["huge"]) >= 50_000
    replies = robust.say(sender, message)
    assert replies and all(reply.get("text") or reply.get("buttons") for reply in replies), replies
    assert TECHNICAL_PROBLEM not in texts(replies)
    after = robust.say(sender, "ik heb schulden")
    assert after and TECHNICAL_PROBLEM not in texts(after)
    assert robust.user_texts(sender)[-1] == "ik heb schulden"


# --- malformed requests ---------------------------------------------------------------------------

BAD_BODIES = [
    ("application/json", b'{"kapot": '),
    ("application/json", b"null"),
    ("application/json", b"[1, 2, 3]"),
    ("application/json", b'"tekst"'),
    ("application/json", b'{"slot_id": "DROP TABLE", "first_name": 12, "phone": []}'),
    ("application/json", '{"naam": "\udcff"}'.encode("utf-8", "surrogatepass")),
    ("text/plain", b"hallo"),
    ("application/x-www-form-urlencoded", b"a=1&b=%ZZ"),
    ("application/xml", b"<a>1</a>"),
]


def backend_operations(robust: Robust) -> list[tuple[str, str]]:
    spec = httpx.get(f"{robust.stack.backend}/openapi.json", timeout=10).json()
    operations = []
    for path, methods in spec["paths"].items():
        for method in methods:
            if method in ("post", "put", "patch", "delete"):
                operations.append((method.upper(), path.replace("{", "").replace("}", "")))
    return operations


def test_malformed_bodies_to_every_backend_api_endpoint_get_a_4xx(robust: Robust) -> None:
    operations = backend_operations(robust)
    assert len(operations) >= 5
    headers = {"Authorization": f"Bearer {read_env_file_value('BACKEND_SERVICE_TOKEN')}"}
    failures = []
    with httpx.Client(base_url=robust.stack.backend, headers=headers, timeout=30) as client:
        for method, template in operations:
            for path in (template.replace("_id", "").replace("code", "VD-7K3P"), template):
                path = "/".join(
                    "1" if part.endswith("_id") or part in ("handover", "booking", "callback") else part
                    for part in path.split("/")
                )
                for content_type, body in BAD_BODIES:
                    response = client.request(
                        method, path, content=body, headers={"Content-Type": content_type}
                    )
                    if not 400 <= response.status_code < 500:
                        failures.append((method, path, content_type, body[:30], response.status_code))
                    elif response.headers.get("content-type", "").startswith("application/json"):
                        assert response.json()["error"]["message"], response.text
    assert not failures, failures


def staff_client(robust: Robust) -> tuple[httpx.Client, str]:
    import re

    client = httpx.Client(base_url=robust.stack.backend, timeout=30)
    csrf = re.compile(r'name="csrf_token" value="([^"]+)"')
    token = csrf.search(client.get("/staff/login").text)
    assert token
    login = client.post(
        "/staff/login",
        data={
            "username": read_env_file_value("STAFF_BOOTSTRAP_USERNAME"),
            "password": read_env_file_value("STAFF_BOOTSTRAP_PASSWORD"),
            "csrf_token": token.group(1),
        },
    )
    assert login.status_code == 303, login.text
    page = client.get("/staff/overdrachten")
    found = csrf.search(page.text)
    assert found, page.text[:500]
    return client, found.group(1)


def staff_post_routes() -> list[str]:
    """Every POST route of the staff pages (bot/backend/staff_web, mounted under /staff)."""
    from fastapi.routing import APIRoute

    from bot.backend.staff_web import routes_admin, routes_auth, routes_dashboard, routes_inbox, routes_today

    routes = []
    for module in (routes_auth, routes_inbox, routes_today, routes_dashboard, routes_admin):
        for route in module.router.routes:
            if isinstance(route, APIRoute) and "POST" in route.methods:
                routes.append("/staff" + route.path)
    return sorted(routes)


def test_malformed_posts_to_every_staff_page_route_get_a_4xx(robust: Robust) -> None:
    routes = staff_post_routes()
    assert len(routes) >= 10, routes
    client, csrf = staff_client(robust)
    failures = []
    try:
        for template in routes:
            if template in ("/staff/login", "/staff/logout"):
                continue  # below, so the session stays logged in
            for value in ("999999", "abc", "-1"):
                path = template
                for name in ("user_id", "change", "schedule_id", "handover_id", "booking_id", "callback_id"):
                    path = path.replace("{" + name + "}", value)
                form = "application/x-www-form-urlencoded"
                bodies = [*BAD_BODIES, (form, b"csrf_token=fout&tekst=x")]
                for content_type, body in bodies:  # malformed, or no valid CSRF token: 4xx
                    response = client.post(path, content=body, headers={"Content-Type": content_type})
                    if not 400 <= response.status_code < 500:
                        failures.append((path, content_type, body[:30], response.status_code))
                # A well-formed form with odd fields: never a server error (an empty note is a no-op).
                odd = f"csrf_token={csrf}&x=%00&tekst=&user_id=abc".encode()
                response = client.post(path, content=odd, headers={"Content-Type": form})
                if response.status_code >= 500:
                    failures.append((path, form, odd[:30], response.status_code))
        for path in ("/staff/logout", "/staff/login"):
            for content_type, body in BAD_BODIES:
                response = client.post(path, content=body, headers={"Content-Type": content_type})
                if not 400 <= response.status_code < 500:
                    failures.append((path, content_type, body[:30], response.status_code))
    finally:
        client.close()
    assert not failures, failures


def test_malformed_requests_to_rasas_rest_webhook_get_a_4xx(robust: Robust) -> None:
    url = f"{robust.stack.rasa}/webhooks/rest/webhook"
    failures = []
    odd_json = [
        b"{}",
        b'{"sender": "x"}',
        b'{"message": "hallo"}',
        b'{"sender": [], "message": {}}',
        b'{"sender": "x", "message": 12}',
    ]
    bodies = [*BAD_BODIES, *(("application/json", body) for body in odd_json)]
    for content_type, body in bodies:
        response = httpx.post(url, content=body, headers={"Content-Type": content_type}, timeout=60)
        if not 400 <= response.status_code < 500:
            failures.append((content_type, body[:40], response.status_code, response.text[:100]))
    assert not failures, failures
    assert robust.say("robust-after-bad-json", "hallo")  # the server still answers


# --- parts going down -----------------------------------------------------------------------------


def test_action_server_down_mid_conversation(robust: Robust) -> None:
    sender = f"robust-actions-{uuid.uuid4().hex[:6]}"
    assert robust.say(sender, "hallo")
    robust.actions.kill()
    try:
        replies = robust.say(sender, "ik heb een brief van de deurwaarder gekregen")
        assert TECHNICAL_PROBLEM in texts(replies), replies
    finally:
        robust.actions.start()
    answer = robust.say(sender, "ik heb een brief van de deurwaarder gekregen")
    assert answer and TECHNICAL_PROBLEM not in texts(answer)
    assert "deurwaarder" in texts(answer).lower()
    user_texts = robust.user_texts(sender)
    assert user_texts[0] == "hallo" and user_texts.count("ik heb een brief van de deurwaarder gekregen") == 2


def test_backend_down_mid_booking(robust: Robust) -> None:
    sender = f"robust-backend-{uuid.uuid4().hex[:6]}"
    question = robust.say(sender, "ik wil een afspraak maken voor het spreekuur")
    # A REST resident names no municipality: the assistant asks once, then offers that one's slots (issue 23).
    towns = {button["title"]: button["payload"] for button in question[-1].get("buttons", [])}
    assert "Voorbeeldstad" in towns, question
    offer = robust.say(sender, towns["Voorbeeldstad"])
    buttons = offer[-1].get("buttons", [])
    assert buttons and " om " in buttons[0]["payload"], offer
    robust.backend_proxy.stop()
    try:
        down = robust.say(sender, buttons[0]["payload"])
        assert "lukt me nu niet om de agenda van het wijkteam te bereiken" in texts(down), down
        assert "Er is niets opgeslagen" in texts(down)
    finally:
        robust.backend_proxy.start()
    again = robust.say(sender, buttons[0]["payload"])
    assert "voornaam" in texts(again).lower(), again
    robust.say(sender, "Bram")
    summary = robust.say(sender, "0612345678")
    assert "klopt" in texts(summary).lower() or "bevestig" in texts(summary).lower(), summary
    booked = robust.say(sender, "ja")
    assert "VD-" in texts(booked), booked
    assert robust.user_texts(sender)[0] == "ik wil een afspraak maken voor het spreekuur"


# --- the database briefly unreachable -------------------------------------------------------------


@pytest.fixture
def backend_on_flaky_postgres(tmp_path: Path) -> Iterator[tuple[str, Proxy, str, str]]:
    """A migrated backend on a throw-away PostgreSQL database that it reaches through a proxy."""
    databases = ThrowAwayPostgres()
    url = databases.create()
    proxy = Proxy(5432)
    proxy.start()
    proxied = url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
    token = "robustness-service-token-0123456789"
    try:
        with running_backend(tmp_path, database_url=proxied, token=token) as base:
            yield base, proxy, token, url
    finally:
        proxy.stop()
        databases.drop(url)


def test_database_briefly_unreachable(backend_on_flaky_postgres: tuple[str, Proxy, str, str]) -> None:
    base, proxy, token, url = backend_on_flaky_postgres
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        assert client.get("/api/locations").status_code == 200  # the pool now holds a connection
        proxy.stop()  # the database is unreachable; pooled connections are cut
        down = client.get("/api/locations")
        assert down.status_code == 503, down.text
        assert "even niet bereikbaar" in down.json()["error"]["message"]
        proxy.start()
        assert client.get("/api/locations").status_code == 200  # no stale connection is used
        # The server ends every connection (a restart, a failover): the next request still works.
        database = make_url(url)
        with ThrowAwayPostgres().admin() as admin:
            cursor = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (database.database,),
            )
            assert cursor.fetchall(), "the backend held no connection to terminate"
        assert client.get("/api/locations").status_code == 200
