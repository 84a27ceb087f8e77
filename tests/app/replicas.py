"""Shared by the replica tests: the local PostgreSQL and Redis, a `make start-replicas` stack on
throw-away databases, and a widget socket.io client that waits for a staff reply."""

from __future__ import annotations

import json
import select
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from stack import ROOT, Stack, read_env_file_value, running_stack

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS = ("127.0.0.1", 6379)
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"


def redis_command(*words: str) -> bytes:
    """One command to the local Redis over its wire protocol; fails loudly when Redis is not running."""
    payload = f"*{len(words)}\r\n".encode()
    payload += b"".join(f"${len(w.encode())}\r\n{w}\r\n".encode() for w in words)
    try:
        with socket.create_connection(REDIS, timeout=5) as connection:
            connection.sendall(payload)
            return connection.recv(65536)
    except OSError as error:
        pytest.fail(f"Redis is not running on {REDIS[0]}:{REDIS[1]} ({error}); these tests need it")


def postgres(dbname: str = "postgres") -> psycopg.Connection:
    try:
        return psycopg.connect(dbname=dbname, autocommit=True, connect_timeout=5, **POSTGRES)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is not running on 127.0.0.1:5432 ({error}); these tests need it")


def drop_database(name: str) -> None:
    with postgres() as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def throwaway_names() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:10]
    return {
        "rasa_db": f"voordeur_rasa_test_{suffix}",
        "backend_db": f"voordeur_test_{suffix}",
        "prefix": f"test{suffix}",
        "channel": f"voordeur-socketio-test-{suffix}",
        "jobs_queue": f"test-{suffix}",
    }


def replicas_stack(
    data_dir: Path, names: dict[str, str], extra_env: dict[str, str] | None = None
) -> Iterator[Stack]:
    """`make start-replicas` on throw-away databases; the databases are dropped afterwards."""
    assert redis_command("PING").startswith(b"+PONG")
    postgres().close()
    env = {
        "VOORDEUR_STORES": "production",
        "RASA_DB_NAME": names["rasa_db"],
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{names['backend_db']}",
        "RASA_LOCK_KEY_PREFIX": names["prefix"],
        "SOCKETIO_REDIS_CHANNEL": names["channel"],
        "JOBS_QUEUE": names["jobs_queue"],
        **(extra_env or {}),
    }
    try:
        with running_stack(data_dir, env, timeout=1200, replicas=2, target="start-replicas") as running:
            yield running
    finally:
        drop_database(names["rasa_db"])
        drop_database(names["backend_db"])


SOCKET_CLIENT = r"""
import asyncio, json, sys
import socketio

async def main(url, session_id, expected):
    sio = socketio.AsyncClient()
    replies, confirmed = asyncio.Queue(), asyncio.Event()
    sio.on("session_confirm", lambda data: confirmed.set())
    async def on_bot(data):
        await replies.put(data)
    sio.on("bot_uttered", on_bot)
    # polling: engineio 4.15's websocket client needs a newer aiohttp than Rasa 3.6 allows
    await sio.connect(url, transports=["polling"])
    await sio.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(confirmed.wait(), 30)
    await sio.emit("user_uttered", {"message": "hallo", "session_id": session_id})
    await asyncio.wait_for(replies.get(), 120)
    while True:  # the rest of the introduction
        try:
            await asyncio.wait_for(replies.get(), 3)
        except asyncio.TimeoutError:
            break
    print("READY", flush=True)
    while True:
        data = await asyncio.wait_for(replies.get(), 60)
        if data.get("text") == expected:
            print("GOT " + json.dumps(data), flush=True)
            break
    # Without waiting for the pending long-poll request to end: python-socketio 5.18's disconnect()
    # waits for it (up to the ping interval, about 30 s); 5.9's did not.
    await sio.eio.disconnect(abort=True)

asyncio.run(main(*sys.argv[1:4]))
"""


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        return ""
    return process.stdout.readline().strip()


def staff_reply_reaches(socket_replica: str, api_replica: str, wait: float) -> bool:
    """A widget socket on `socket_replica` says hallo; a staff reply is posted to `api_replica`'s HTTP API
    (as the staff page does). True when the socket receives the reply within `wait` seconds."""
    session_id = uuid.uuid4().hex
    staff_text = f"Hallo, met Marieke van het wijkteam ({session_id[:6]}). Ik lees je vraag nu."
    client = subprocess.Popen(
        [str(RASA_PYTHON), "-c", SOCKET_CLIENT, socket_replica, session_id, staff_text],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = read_line(client, 150)
        assert ready == "READY", client.stderr.read() if client.poll() is not None else "no READY"
        response = httpx.post(
            f"{api_replica}/conversations/{session_id}/tracker/events",
            params={
                "output_channel": "latest",
                "execute_side_effects": "true",
                "token": read_env_file_value("RASA_AUTH_TOKEN"),
            },
            json={"event": "bot", "text": staff_text},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        line = read_line(client, wait)
        if not line.startswith("GOT "):
            return False
        assert json.loads(line[4:])["text"] == staff_text
        assert client.wait(timeout=30) == 0
        return True
    finally:
        if client.poll() is None:
            client.kill()
