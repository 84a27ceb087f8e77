"""The staff pages' only way to Rasa: its token-protected HTTP API (httpx, short timeouts).

- transcript: `GET /conversations/{id}/tracker`; the slots a linked conversation carries on (issue 24)
- a person in the conversation: taking a handover or replying pauses the bot first (a `pause` event and
  `action_listen`, as `action_handover` does within office hours), also outside office hours, so that the
  bot never answers the resident's reply to a medewerker; taking also tells the resident a person reads
- a staff reply: `POST /conversations/{id}/tracker/events` with a `bot` event, executed as a side effect
  on the channel the resident used last (`output_channel=latest`: widget socket.io or Telegram)
- handing back: a `resume` event, then `trigger_intent` `EXTERNAL_handover_closed` (the bot's message)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from bot.backend.services.channel_window import EXTERNAL_PREFIX
from bot.backend.services.handover_actions import AssistantUnavailable
from bot.backend.settings import BackendSettings

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
HANDOVER_CLOSED_INTENT = "EXTERNAL_handover_closed"
#: A callback was marked done: the bot offers the resident a check-in (actions/checkins.py).
CALLBACK_DONE_INTENT = "EXTERNAL_callback_done"
#: What the resident reads when a medewerker takes the conversation (no "je" or "u": the bot's form is
#: the resident's choice, a slot this page does not read).
TAKEN_TEXT = "Ik heb het gesprek overgenomen. Ik schrijf hier zo een antwoord."
#: Pausing as `action_handover` does: the rules that start with an intent match again after a resume.
PAUSE_EVENTS = [{"event": "pause"}, {"event": "action", "name": "action_listen"}]


class RasaUnavailable(AssistantUnavailable):
    """Rasa did not answer, or answered with an error."""


@dataclass(frozen=True)
class TranscriptLine:
    sender: str  # "user", "bot" or "staff"
    text: str
    at: datetime | None
    staff_name: str = ""
    buttons: tuple[str, ...] = ()  # a bot line: the titles of the buttons it offered
    pressed: bool = False  # a user line: a button press, shown by its title instead of its payload
    channel: str = ""  # set when a transcript merges the conversations of one resident (issue 24)


def staff_text(display_name: str, text: str) -> str:
    """How a reply reaches the resident: named, so it is clear a person wrote it.

    The widget recognises this shape ("Naam (wijkteam): ") and labels the message as a staff member's.
    A role or note in brackets at the end of the display name ("Beheerder (demo)") is left out.
    """
    name = re.sub(r"\s*\([^()]*\)\s*$", "", display_name).strip() or "Medewerker"
    return f"{name} (wijkteam): {text}"


#: What the resident's app sends when it opens a conversation (the widget, Telegram's /start): staff read
#: this instead of the payload. Other payloads that match no offered button are shown as they came in.
OPENING_PAYLOADS = {"/greet", "/start", "/session_start"}
OPENED_TEXT = "(opende het gesprek)"
#: Issue 24: the widget's "Verder op Telegram", and a code from the other channel (Telegram's
#: `/start <code>`, or typed in the widget), read as what the resident did.
OWN_PAYLOADS = {"/continue_on_telegram": "Verder op Telegram"}
LINK_PAYLOAD_PREFIX = "/link_conversation"
LINKED_TEXT = "(ging verder vanuit een ander kanaal, met een code)"


def _button_titles(event: dict[str, Any]) -> dict[str, str]:
    """payload -> title of the buttons a bot event offered."""
    buttons = (event.get("data") or {}).get("buttons") or []
    return {
        str(button["payload"]): str(button.get("title") or button["payload"])
        for button in buttons
        if isinstance(button, dict) and button.get("payload")
    }


def transcript_lines(events: list[dict[str, Any]]) -> list[TranscriptLine]:
    """What the resident and the bot said, in order; a button press reads as the button's title.

    Rasa's own user events (`EXTERNAL: ...`, from `trigger_intent` when a handover is closed) are left out."""
    lines = []
    offered: dict[str, str] = {}  # the buttons offered since the resident's last message
    for event in events:
        kind, text = event.get("event"), event.get("text")
        if kind not in ("user", "bot") or not isinstance(text, str) or not text:
            continue
        stamp = event.get("timestamp")
        at = datetime.fromtimestamp(stamp, UTC) if isinstance(stamp, int | float) else None
        if kind == "user" and text.startswith(EXTERNAL_PREFIX):
            continue  # Rasa's own message (the hand-back's trigger_intent), not the resident's
        if kind == "user":
            title = offered.get(text.strip())
            title = title or OWN_PAYLOADS.get(text.strip())
            if title is None and text.strip() in OPENING_PAYLOADS:
                lines.append(TranscriptLine("user", OPENED_TEXT, at))
            elif title is None and text.startswith(LINK_PAYLOAD_PREFIX):
                lines.append(TranscriptLine("user", LINKED_TEXT, at))
            else:
                lines.append(TranscriptLine("user", title or text, at, pressed=title is not None))
            offered = {}
            continue
        staff = (event.get("metadata") or {}).get("staff")
        buttons = _button_titles(event)
        offered.update(buttons)
        sender = "staff" if staff else "bot"
        lines.append(TranscriptLine(sender, text, at, str(staff or ""), tuple(buttons.values())))
    return lines


@dataclass(frozen=True)
class ConversationState:
    paused: bool  # a medewerker has the conversation
    active_loop: str | None  # the form the resident is filling in, if any
    latest_event_at: datetime | None


class RasaClient:
    def __init__(self, base_url: str, token: str, *, timeout: httpx.Timeout = TIMEOUT) -> None:
        self.base_url, self.token, self.timeout = base_url.rstrip("/"), token, timeout

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> RasaClient:
        return cls(settings.rasa_url, settings.rasa_auth_token)

    def _url(self, conversation_id: str, tail: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{tail}"

    def _call(self, method: str, url: str, *, params: dict[str, str], body: Any = None) -> Any:
        try:
            response = httpx.request(
                method, url, params={**params, "token": self.token}, json=body, timeout=self.timeout
            )
        except httpx.HTTPError as error:
            raise RasaUnavailable(str(error)) from error
        if response.status_code >= 400:
            raise RasaUnavailable(f"{method} {url.split('?')[0]}: HTTP {response.status_code}")
        return response.json() if response.content else None

    def transcript(self, conversation_id: str) -> list[TranscriptLine]:
        tracker = self._call("GET", self._url(conversation_id, "tracker"), params={})
        return transcript_lines((tracker or {}).get("events") or [])

    def state(self, conversation_id: str) -> ConversationState:
        """The tracker's state without its events."""
        tracker = self._call("GET", self._url(conversation_id, "tracker"), params={"include_events": "NONE"})
        tracker = tracker or {}
        latest = tracker.get("latest_event_time")
        return ConversationState(
            paused=bool(tracker.get("paused")),
            active_loop=str((tracker.get("active_loop") or {}).get("name") or "") or None,
            latest_event_at=datetime.fromtimestamp(float(latest), UTC) if latest else None,
        )

    def is_paused(self, conversation_id: str) -> bool:
        """Whether a person has the conversation."""
        return self.state(conversation_id).paused

    def slots(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's slots now (a linked conversation carries some of them on, issue 24)."""
        tracker = self._call("GET", self._url(conversation_id, "tracker"), params={"include_events": "NONE"})
        slots = (tracker or {}).get("slots") or {}
        return dict(slots) if isinstance(slots, dict) else {}

    def send_staff_reply(self, conversation_id: str, *, display_name: str, text: str) -> None:
        """The reply, named after its writer; the bot is paused first when it is not yet."""
        event = {"event": "bot", "text": staff_text(display_name, text), "metadata": {"staff": display_name}}
        pause = [] if self.is_paused(conversation_id) else PAUSE_EVENTS
        self._call(
            "POST",
            self._url(conversation_id, "tracker/events"),
            params={"output_channel": "latest", "execute_side_effects": "true"},
            body=[*pause, event],
        )

    def take(self, conversation_id: str, *, display_name: str) -> None:
        """Pause the bot (when it is not yet) and tell the resident a person has the conversation now."""
        self.send_staff_reply(conversation_id, display_name=display_name, text=TAKEN_TEXT)

    def trigger_intent(
        self, conversation_id: str, intent: str, entities: dict[str, str], *, output_channel: str
    ) -> None:
        """Run `intent` in the conversation as if the resident sent it; the bot's reply goes out on
        `output_channel` (a reminder or check-in of issue 24)."""
        self._call(
            "POST",
            self._url(conversation_id, "trigger_intent"),
            params={"output_channel": output_channel},
            body={"name": intent, "entities": entities},
        )

    def hand_back(self, conversation_id: str) -> None:
        """Resume the bot on the conversation and let it tell the resident."""
        self._call(
            "POST",
            self._url(conversation_id, "tracker/events"),
            params={"output_channel": "latest", "execute_side_effects": "true"},
            body=[{"event": "resume"}],
        )
        self._call(
            "POST",
            self._url(conversation_id, "trigger_intent"),
            params={"output_channel": "latest"},
            body={"name": HANDOVER_CLOSED_INTENT, "entities": {}},
        )

    def callback_done(self, conversation_id: str, *, callback_id: int, channel: str) -> None:
        """Tell the bot a callback was done, on the resident's channel: it may offer a check-in."""
        self.trigger_intent(
            conversation_id, CALLBACK_DONE_INTENT, {"callback_id": str(callback_id)}, output_channel=channel
        )
