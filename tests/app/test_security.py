"""Security of a running `make start`: tokens on Rasa's and the backend's APIs, CORS, no secrets in logs.

The stack runs as the README starts it (embedded defaults, free ports, its own data and log folder).
Each check has its positive counterpart, so a check that could not fail would show up.
"""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from stack import Stack, read_env_file_value

pytestmark = pytest.mark.slow

SECRET_KEYS = (
    "RASA_AUTH_TOKEN",
    "BACKEND_SERVICE_TOKEN",
    "ACTION_SERVER_TOKEN",
    "STAFF_SESSION_SECRET",
    "STAFF_BOOTSTRAP_PASSWORD",
)
FOREIGN_ORIGIN = "https://phishing.example"


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/conversations/security-x/tracker"),
        ("POST", "/conversations/security-x/tracker/events"),
        ("GET", "/conversations/security-x/story"),
        ("POST", "/model/parse"),
        ("GET", "/status"),
    ],
)
def test_rasa_http_api_refuses_requests_without_the_right_token(stack: Stack, method: str, path: str) -> None:
    stack.say("security-x", "hallo")  # the conversation exists, so the right token gets a 200
    body = {"event": "bot", "text": "x"} if path.endswith("events") else {"text": "hallo"}
    json_body = body if method == "POST" else None
    missing = httpx.request(method, f"{stack.rasa}{path}", json=json_body, timeout=30)
    wrong = httpx.request(
        method, f"{stack.rasa}{path}", params={"token": "not-the-token"}, json=json_body, timeout=30
    )
    assert missing.status_code == 401, missing.text
    assert wrong.status_code == 401, wrong.text
    right = httpx.request(
        method,
        f"{stack.rasa}{path}",
        params={"token": stack.setting("RASA_AUTH_TOKEN")},
        json=json_body,
        timeout=60,
    )
    assert right.status_code == 200, right.text


def test_rasa_cors_answers_only_configured_origins(stack: Stack) -> None:
    allowed = f"http://127.0.0.1:{stack.env['BACKEND_PORT']}"
    for path in ("/webhooks/rest/webhook", "/socket.io/?EIO=4&transport=polling"):
        method = "POST" if "webhook" in path else "GET"
        preflight = {
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type",
        }
        foreign = httpx.options(
            f"{stack.rasa}{path}", headers={"Origin": FOREIGN_ORIGIN, **preflight}, timeout=30
        )
        assert foreign.headers.get("access-control-allow-origin") not in (FOREIGN_ORIGIN, "*"), path
        own = httpx.options(f"{stack.rasa}{path}", headers={"Origin": allowed, **preflight}, timeout=30)
        assert own.headers.get("access-control-allow-origin") == allowed, (path, dict(own.headers))
    # A simple (non-preflighted) request: the browser would hide the answer from the foreign page.
    foreign_get = httpx.get(f"{stack.rasa}/version", headers={"Origin": FOREIGN_ORIGIN}, timeout=30)
    assert foreign_get.headers.get("access-control-allow-origin") not in (FOREIGN_ORIGIN, "*")
    own_get = httpx.get(f"{stack.rasa}/version", headers={"Origin": allowed}, timeout=30)
    assert own_get.headers.get("access-control-allow-origin") == allowed


@pytest.mark.parametrize("path", ["/api/callbacks", "/api/handovers", "/api/locations"])
def test_backend_api_refuses_a_missing_or_wrong_service_token(stack: Stack, path: str) -> None:
    assert httpx.get(f"{stack.backend}{path}", timeout=10).status_code in (401, 403)
    wrong = httpx.get(f"{stack.backend}{path}", headers={"Authorization": "Bearer not-the-token"}, timeout=10)
    assert wrong.status_code in (401, 403)
    basic = httpx.get(
        f"{stack.backend}{path}", auth=("voordeur", read_env_file_value("BACKEND_SERVICE_TOKEN")), timeout=10
    )
    assert basic.status_code in (401, 403), "the token counts only as a bearer token"
    right = httpx.get(
        f"{stack.backend}{path}",
        headers={"Authorization": f"Bearer {read_env_file_value('BACKEND_SERVICE_TOKEN')}"},
        timeout=10,
    )
    assert right.status_code == 200, right.text


def test_secrets_never_appear_in_the_logs(stack: Stack) -> None:
    # Traffic that touches every secret: the HTTP API with and without the token, the action server's
    # backend calls (a callback request), the backend with a wrong token, the staff login page.
    token = stack.setting("RASA_AUTH_TOKEN")
    sender = "security-logs"
    for message in ("hallo", "kunnen jullie me bellen", "Sanne", "06 1234 5678", "middag", "ja"):
        stack.say(sender, message)
    httpx.get(f"{stack.rasa}/conversations/{sender}/tracker", params={"token": token}, timeout=30)
    httpx.get(f"{stack.rasa}/conversations/{sender}/tracker", params={"token": token[::-1]}, timeout=30)
    httpx.get(f"{stack.backend}/api/callbacks", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    httpx.get(f"{stack.backend}/staff/login", timeout=10)
    logs = sorted(stack.log_dir.glob("*.log")) + [stack.log]
    names = {path.name for path in logs}
    assert {"rasa.log", "actions.log", "backend.log", "start.log"} <= names, names
    text = "\n".join(path.read_text(errors="replace") for path in logs)
    assert "Sanne" in text or "POST" in text or len(text) > 1000, "the logs are empty: nothing was checked"
    for key in SECRET_KEYS:
        value = stack.setting(key)
        assert len(value) >= 16, f"{key} in .env is too short to search for"
        assert value not in text, f"{key} appears in the logs"


def test_conversation_ids_stay_out_of_the_action_and_backend_logs(stack: Stack) -> None:
    # A widget's session id is the key to its conversation (socket.io room): it must not be in any log
    # that operators read. The action server reports the conversation to the backend (PUT
    # /api/conversations/<id>, logged by httpx and by uvicorn's access log) and the staff page looks
    # handovers up by conversation id.
    session_id = uuid.uuid4().hex
    assert stack.say(session_id, "hallo")
    token = read_env_file_value("BACKEND_SERVICE_TOKEN")
    listed = httpx.get(f"{stack.backend}/api/handovers", params={"conversation_id": session_id},
                       headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
    assert listed.status_code == 200
    backend_log, actions_log = (stack.log_dir / "backend.log"), (stack.log_dir / "actions.log")
    deadline = time.monotonic() + 10  # the conversation report is sent after the reply
    while "/api/conversations/[id]" not in backend_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.5)
    backend_text, actions_text = backend_log.read_text(), actions_log.read_text()
    assert "PUT /api/conversations/[id]" in backend_text and "conversation_id=[id]" in backend_text
    assert "/api/conversations/[id]" in actions_text  # the call is logged, without the id
    assert session_id not in backend_text and session_id not in actions_text
