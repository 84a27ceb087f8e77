"""A stand-in for Meta's WhatsApp Cloud API on 127.0.0.1, for the channel tests.

It answers `POST /<version>/<phone number id>/messages` like the Graph API (a `wamid` per message, the
Graph error shape on failures), records every call, can fail the next calls (429 with `Retry-After`,
500, or a Graph error code such as 131047), and builds the webhook notifications Meta sends: messages of
every kind and delivery statuses, posted to the channel's webhook signed with the app secret in
`X-Hub-Signature-256`, plus the verification GET.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

API_VERSION = "v21.0"


@dataclass
class Call:
    """One messages call as the stand-in received it."""

    path: str
    body: dict[str, Any]
    status: int
    authorization: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def to(self) -> str:
        return str(self.body.get("to", ""))

    @property
    def kind(self) -> str:
        """text, button (reply buttons), list, template, image, ..."""
        kind = str(self.body.get("type", ""))
        return str(self.body["interactive"]["type"]) if kind == "interactive" else kind

    @property
    def text(self) -> str:
        """What the resident reads first: the text, the interactive body, or the template's parameters."""
        if self.kind == "text":
            return str(self.body["text"]["body"])
        if self.body.get("type") == "interactive":
            return str(self.body["interactive"]["body"]["text"])
        if self.kind == "template":
            return " | ".join(self.template_parameters)
        return ""

    @property
    def buttons(self) -> list[dict[str, str]]:
        """Reply buttons as {id, title}, or list rows as {id, title[, description]}."""
        if self.kind == "button":
            return [b["reply"] for b in self.body["interactive"]["action"]["buttons"]]
        if self.kind == "list":
            return [row for s in self.body["interactive"]["action"]["sections"] for row in s["rows"]]
        return []

    @property
    def template_parameters(self) -> list[str]:
        components = self.body.get("template", {}).get("components", [])
        return [p["text"] for c in components for p in c.get("parameters", [])]


@dataclass
class Failure:
    status: int
    retry_after: int | None = None
    code: int | None = None


@dataclass
class StandInState:
    token: str
    phone_number_id: str
    calls: list[Call] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))


class WhatsAppStandIn:
    """The server, what it saw, and the notifications Meta would send. Use as a context manager."""

    def __init__(self, token: str, phone_number_id: str, app_secret: str, verify_token: str) -> None:
        self.state = StandInState(token, phone_number_id)
        self.app_secret, self.verify_token = app_secret, verify_token
        self.webhook_url = ""
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> WhatsAppStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what the tests look at -------------------------------------------------------------
    def calls(self, to: str | None = None, ok: bool = True) -> list[Call]:
        """Recorded calls, filtered by recipient and success."""
        with self.state.lock:
            calls = list(self.state.calls)
        return [call for call in calls if (to is None or call.to == to) and (not ok or call.ok)]

    def texts(self, to: str) -> list[str]:
        """What was delivered to a number, in order (text, interactive body or template parameters)."""
        return [call.text for call in self.calls(to)]

    def fail_next(
        self, status: int, times: int = 1, retry_after: int | None = None, code: int | None = None
    ) -> None:
        """Make the next `times` calls fail like the Graph API does."""
        with self.state.lock:
            self.state.failures.extend([Failure(status, retry_after, code)] * times)

    def clear_failures(self) -> None:
        with self.state.lock:
            self.state.failures.clear()

    # --- notifications, as Meta sends them --------------------------------------------------------
    def notification(self, *, messages: list[dict[str, Any]] = (), statuses: list[dict[str, Any]] = (),
                     wa_id: str = "", phone_number_id: str | None = None) -> dict[str, Any]:  # fmt: skip
        value: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": "31201234567",
                "phone_number_id": phone_number_id or self.state.phone_number_id,
            },
        }
        if messages:
            value["contacts"] = [{"profile": {"name": "Test Bewoner"}, "wa_id": wa_id}]
            value["messages"] = list(messages)
        if statuses:
            value["statuses"] = list(statuses)
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
        }

    def message(self, wa_id: str, kind: str, content: dict[str, Any], message_id: str = "") -> dict[str, Any]:
        """A notification with one message of `kind` (its object is `content`)."""
        message = {
            "from": wa_id,
            "id": message_id or f"wamid.standin{next(self._ids)}",
            "timestamp": str(int(time.time())),
            "type": kind,
            kind: content,
        }
        return self.notification(messages=[message], wa_id=wa_id)

    def text(self, wa_id: str, body: str, message_id: str = "") -> dict[str, Any]:
        return self.message(wa_id, "text", {"body": body}, message_id)

    def button_reply(self, wa_id: str, button_id: str, title: str = "Knop") -> dict[str, Any]:
        return self.message(
            wa_id, "interactive", {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
        )

    def list_reply(self, wa_id: str, row_id: str, title: str = "Keuze") -> dict[str, Any]:
        return self.message(
            wa_id, "interactive", {"type": "list_reply", "list_reply": {"id": row_id, "title": title}}
        )

    def status(self, wa_id: str, status: str, message_id: str = "wamid.sent1") -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": message_id,
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": wa_id,
        }
        if status == "failed":
            entry["errors"] = [{"code": 131026, "title": "Message undeliverable"}]
        return self.notification(statuses=[entry])

    def deliver(self, notification: dict[str, Any], signature: str | None = None,
                timeout: float = 90) -> httpx.Response:  # fmt: skip
        """POST a notification to the webhook like Meta: the exact bytes, signed with the app secret
        (unless `signature` gives the header's value; "" sends none)."""
        raw = json.dumps(notification).encode()
        if signature is None:
            signature = "sha256=" + hmac.new(self.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json"}
        if signature:
            headers["X-Hub-Signature-256"] = signature
        return httpx.post(self.webhook_url, content=raw, headers=headers, timeout=timeout)

    def verify(self, mode: str = "subscribe", token: str | None = None,
               challenge: str = "1158201444") -> httpx.Response:  # fmt: skip
        """Meta's verification request when the webhook URL is saved."""
        params = {"hub.mode": mode, "hub.verify_token": self.verify_token if token is None else token,
                  "hub.challenge": challenge}  # fmt: skip
        return httpx.get(self.webhook_url, params=params, timeout=10)


def _handler(state: StandInState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            authorization = self.headers.get("Authorization") or ""
            if self.path != f"/{API_VERSION}/{state.phone_number_id}/messages":
                return self._error(404, 100, "Unknown path", None)
            if authorization != f"Bearer {state.token}":
                with state.lock:
                    state.calls.append(Call(self.path, body, 401, authorization))
                return self._error(401, 190, "Invalid OAuth access token", None)
            with state.lock:
                failure = state.failures.pop(0) if state.failures else None
                status = failure.status if failure else 200
                state.calls.append(Call(self.path, body, status, authorization))
                message_id = f"wamid.out{next(state.message_ids)}"
            if failure is not None:
                code = failure.code or (130429 if failure.status == 429 else 1)
                return self._error(failure.status, code, "Stand-in failure", failure.retry_after)
            self._reply(200, {"messaging_product": "whatsapp",
                              "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                              "messages": [{"id": message_id}]})  # fmt: skip

        def _error(self, status: int, code: int, message: str, retry_after: int | None) -> None:
            error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Atest"}
            self._reply(status, {"error": error}, retry_after)

        def _reply(self, status: int, body: dict[str, Any], retry_after: int | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", str(retry_after))
            self.end_headers()
            self.wfile.write(data)

    return Handler
