"""A stand-in for the Telegram Bot API on 127.0.0.1, for the channel tests.

It answers like Telegram (`{"ok": true, "result": ...}` with plausible objects, so python-telegram-bot's
real client accepts them), records every call, can fail the next calls of a method (500, or 429 with
`retry_after`), queues updates for `getUpdates`, and posts updates to the channel's webhook the way
Telegram does (JSON body, secret-token header).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx

BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "Voordeur",
    "username": "voordeur_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    """One Bot API call as the stand-in received it."""

    method: str
    params: dict[str, Any]
    status: int

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def keyboard(self) -> list[list[dict[str, Any]]] | None:
        markup = self.params.get("reply_markup")
        return markup.get("inline_keyboard") if isinstance(markup, dict) else None


@dataclass
class Failure:
    status: int
    retry_after: int | None = None


@dataclass
class StandInState:
    token: str
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))


class TelegramStandIn:
    """The server and what it saw. Use as a context manager."""

    def __init__(self, token: str, webhook_url: str = "", secret: str = "") -> None:
        self.state = StandInState(token)
        self.webhook_url, self.secret = webhook_url, secret
        self._update_ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> TelegramStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what the tests look at -------------------------------------------------------------
    def calls(self, method: str | None = None, chat_id: int | None = None, ok: bool = True) -> list[Call]:
        """Recorded calls, filtered by method, chat and success."""
        with self.state.lock:
            calls = list(self.state.calls)
        return [
            call
            for call in calls
            if (method is None or call.method == method)
            and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
            and (not ok or call.ok)
        ]

    def texts(self, chat_id: int) -> list[str]:
        """Texts delivered to a chat, in order."""
        return [call.params["text"] for call in self.calls("sendMessage", chat_id)]

    def fail_next(self, method: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """Make the next `times` calls of `method` fail like Telegram does."""
        with self.state.lock:
            self.state.failures.setdefault(method, []).extend([Failure(status, retry_after)] * times)

    # --- updates, as Telegram sends them --------------------------------------------------------
    def text_update(self, chat_id: int, text: str) -> dict[str, Any]:
        update_id = next(self._update_ids)
        return {
            "update_id": update_id,
            "message": {
                "message_id": 500 + update_id,
                "date": int(time.time()),
                "text": text,
                "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "nl"},
                **(
                    {"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}
                    if text.startswith("/")
                    else {}
                ),
            },
        }

    def button_update(self, chat_id: int, data: str, message_id: int) -> dict[str, Any]:
        """A press on an inline button of the bot's message `message_id`."""
        update_id = next(self._update_ids)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cq{update_id}",
                "chat_instance": "ci1",
                "data": data,
                "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "text": "...",
                    "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
                    "from": BOT_USER,
                },
            },
        }

    def deliver(
        self, update: dict[str, Any], secret: str | None = None, timeout: float = 60
    ) -> httpx.Response:
        """POST an update to the webhook like Telegram (the configured secret unless one is given)."""
        secret = self.secret if secret is None else secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        return httpx.post(self.webhook_url, json=update, headers=headers, timeout=timeout)

    def queue(self, update: dict[str, Any]) -> None:
        """Queue an update for `getUpdates` (polling mode)."""
        with self.state.lock:
            self.state.updates.append(update)


def _handler(state: StandInState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            prefix = f"/bot{state.token}/"
            if not self.path.startswith(prefix):
                return self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            method = self.path[len(prefix) :]
            params = self._params()
            with state.lock:
                queued = state.failures.get(method)
                failure = queued.pop(0) if queued else None
                status = failure.status if failure else 200
                state.calls.append(Call(method, params, status))
            if failure is not None:
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": failure.status,
                    "description": "Too Many Requests" if failure.status == 429 else "Internal Server Error",
                }
                if failure.retry_after is not None:
                    body["parameters"] = {"retry_after": failure.retry_after}
                return self._reply(failure.status, body)
            return self._reply(200, {"ok": True, "result": self._result(method, params)})

        def _params(self) -> dict[str, Any]:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if "application/json" in (self.headers.get("Content-Type") or ""):
                return json.loads(raw or "{}")
            params: dict[str, Any] = {}
            for key, values in parse_qs(raw).items():
                try:
                    params[key] = json.loads(values[0])
                except ValueError:
                    params[key] = values[0]
            return params

        def _result(self, method: str, params: dict[str, Any]) -> Any:
            if method == "getMe":
                return BOT_USER
            if method in ("sendMessage", "sendPhoto", "editMessageReplyMarkup"):
                message: dict[str, Any] = {
                    "message_id": params.get("message_id") or next(state.message_ids),
                    "date": int(time.time()),
                    "from": BOT_USER,
                    "chat": {"id": int(params["chat_id"]), "type": "private", "first_name": "Test"},
                }
                if method == "sendMessage":
                    message["text"] = str(params.get("text", ""))
                if isinstance(params.get("reply_markup"), dict):
                    message["reply_markup"] = params["reply_markup"]
                return message
            if method == "getUpdates":
                return self._updates(params)
            return True  # answerCallbackQuery, setWebhook, deleteWebhook, ...

        def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
            offset = int(params.get("offset") or 0)
            deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
            while True:
                with state.lock:
                    state.updates = [u for u in state.updates if u["update_id"] >= offset]
                    if state.updates or time.monotonic() >= deadline:
                        return list(state.updates)
                time.sleep(0.05)

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
