"""The reference reverse proxy (deploy/nginx) in front of a running `make start`, and the servers' own
time-outs behind it (issue 20, items 7 and 8).

The slow-request probe sends a request head one byte every few seconds, as the penetration test did.
Through the proxy the connection is closed within nginx's `client_header_timeout` (10 s); a normal
chat message passes, over TLS with the test's self-signed certificate. Directly, each of the three
servers also closes such a connection: Sanic (Rasa, action server) when a byte is late by more than
SANIC_REQUEST_TIMEOUT (5 s), the backend when the head is not complete after 10 s
(bot/backend/serving.py). Each check has its positive counterpart.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from nginx_proxy import Proxy, running_proxy
from stack import Stack, read_env_file_value

pytestmark = pytest.mark.slow

FOREIGN_ORIGIN = "https://phishing.example"
PROXY_HEAD_TIMEOUT = 10  # client_header_timeout in deploy/nginx/voordeur.conf.template


@pytest.fixture(scope="module")
def proxy(stack: Stack) -> Iterator[Proxy]:
    rasa = f"127.0.0.1:{stack.env['RASA_PORT']}"
    backend = f"127.0.0.1:{stack.env['BACKEND_PORT']}"
    with running_proxy(rasa, backend) as running:
        yield running


def slow_head_probe(
    port: int, *, every: float, give_up_after: float, tls: ssl.SSLContext | None = None
) -> tuple[float, bytes]:
    """Send a request head one byte every `every` seconds; the seconds until the server closed the
    connection (or `give_up_after` if it never did) and what it answered meanwhile."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection = tls.wrap_socket(raw, server_hostname="localhost") if tls else raw
    head = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 1000
    started = time.monotonic()
    answered = b""
    try:
        for byte in head:
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                break
            connection.settimeout(every)
            try:
                data = connection.recv(4096)
            except TimeoutError:
                data = None
            except OSError:
                break
            if data == b"":
                break
            answered += data or b""
            if time.monotonic() - started > give_up_after:
                return give_up_after, answered
    finally:
        connection.close()
    return time.monotonic() - started, answered


def test_the_proxy_closes_a_slow_request_head_within_its_time_out(proxy: Proxy) -> None:
    elapsed, answered = slow_head_probe(proxy.https_port, every=3, give_up_after=40, tls=proxy.tls_context())
    assert PROXY_HEAD_TIMEOUT - 1 <= elapsed <= PROXY_HEAD_TIMEOUT + 5, elapsed
    assert b"200 OK" not in answered
    assert "timed out (110: Connection timed out) while reading client request" in proxy.error_log()
    # The positive counterpart: the same request sent at once passes.
    health = httpx.get(f"{proxy.url}/health", verify=proxy.tls_context(), timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}


def test_a_chat_message_passes_through_the_proxy(stack: Stack, proxy: Proxy) -> None:
    answer = httpx.post(
        f"{proxy.url}/webhooks/rest/webhook",
        json={"sender": "proxy-resident-1", "message": "hallo"},
        verify=proxy.tls_context(),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert any(reply.get("text") for reply in answer.json()), answer.json()
    # The widget's socket.io handshake passes too, from the configured origin only.
    allowed = f"http://127.0.0.1:{stack.env['BACKEND_PORT']}"
    handshake = f"{proxy.url}/socket.io/?EIO=4&transport=polling"
    own = httpx.get(handshake, headers={"Origin": allowed}, verify=proxy.tls_context(), timeout=30)
    assert own.status_code == 200 and '"sid"' in own.text, own.text
    assert own.headers.get("access-control-allow-origin") == allowed
    foreign = httpx.get(handshake, headers={"Origin": FOREIGN_ORIGIN}, verify=proxy.tls_context(), timeout=30)
    assert foreign.status_code == 400 and '"sid"' not in foreign.text
    assert foreign.headers.get("access-control-allow-origin") is None


def test_the_proxy_speaks_only_tls_and_redirects_plain_http(proxy: Proxy) -> None:
    plain = httpx.get(f"http://127.0.0.1:{proxy.http_port}/staff/login", timeout=10)
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
    with pytest.raises(httpx.ConnectError):  # the certificate is checked: an unknown one is refused
        httpx.get(f"{proxy.url}/health", verify=ssl.create_default_context(), timeout=10)
    secure = httpx.get(f"{proxy.url}/health", verify=proxy.tls_context(), timeout=10)
    assert "max-age=" in secure.headers.get("strict-transport-security", "")


@pytest.mark.parametrize(
    "path",
    ["/status", "/conversations/proxy-resident-1/tracker", "/model/parse", "/api/locations", "/openapi.json",
     "/docs", "/version"],
)  # fmt: skip
def test_the_proxy_does_not_route_the_internal_apis(stack: Stack, proxy: Proxy, path: str) -> None:
    token = stack.setting("RASA_AUTH_TOKEN")
    through = httpx.get(f"{proxy.url}{path}", params={"token": token}, verify=proxy.tls_context(), timeout=10)
    assert through.status_code == 404, (path, through.status_code)
    # directly, each server with its own credential only (a token in a query string lands in access logs)
    if path.startswith(("/api", "/openapi", "/docs")):
        headers = {"Authorization": f"Bearer {stack.setting('BACKEND_SERVICE_TOKEN')}"}
        direct = httpx.get(f"{stack.backend}{path}", headers=headers, timeout=30)
    else:
        direct = httpx.get(f"{stack.rasa}{path}", params={"token": token}, timeout=30)
    assert direct.status_code != 404 or path == "/model/parse", (path, direct.status_code)


def test_the_proxy_limits_body_size_and_login_attempts(proxy: Proxy) -> None:
    tls = proxy.tls_context()
    message = {"sender": "proxy-big", "message": "a" * 100_000}
    big = httpx.post(f"{proxy.url}/webhooks/rest/webhook", json=message, verify=tls, timeout=30)
    assert big.status_code == 413
    answers = [httpx.get(f"{proxy.url}/staff/login", verify=tls, timeout=10) for _ in range(15)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[0] == 200 and 429 in statuses, statuses
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert "te veel verzoeken" in refused.text and "112" in refused.text  # Dutch, not nginx's page
    assert refused.headers["retry-after"] == "60"


def test_a_message_flood_gets_a_dutch_answer_in_the_rest_channels_shape(proxy: Proxy) -> None:
    tls = proxy.tls_context()

    def send(number: int) -> httpx.Response:
        body = {"sender": f"flood-{number}", "message": "hallo"}
        return httpx.post(f"{proxy.url}/webhooks/rest/webhook", json=body, verify=tls, timeout=60)

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(send, range(40)))
    assert any(answer.status_code == 200 for answer in answers)
    refused = [answer for answer in answers if answer.status_code == 429]
    assert refused, [answer.status_code for answer in answers]
    text = refused[0].json()[0]["text"]
    assert text.startswith("Er komen nu te veel berichten binnen") and "112" in text


def test_rasa_and_the_action_server_close_a_slow_request_head(stack: Stack) -> None:
    for port in (int(stack.env["RASA_PORT"]), int(stack.env["ACTION_PORT"])):
        elapsed, answered = slow_head_probe(port, every=8, give_up_after=60)
        assert elapsed < 20, (port, elapsed)  # SANIC_REQUEST_TIMEOUT=5: the first 8-second gap ends it
        assert b"200 OK" not in answered
        quick, _ = slow_head_probe(port, every=2, give_up_after=7)
        assert quick == 7, (port, quick)  # bytes within the time-out keep the connection (positive check)


def test_the_backend_closes_a_slow_request_head(stack: Stack) -> None:
    elapsed, answered = slow_head_probe(int(stack.env["BACKEND_PORT"]), every=2, give_up_after=40)
    assert 9 <= elapsed <= 15, elapsed  # HEAD_TIMEOUT_SECONDS in bot/backend/serving.py
    assert b"200 OK" not in answered


def test_the_backend_refuses_a_body_over_its_limit(stack: Stack) -> None:
    token = read_env_file_value("BACKEND_SERVICE_TOKEN")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{stack.backend}/api/handovers"
    too_big = httpx.post(url, headers=headers, content=b"{" + b" " * 1_000_001 + b"}", timeout=30)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"
    normal = httpx.post(url, headers=headers, json={"conversation_id": "x"}, timeout=30)
    assert normal.status_code == 422, normal.text  # a small body reaches the API, which validates it
