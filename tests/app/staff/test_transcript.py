"""The transcript on a handover's page: button presses read as the buttons' titles (rasa_client.py)."""

from __future__ import annotations

from bot.backend.staff_web.rasa_client import TranscriptLine, transcript_lines

INTRO = {
    "event": "bot",
    "text": "Hoi! Ik ben de digitale assistent van het wijkteam.",
    "timestamp": 1_700_000_000.0,
    "data": {
        "buttons": [
            {"title": "Geldzorgen", "payload": "/schulden_algemeen"},
            {"title": "Wonen", "payload": "/huisvesting_algemeen"},
        ]
    },
}


def user(text: str) -> dict:
    return {"event": "user", "text": text, "timestamp": 1_700_000_010.0}


def test_a_button_press_reads_as_the_title_of_the_button_offered() -> None:
    lines = transcript_lines(
        [
            {"event": "action", "name": "action_session_start"},
            INTRO,
            user("/schulden_algemeen"),
            {"event": "bot", "text": "Schulden zijn lastig.", "metadata": {}},
            user("/huisvesting_algemeen"),  # no longer offered: shown as it came in
            user("<b>Wonen</b>"),
        ]
    )
    assert [(line.sender, line.text, line.pressed) for line in lines] == [
        ("bot", INTRO["text"], False),
        ("user", "Geldzorgen", True),
        ("bot", "Schulden zijn lastig.", False),
        ("user", "/huisvesting_algemeen", False),
        ("user", "<b>Wonen</b>", False),
    ]
    assert lines[0].buttons == ("Geldzorgen", "Wonen")
    assert lines[0].at is not None and lines[2].at is None


def test_staff_replies_and_odd_events_keep_their_place() -> None:
    lines = transcript_lines(
        [
            {"event": "bot", "text": "Anna (wijkteam): Hallo", "metadata": {"staff": "Anna"}},
            {"event": "bot", "text": "", "data": {"buttons": [{"title": "Ja"}]}},  # no text: left out
            {"event": "bot", "text": "Kies", "data": {"buttons": ["kapot", {"payload": "/affirm"}]}},
            user("/affirm"),
            {"event": "user", "text": None},
        ]
    )
    assert lines == [
        TranscriptLine("staff", "Anna (wijkteam): Hallo", None, "Anna"),
        TranscriptLine("bot", "Kies", None, "", ("/affirm",)),
        TranscriptLine("user", "/affirm", lines[2].at, pressed=True),
    ]


def test_the_opening_payload_reads_as_opening_the_conversation() -> None:
    lines = transcript_lines([user("/greet"), INTRO, user("/start"), user("/etc/hosts")])
    assert [(line.text, line.pressed) for line in lines] == [
        ("(opende het gesprek)", False),
        (INTRO["text"], False),
        ("(opende het gesprek)", False),
        ("/etc/hosts", False),
    ]


def test_rasas_own_trigger_intent_event_is_not_shown_as_the_residents_line() -> None:
    lines = transcript_lines(
        [
            user("ik wil iemand spreken"),
            {"event": "bot", "text": "Anna (wijkteam): Tot ziens", "metadata": {"staff": "Anna"}},
            {"event": "user", "text": "EXTERNAL: EXTERNAL_handover_closed", "timestamp": 1_700_000_020.0},
            {"event": "bot", "text": "Je praat weer met de digitale assistent."},
        ]
    )
    assert [(line.sender, line.text) for line in lines] == [
        ("user", "ik wil iemand spreken"),
        ("staff", "Anna (wijkteam): Tot ziens"),
        ("bot", "Je praat weer met de digitale assistent."),
    ]
