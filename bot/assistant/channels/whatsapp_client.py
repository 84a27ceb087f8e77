"""The WhatsApp Cloud API's messages endpoint on httpx, with bounded retries.

A failed call never raises into the channel: it is logged (the kind of message and Meta's error code,
never the token, the phone number or the text) and the caller gets a `SendResult` that says so.
Retried: HTTP 429, Meta's rate-limit error codes, 5xx, time-outs and network errors, waiting
`Retry-After` when Meta sends it (at most `max_retry_after` seconds), else 0.5, 1 and 2 seconds.
Not retried: any other 4xx (a wrong token, a number that is not on WhatsApp, a closed 24-hour window).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from bot.assistant.channels.telegram_client import configure_logging

logger = logging.getLogger(__name__)

GRAPH_API = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
#: Meta's error codes for "too many calls, wait": app and account throttling, the number's own limits.
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})
#: "Re-engagement message": more than 24 hours since the resident's last message (a template is needed).
WINDOW_CLOSED_CODE = 131047


@dataclass(frozen=True)
class SendResult:
    """What came of one call: the message id Meta gave, or the status and Meta's error code."""

    message_id: str | None = None
    status: int | None = None
    error_code: int | None = None

    @property
    def ok(self) -> bool:
        return self.message_id is not None


class WhatsAppClient:
    """One httpx client for the channel, created on first use inside the server's loop."""

    def __init__(
        self,
        token: str,
        phone_number_id: str,
        api_url: str = GRAPH_API,
        api_version: str = DEFAULT_API_VERSION,
        *,
        attempts: int = 4,
        first_delay: float = 0.5,
        max_retry_after: float = 30.0,
    ) -> None:
        configure_logging()  # httpx and httpcore at WARNING
        self._token = token
        self.messages_url = f"{api_url.rstrip('/')}/{api_version.strip('/')}/{phone_number_id}/messages"
        self._attempts = attempts
        self._first_delay = first_delay
        self._max_retry_after = max_retry_after
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            self._http = httpx.AsyncClient(
                timeout=TIMEOUT, headers={"Authorization": f"Bearer {self._token}"}
            )
        return self._http

    async def send(self, what: str, to: str, message: dict[str, Any]) -> SendResult:
        """POST one message (`message`: the type and its object) to `to`; `what` names it in the log."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        result = SendResult()
        for attempt in range(1, self._attempts + 1):
            try:
                response = await self._client().post(self.messages_url, json=body)
            except httpx.HTTPError as error:
                delay, reason = self._backoff(attempt), type(error).__name__
            else:
                result = _result(response)
                if result.ok:
                    return result
                if not _retryable(result):
                    logger.error(
                        "WhatsApp refused %s: HTTP %s, error code %s", what, result.status, result.error_code
                    )
                    return result
                delay = _retry_after(response, self._max_retry_after) or self._backoff(attempt)
                reason = f"HTTP {result.status}, error code {result.error_code}"
            if attempt == self._attempts:
                logger.error("WhatsApp call %s failed %d times, giving up: %s", what, attempt, reason)
                return result
            logger.warning("WhatsApp call %s failed (%s); retry %d in %.1fs", what, reason, attempt, delay)
            await asyncio.sleep(delay)
        return result

    def _backoff(self, attempt: int) -> float:
        return self._first_delay * 2 ** (attempt - 1)

    async def shutdown(self) -> None:
        """Close the HTTP connections."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def _result(response: httpx.Response) -> SendResult:
    data = _json_object(response)
    if response.status_code == 200:
        messages = data.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            return SendResult(message_id=str(messages[0].get("id") or "?"), status=200)
        return SendResult(message_id="?", status=200)
    error = data.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    return SendResult(status=response.status_code, error_code=code if isinstance(code, int) else None)


def _json_object(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or {} when it is not one."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _retryable(result: SendResult) -> bool:
    status = result.status or 0
    return status == 429 or status >= 500 or result.error_code in RATE_LIMIT_CODES


def _retry_after(response: httpx.Response, most: float) -> float | None:
    """`Retry-After` in seconds (capped), or None when Meta did not say."""
    raw = response.headers.get("retry-after", "").strip()
    try:
        seconds = float(raw)
    except ValueError:
        return None
    return min(max(seconds, 0.0), most)
