"""The backend's uvicorn limits (bot/backend/serving.py) on a real uvicorn server, and the filter that keeps
conversation ids out of log lines (bot/shared/session_ids.py)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from bot.backend import serving
from bot.shared.session_ids import SessionIdFilter, keep_session_ids_out_of, redact
from tests.ports import free_port

HEAD_TIMEOUT = 2.0


def small_app() -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    return app


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The small app behind `BodySizeLimit` on uvicorn with `server_options()` (head deadline 2 s)."""
    monkeypatch.setattr(serving.HeadDeadlineProtocol, "head_timeout", HEAD_TIMEOUT)
    port = free_port()
    config = uvicorn.Config(serving.BodySizeLimit(small_app(), max_bytes=10_000), host="127.0.0.1", port=port,
                            log_level="warning", **serving.server_options())  # fmt: skip
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


SLOW_HEAD = b"GET /health HTTP/1.1\r\nX-Slow: " + b"a" * 100


def seconds_until_closed(connection: socket.socket, send_every: float, give_up_after: float,
                         data: bytes = SLOW_HEAD) -> float:  # fmt: skip
    """Send `data` a byte at a time; seconds until the server closed the connection (or give_up_after)."""
    started = time.monotonic()
    connection.settimeout(send_every)
    for byte in data:
        try:
            connection.sendall(bytes([byte]))
            if connection.recv(4096) == b"":
                break
        except TimeoutError:
            pass
        except OSError:
            break
        if time.monotonic() - started > give_up_after:
            return give_up_after
    return time.monotonic() - started


def test_a_slow_request_head_is_closed_at_the_deadline(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as connection:
        elapsed = seconds_until_closed(connection, 0.5, 15, SLOW_HEAD)
    assert HEAD_TIMEOUT - 0.5 <= elapsed <= HEAD_TIMEOUT + 1.5, elapsed
    assert httpx.get(f"http://127.0.0.1:{server}/health", timeout=5).json() == {"status": "ok"}


def test_without_the_deadline_uvicorn_waits_for_ever() -> None:
    """The negative control: uvicorn's own h11 protocol keeps the slow connection."""
    port = free_port()
    config = uvicorn.Config(small_app(), host="127.0.0.1", port=port, log_level="warning", http="h11")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    while not instance.started:
        time.sleep(0.05)
    try:
        with socket.create_connection(("127.0.0.1", port)) as connection:
            elapsed = seconds_until_closed(connection, 0.5, 5, SLOW_HEAD)
        assert elapsed == 5
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


def read_response(connection: socket.socket) -> bytes:
    """One whole HTTP response (head and Content-Length body): TCP may deliver it in several pieces, and
    a piece left unread would be taken for the next response."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = connection.recv(4096)
        if not piece:
            return data
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    headers = head.lower().split(b"\r\n")
    lengths = [line.split(b":", 1)[1] for line in headers if line.startswith(b"content-length:")]
    length = int(lengths[0]) if lengths else 0
    while len(body) < length:
        piece = connection.recv(4096)
        if not piece:
            break
        body += piece
    return head + b"\r\n\r\n" + body


def test_a_kept_alive_connection_gets_a_new_deadline_for_its_next_request(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in read_response(connection)
        time.sleep(HEAD_TIMEOUT - 1)  # part of the next deadline passes while idle
        elapsed = seconds_until_closed(connection, 0.5, 15, SLOW_HEAD)
    assert elapsed <= 2, elapsed  # closed at the deadline that started with the previous answer


def test_a_head_complete_within_the_deadline_is_answered_on_every_request(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=10) as connection:
        connection.sendall(b"GET /he")
        time.sleep(HEAD_TIMEOUT / 2)
        connection.sendall(b"alth HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in read_response(connection)
        time.sleep(HEAD_TIMEOUT / 2 + 0.5)  # past the first deadline, within the keep-alive time
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in read_response(connection)


def test_bodies_over_the_limit_or_of_unknown_length_are_refused(server: int) -> None:
    url = f"http://127.0.0.1:{server}/echo"
    small = httpx.post(url, content=b"x" * 10_000, timeout=10)
    assert small.status_code == 200 and small.json() == {"received": 10_000}
    big = httpx.post(url, content=b"x" * 10_001, timeout=10)
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"

    def chunks() -> Iterator[bytes]:
        yield b"x" * 10

    chunked = httpx.post(url, content=chunks(), timeout=10)
    assert chunked.status_code == 411 and chunked.json()["error"]["code"] == "length_required"
    assert httpx.get(f"http://127.0.0.1:{server}/health", timeout=10).status_code == 200


@pytest.mark.parametrize(
    "line, expected",
    [
        ('127.0.0.1:5 - "PUT /api/conversations/abc123def HTTP/1.1" 200',
         '127.0.0.1:5 - "PUT /api/conversations/[id] HTTP/1.1" 200'),
        ("GET /api/handovers?conversation_id=abc123&limit=5",
         "GET /api/handovers?conversation_id=[id]&limit=5"),
        ("POST /conversations/abc/tracker/events?token=x", "POST /conversations/[id]/tracker/events?token=x"),
        ('{"sender": "abc123", "message": "hoi"}', '{"sender": "[id]", "message": "hoi"}'),
        ("GET /api/locations?topic=schulden", "GET /api/locations?topic=schulden"),
    ],
)  # fmt: skip
def test_conversation_ids_are_redacted(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_the_filter_redacts_uvicorn_access_and_httpx_records(caplog: pytest.LogCaptureFixture) -> None:
    session_id = "0f3c9d2e8b7a4c1d9e6f5a4b3c2d1e0f"
    keep_session_ids_out_of("test.access", "test.httpx")
    keep_session_ids_out_of("test.access")  # installing twice adds no second filter
    assert sum(isinstance(f, SessionIdFilter) for f in logging.getLogger("test.access").filters) == 1
    with caplog.at_level(logging.INFO):
        logging.getLogger("test.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", f"/api/handovers?conversation_id={session_id}",
            "1.1", 200,
        )  # fmt: skip
        logging.getLogger("test.httpx").info(
            'HTTP Request: %s %s "%s %d %s"', "PUT", httpx.URL(f"http://b/api/conversations/{session_id}"),
            "HTTP/1.1", 200, "OK",
        )  # fmt: skip
        logging.getLogger("test.other").info("unfiltered %s", f"/api/conversations/{session_id}")
    lines = [record.getMessage() for record in caplog.records]
    assert session_id not in lines[0] and session_id not in lines[1], lines
    assert "conversation_id=[id]" in lines[0] and "/api/conversations/[id]" in lines[1]
    assert session_id in lines[2]  # only the loggers it is installed on
