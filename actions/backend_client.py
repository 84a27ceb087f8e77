"""The one module that talks to the case backend (docs/backend.md, REST API under /api).

Actions call intent-revealing methods and see plain dicts from the API; they never build URLs or
handle HTTP. A backend that cannot be reached or answers too slowly raises `BackendUnavailable`; a
refusal (full slot, unknown code, ...) raises `BackendRejected` with the backend's Dutch message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any
from urllib.parse import quote

import httpx

from bot.assistant.backend_http import tls_context
from bot.assistant.settings import RasaSideSettings, rasa_side_settings
from bot.shared.booking_codes import MAX_RAW_LENGTH
from bot.shared.fields import EMAIL_MAX, QUESTION_MAX
from bot.shared.session_ids import keep_session_ids_out_of

logger = logging.getLogger(__name__)
# httpx logs each call with its URL, and `/api/conversations/<id>` holds the conversation id.
keep_session_ids_out_of("httpx")


#: Conversation figures are a side matter: never let them slow a reply down.
ACTIVITY_TIMEOUT_SECONDS = 1.5

#: Conversation reports still on their way; held so the event loop does not drop them half-way.
_pending_notes: set[asyncio.Task[bool]] = set()


async def conversation_notes_sent() -> None:
    """Wait until every conversation report started so far has been sent (or given up)."""
    while _pending_notes:
        await asyncio.gather(*list(_pending_notes))


class BackendUnavailable(RuntimeError):
    """The backend is down, too slow, or answered with a server error."""


class BackendRejected(RuntimeError):
    """The backend refused the request; `message` is Dutch and may be shown to the resident.

    `retry_after`: seconds until the client may try again, when the backend said (429).
    """

    def __init__(self, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retry_after = retry_after


class BackendClient:
    def __init__(self, base_url: str, token: str, timeout: float = 5.0) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout

    @classmethod
    def from_settings(cls, settings: RasaSideSettings | None = None) -> BackendClient:
        settings = settings or rasa_side_settings()
        return cls(settings.backend_url, settings.backend_service_token, settings.backend_timeout)

    async def _call(self, method: str, path: str, *, timeout: float | None = None, **kwargs: Any) -> Any:
        try:
            async with httpx.AsyncClient(
                base_url=self._base_url,
                headers=self._headers,
                timeout=timeout or self._timeout,
                verify=tls_context(),
            ) as client:
                response = await client.request(method, f"/api{path}", **kwargs)
        except httpx.HTTPError as error:
            raise BackendUnavailable(str(error) or type(error).__name__) from error
        if response.status_code >= 500 or response.status_code == 401:
            raise BackendUnavailable(f"backend answered {response.status_code}")
        try:
            body = response.json()
        except ValueError as error:
            raise BackendUnavailable("backend answered no JSON") from error
        if response.status_code >= 400:
            error_body = body.get("error", {}) if isinstance(body, dict) else {}
            retry_after = error_body.get("retry_after")
            raise BackendRejected(
                str(error_body.get("code", "rejected")),
                str(error_body.get("message", "")),
                retry_after if isinstance(retry_after, int) and not isinstance(retry_after, bool) else None,
            )
        return body

    async def free_slots(
        self,
        topic: str,
        *,
        wijk: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        limit: int = 20,
        municipality: str | None = None,
    ) -> list[dict[str, Any]]:
        """Free slots from today on, soonest first; only `municipality`'s when given."""
        params: dict[str, Any] = {"topic": topic, "limit": limit}
        optional = (
            ("wijk", wijk),
            ("date_from", date_from),
            ("date_to", date_to),
            ("municipality", municipality),
        )
        for key, value in optional:
            if value:
                params[key] = value
        body = await self._call("GET", "/slots", params=params)
        return list(body["items"] if isinstance(body, dict) and "items" in body else body)

    async def book_slot(
        self,
        slot_id: int,
        first_name: str,
        *,
        phone: str | None = None,
        email: str | None = None,
        conversation_id: str | None = None,
        municipality: str | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        """Book a place; the conversation id lets the staff see the booking beside a handover, and its
        `channel` gets the reminder when it can (Telegram). The backend refuses a slot of another
        municipality than `municipality`."""
        payload: dict[str, Any] = {"slot_id": slot_id, "first_name": first_name}
        optional = (
            ("phone", phone),
            ("email", email),
            ("conversation_id", conversation_id),
            ("municipality", municipality),
            ("channel", channel),
        )
        payload.update((key, value) for key, value in optional if value)
        return dict(await self._call("POST", "/bookings", json=payload))

    async def lookup_booking(self, code: str, verification: str, conversation_id: str) -> dict[str, Any]:
        """Open a booking with its code and second factor (the last 4 digits of the phone number or the
        e-mail address): `{"booking": {...}, "ticket": "..."}`. A wrong pair raises BackendRejected
        `booking_not_verified`; too many failures in this conversation or for this code
        `too_many_lookups`."""
        payload = {
            "code": code[:MAX_RAW_LENGTH],
            "verification": verification[:EMAIL_MAX],
            "client": conversation_id[:200],
        }
        return dict(await self._call("POST", "/bookings/lookup", json=payload))

    async def cancel_booking(self, code: str, ticket: str) -> dict[str, Any]:
        """Cancel; `ticket` comes from `lookup_booking`."""
        return dict(await self._call("POST", f"/bookings/{_path_code(code)}/cancel", json={"ticket": ticket}))

    async def move_booking(self, code: str, slot_id: int, ticket: str) -> dict[str, Any]:
        """Move to another slot; `ticket` comes from `lookup_booking`."""
        body = {"slot_id": slot_id, "ticket": ticket}
        return dict(await self._call("POST", f"/bookings/{_path_code(code)}/move", json=body))

    async def reminder_booking(self, code: str, conversation_id: str) -> dict[str, Any]:
        """The booking a reminder is about, for the reminder's text; only this conversation's (or a linked
        one's): any other raises BackendRejected `booking_not_found`."""
        params = {"conversation_id": conversation_id[:200]}
        return dict(await self._call("GET", f"/bookings/{_path_code(code)}/reminder", params=params))

    async def answer_reminder(self, code: str, conversation_id: str, answer: str) -> dict[str, Any]:
        """The resident's answer to a reminder (`komt`, `afzeggen`, `verzetten`): `{"answer", "booking",
        "ticket"}`, the ticket only for `verzetten` (the move flow needs it)."""
        body = {"conversation_id": conversation_id[:200], "answer": answer}
        return dict(await self._call("POST", f"/bookings/{_path_code(code)}/reminder-answer", json=body))

    async def create_callback(
        self,
        topic: str,
        first_name: str,
        phone: str,
        *,
        preferred_part_of_day: str | None = None,
        question: str | None = None,
        conversation_id: str | None = None,
        municipality: str | None = None,
    ) -> dict[str, Any]:
        """Ask for a callback; the conversation id lets the staff see it beside a handover."""
        payload: dict[str, Any] = {"topic": topic, "first_name": first_name, "phone": phone}
        optional = (
            ("preferred_part_of_day", preferred_part_of_day),
            ("question", question[:QUESTION_MAX] if question else None),
            ("conversation_id", conversation_id),
            ("municipality", municipality),
        )
        payload.update((key, value) for key, value in optional if value)
        return dict(await self._call("POST", "/callbacks", json=payload))

    async def office_hours(self, municipality: str | None = None) -> dict[str, Any]:
        """`open_now`, `next_open` (+ Dutch `next_open_label`) and `closes_at` (+ `closes_at_label`) of the
        municipality's team (its slug; None: the default municipality's)."""
        params = {"municipality": municipality} if municipality else None
        return dict(await self._call("GET", "/office-hours", params=params))

    async def create_handover(
        self,
        conversation_id: str,
        channel: str,
        reason: str,
        *,
        topic: str | None = None,
        summary: str | None = None,
        contact_request: str | None = None,
        client: str | None = None,
        municipality: str | None = None,
    ) -> dict[str, Any]:
        """Record a handover (status open) for the staff page, or get the conversation's open one.

        `client` is the channel's hashed address of the resident (abuse limits): over the hourly limit
        per client the backend refuses with BackendRejected `too_many_handovers` (and `retry_after`).
        """
        payload: dict[str, Any] = {"conversation_id": conversation_id, "channel": channel, "reason": reason}
        for key, value in (("topic", topic), ("summary", summary), ("contact_request", contact_request),
                           ("client", client), ("municipality", municipality)):  # fmt: skip
            if value:
                payload[key] = value
        return dict(await self._call("POST", "/handovers", json=payload))

    async def municipalities(self) -> list[dict[str, Any]]:
        """Every municipality, `[{"slug": ..., "name": ...}]`, sorted by name."""
        body = await self._call("GET", "/municipalities")
        return [dict(item) for item in body] if isinstance(body, list) else []

    async def lookup_municipality(self, query: str) -> dict[str, Any] | None:
        """The municipality of a place name or postcode, or None when the backend knows none."""
        try:
            return dict(await self._call("GET", "/municipalities/lookup", params={"q": query[:80]}))
        except BackendRejected:
            return None

    async def note_conversation(
        self,
        conversation_id: str,
        channel: str,
        topic: str | None,
        *,
        misunderstood: bool = False,
        municipality: str | None = None,
    ) -> bool:
        """Count a conversation (and its topic) for the team's dashboard; `misunderstood` when the bot
        did not understand a message (the dashboard's "niet begrepen"; sent only when true).

        Best effort with a short timeout: a failure (backend down, endpoint missing) is logged and
        returns False; it never reaches the resident and never breaks the conversation.
        """
        body: dict[str, Any] = {"channel": channel, "topic": topic}
        if misunderstood:
            body["misunderstood"] = True
        if municipality:
            body["municipality"] = municipality
        try:
            await self._call(
                "PUT",
                f"/conversations/{_path_conversation(conversation_id)}",
                json=body,
                timeout=min(self._timeout, ACTIVITY_TIMEOUT_SECONDS),
            )
        except (BackendUnavailable, BackendRejected) as error:
            logger.warning("Conversation figures not recorded: %s", error)
            return False
        except Exception as error:  # never break a conversation for a dashboard figure
            logger.warning("Conversation figures not recorded: %s", type(error).__name__)
            return False
        return True

    def note_conversation_soon(
        self,
        conversation_id: str,
        channel: str,
        topic: str | None,
        *,
        misunderstood: bool = False,
        municipality: str | None = None,
    ) -> asyncio.Task[bool]:
        """`note_conversation` without waiting for it: the resident's reply goes out at once.

        Safe to send out of order: the backend keeps the last known topic when a report has none, and
        a misunderstanding once reported.
        """
        task = asyncio.get_running_loop().create_task(
            self.note_conversation(
                conversation_id, channel, topic, misunderstood=misunderstood, municipality=municipality
            )
        )
        _pending_notes.add(task)
        task.add_done_callback(_pending_notes.discard)
        return task

    # --- one resident across channels (issue 24) -----------------------------------------------------

    async def create_link_code(self, conversation_id: str, channel: str) -> dict[str, Any]:
        """A one-time code (15 minutes) to go on in another channel: `code`, `shown`, `expires_at`."""
        body = {"conversation_id": conversation_id[:200], "channel": channel}
        return dict(await self._call("POST", "/link-codes", json=body))

    async def redeem_link_code(
        self, code: str, conversation_id: str, channel: str, slots: list[str]
    ) -> dict[str, Any]:
        """Link this conversation to the code's: `linked_conversation_id`, `linked_channel`, and `slots`:
        the values of the named slots in the code's conversation. A wrong, used or expired code raises
        BackendRejected with a Dutch message."""
        body = {"code": code[:40], "conversation_id": conversation_id[:200], "channel": channel,
                "slots": slots}  # fmt: skip
        return dict(await self._call("POST", "/link-codes/redeem", json=body))

    async def forget_conversation(self, conversation_id: str) -> dict[str, Any]:
        """Remove the links, link codes and pending scheduled messages of this resident's conversations."""
        body = {"conversation_id": conversation_id[:200]}
        return dict(await self._call("POST", "/keep-in-touch/forget", json=body))

    # --- feedback and the review page (issue 23): best effort, like the conversation figures ----------

    async def _report(self, path: str, body: dict[str, Any], what: str) -> bool:
        """POST a report with the short timeout; a failure is logged and returns False, never raised."""
        try:
            await self._call("POST", path, json=body, timeout=min(self._timeout, ACTIVITY_TIMEOUT_SECONDS))
        except (BackendUnavailable, BackendRejected) as error:
            logger.warning("%s not recorded: %s", what, error)
            return False
        except Exception as error:  # never break a conversation for a report
            logger.warning("%s not recorded: %s", what, type(error).__name__)
            return False
        return True

    def _soon(self, report: Coroutine[Any, Any, bool]) -> asyncio.Task[bool]:
        task = asyncio.get_running_loop().create_task(report)
        _pending_notes.add(task)
        task.add_done_callback(_pending_notes.discard)
        return task

    def answer_shown_soon(self, conversation_id: str, answer: AnswerReport) -> asyncio.Task[bool]:
        """Count a shown answer for the review page, without waiting (POST /api/feedback/shown)."""
        body = answer.body(conversation_id)
        return self._soon(self._report("/feedback/shown", body, "Shown answer"))

    async def answer_verdict(self, conversation_id: str, answer: AnswerReport, *, helped: bool) -> bool:
        """The resident's "Ja" or "Nee" to "Heeft dit geholpen?" (POST /api/feedback).

        The showing of the answer is reported in the background (`answer_shown_soon`); it must reach the
        backend first, or it would land after the verdict as a newer showing without one, and the remark
        to "Wat miste je?" would find no "Nee" (a quick resident, or a test, can press "Nee" that fast)."""
        with contextlib.suppress(asyncio.TimeoutError):  # Python 3.10: not the builtin TimeoutError
            await asyncio.wait_for(conversation_notes_sent(), ACTIVITY_TIMEOUT_SECONDS + 0.5)
        body = {**answer.body(conversation_id), "helped": helped}
        return await self._report("/feedback", body, "Answer feedback")

    # --- follow-up check-ins and "stop berichten" (issue 24) -------------------------------------------

    async def schedule_checkin(
        self,
        conversation_id: str,
        channel: str,
        source: str,
        *,
        source_id: int | None = None,
        plan_id: str | None = None,
        topic: str | None = None,
        municipality: str | None = None,
    ) -> dict[str, Any]:
        """The resident agreed to a check-in (POST /api/checkins): `{"id", "due_at", "due_label"}`.
        Refused with the code `opted_out` when the resident said "stop berichten" before."""
        body: dict[str, Any] = {
            "conversation_id": conversation_id[:200],
            "channel": channel,
            "source": source,
        }
        optional = (
            ("source_id", source_id),
            ("plan_id", plan_id),
            ("topic", topic),
            ("municipality", municipality),
        )
        body.update({key: value for key, value in optional if value is not None})
        result: dict[str, Any] = await self._call("POST", "/checkins", json=body)
        return result

    async def answer_checkin(self, message_id: int, conversation_id: str, outcome: str) -> dict[str, Any]:
        """The resident's answer to a check-in (POST /api/checkins/{id}/answer): goed, lukt_niet or
        iemand_spreken; returns the check-in (`plan_id`, `topic`, `source`)."""
        body = {"conversation_id": conversation_id[:200], "outcome": outcome}
        result: dict[str, Any] = await self._call("POST", f"/checkins/{int(message_id)}/answer", json=body)
        return result

    async def stop_messages(self, conversation_id: str) -> dict[str, Any]:
        """ "stop berichten" (POST /api/keep-in-touch/stop): `{"cancelled": n}`."""
        body = {"conversation_id": conversation_id[:200]}
        result: dict[str, Any] = await self._call("POST", "/keep-in-touch/stop", json=body)
        return result

    def missed_message_soon(
        self,
        text: str,
        kind: str,
        channel: str,
        *,
        municipality: str | None = None,
        guesses: list[str] | None = None,
    ) -> asyncio.Task[bool]:
        """A typed message that ended in a fallback or a clarifying question (POST /api/missed-messages);
        `kind` is "fallback" or "verduidelijking". The backend masks and cuts the text."""
        body: dict[str, Any] = {"text": text[:MISSED_TEXT_MAX], "kind": kind, "channel": channel}
        if municipality:
            body["municipality"] = municipality
        if guesses:
            body["guesses"] = [guess[:100] for guess in guesses[:5]]
        return self._soon(self._report("/missed-messages", body, "Missed message"))


#: What the actions send of a resident's text at most (the backend keeps at most 500 characters).
MISSED_TEXT_MAX = 2000


class AnswerReport:
    """What identifies a shown answer for the review page: its id, the channel, the content version and the
    resident's municipality (may be unknown: the backend's default then)."""

    def __init__(
        self, answer_id: str, channel: str, content_version: str, municipality: str | None = None
    ) -> None:
        self.answer_id = answer_id
        self.channel = channel
        self.content_version = content_version
        self.municipality = municipality

    def body(self, conversation_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "conversation_id": conversation_id[:200],
            "answer_id": self.answer_id,
            "channel": self.channel,
            "content_version": self.content_version,
        }
        if self.municipality:
            body["municipality"] = self.municipality
        return body


def _path_code(code: str) -> str:
    """Only code characters go into the URL path (the backend accepts `vd7k3px9qa`, `VD 7K3P X9QA`)."""
    return "".join(ch for ch in code if ch.isalnum() or ch == "-")[:20] or "-"


def _path_conversation(conversation_id: str) -> str:
    """Rasa sender ids are hex, digits or e-mail-like; anything else is percent-encoded."""
    return quote(conversation_id, safe="")[:200] or "-"
