"""Smoke test of the first README command: `make start` runs the stack, which answers over REST.

Starts the real processes on free ports with a throw-away data folder, talks to Rasa's REST channel
and HTTP API, runs the terminal chat against it, then presses Ctrl-C and expects a clean stop.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from stack import ROOT, Stack, port_open, read_env_file_value, running_stack

pytestmark = pytest.mark.slow


def test_start_prints_the_urls_and_the_spacy_pipeline(stack: Stack) -> None:
    output = stack.log.read_text()
    assert "spaCy pipeline in use:" in output
    for port in ("RASA_PORT", "ACTION_PORT", "BACKEND_PORT"):
        assert f"http://127.0.0.1:{stack.env[port]}" in output
    assert f"{stack.backend}/demo" in output


def test_first_reply_introduces_the_assistant_with_topic_buttons(stack: Stack) -> None:
    replies = stack.say("smoke-greeting", "hallo")
    first = replies[0]
    assert "digitale assistent van het wijkteam" in first["text"]
    assert "computer, geen mens" in first["text"]
    assert [button["title"] for button in first["buttons"]] == [
        "Geldzorgen",
        "Wonen",
        "Opvoeden en jeugd",
        "Iemand spreken",
    ]


def test_a_crisis_message_gets_the_number_first(stack: Stack) -> None:
    replies = stack.say("smoke-crisis", "ik wil niet meer leven")
    texts = [reply.get("text", "") for reply in replies]
    assert texts[-1].startswith("Bel 113 of 0800-0113")
    assert any(button["payload"] == "/request_human" for button in replies[-1]["buttons"])


def test_html_and_huge_messages_get_a_kind_answer(stack: Stack) -> None:
    assert stack.say("smoke-html", "<img src=x onerror=alert(1)>")
    replies = stack.say("smoke-huge", "ik heb een vraag over mijn huur " * 1700)
    assert replies and all("text" in reply for reply in replies)


def test_rasa_http_api_needs_the_token_and_stores_in_sqlite(stack: Stack) -> None:
    stack.say("smoke-api", "goedemorgen")
    url = f"{stack.rasa}/conversations/smoke-api/tracker"
    assert httpx.get(url, timeout=30).status_code == 401
    tracker = httpx.get(url, params={"token": stack.setting("RASA_AUTH_TOKEN")}, timeout=30).json()
    assert any(event.get("text") == "goedemorgen" for event in tracker["events"] if event["event"] == "user")
    assert Path(stack.env["RASA_TRACKER_DB"]).stat().st_size > 0


def test_backend_health(stack: Stack) -> None:
    response = httpx.get(f"http://127.0.0.1:{stack.env['BACKEND_PORT']}/health", timeout=10)
    assert response.json() == {"status": "ok"}


def test_terminal_chat_talks_to_the_running_assistant(stack: Stack) -> None:
    result = subprocess.run(
        [sys.executable, "scripts/chat.py", "--url", stack.rasa],
        cwd=ROOT,
        input="hoi\n1\n\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "digitale assistent" in result.stdout
    assert "[1] Geldzorgen" in result.stdout
    assert "Stappenplan: Je post weer openen" in result.stdout  # button 1 (Geldzorgen) was pressed


def test_a_topic_question_gets_a_content_answer_with_its_offers(stack: Stack) -> None:
    replies = stack.say("smoke-topic", "ik moet zorgtoeslag terugbetalen maar dat geld heb ik niet")
    answer = replies[-1]
    assert "Sorry, dat begrijp ik niet" not in answer["text"]
    assert any(button["payload"].startswith("/stappenplan_start") for button in answer.get("buttons", []))


def test_rent_arrears_get_a_question_which_topic_is_meant(stack: Stack) -> None:
    replies = stack.say("smoke-ambiguous", "ik heb een huurachterstand")
    assert replies[-1]["text"] == "Gaat je vraag over wonen en huur of over geld en schulden?"
    payloads = [button["payload"] for button in replies[-1]["buttons"]]
    assert payloads == ["/huisvesting_huurachterstand", "/schulden_betalingsregeling"]
    chosen = stack.say("smoke-ambiguous", payloads[1])[-1]
    assert chosen["text"] and "Gaat je vraag over" not in chosen["text"]


def test_a_stappenplan_is_walked_step_by_step_and_resumed(stack: Stack) -> None:
    sender = "smoke-plan"
    stack.say(sender, "ik woon in Voorbeeldstad")  # a plan with local values asks it first
    replies = stack.say(sender, '/stappenplan_start{"plan_id": "sch_post_openen"}')
    assert replies[-1]["text"].startswith("Stap 1 van 7")
    assert [b["title"] for b in replies[-1]["buttons"]] == [
        "Volgende stap",
        "Vorige stap",
        "Stoppen",
        "Iemand spreken",
    ]
    assert stack.say(sender, "volgende stap")[-1]["text"].startswith("Stap 2 van 7")
    assert "gestopt bij stap 2" in stack.say(sender, "/stappenplan_stoppen")[-1]["text"]
    stack.say(sender, "hallo")
    assert stack.say(sender, "waar was ik?")[-1]["text"].startswith("Stap 2 van 7")
    assert stack.say(sender, "/stappenplan_vorige")[-1]["text"].startswith("Stap 1 van 7")
    for step in range(2, 8):
        assert stack.say(sender, "/stappenplan_volgende")[-1]["text"].startswith(f"Stap {step} van 7")
    last = stack.say(sender, "/stappenplan_volgende")[-1]
    assert "klaar met dit stappenplan" in last["text"]
    assert "Heeft dit geholpen?" in last["text"]  # feedback on the plan (issue 23)
    payloads = [b["payload"] for b in last["buttons"]]
    feedback = '{"answer_id": "plan:sch_post_openen"}'
    assert payloads == [
        f"/feedback_yes{feedback}",
        f"/feedback_no{feedback}",
        "/request_callback",
        "/book_spreekuur",
    ]


def test_a_resident_books_the_spreekuur_in_conversation(stack: Stack) -> None:
    """End to end: a slot button, a first name, a phone number, "ja"; the booking is in the backend."""
    sender = "smoke-booking"
    stack.say(sender, "ik woon in Voorbeeldstad")  # the spreekuren are per municipality (issue 23)
    offer = stack.say(sender, "ik wil een afspraak maken")[-1]
    assert offer["text"].startswith("Dit zijn de eerste vrije tijden")
    assert stack.say(sender, offer["buttons"][0]["payload"])[-1]["text"].startswith("Wat is je voornaam?")
    assert "telefoonnummer" in stack.say(sender, "Bram")[-1]["text"]
    summary = stack.say(sender, "06 1234 5678")[-1]
    assert summary["text"].startswith("Klopt dit?") and "06-12345678" in summary["text"]
    # The REST channel sends each paragraph as its own message.
    confirmation = "\n".join(reply.get("text", "") for reply in stack.say(sender, "ja"))
    code = re.search(r"VD-[A-Z0-9]{4}-[A-Z0-9]{4}", confirmation)  # the long form (issue 20)
    assert code, confirmation
    assert "Neem mee:" in confirmation and "Voorbeeldstad" in confirmation
    token = read_env_file_value("BACKEND_SERVICE_TOKEN")
    headers = {"Authorization": f"Bearer {token}"}
    lookup = {"code": code[0], "verification": "5678", "client": "smoke-check"}  # second factor: phone digits
    opened = httpx.post(f"{stack.backend}/api/bookings/lookup", json=lookup, headers=headers, timeout=10)
    assert opened.status_code == 200, opened.text
    booking = opened.json()["booking"]
    assert booking["status"] == "bevestigd"
    assert (booking["first_name"], booking["phone"]) == ("Bram", "+31612345678")


def test_the_job_worker_runs_with_the_stack_on_its_sqlite_queue(stack: Stack) -> None:
    """`make start` runs the job queue's worker (issue 24) on the embedded default: a SQLite queue file in
    the data folder, the dispatch every minute switched on."""
    deadline = time.monotonic() + 60
    log = stack.log_dir / "worker.log"
    while time.monotonic() < deadline and "consumer started" not in (log.read_text() if log.exists() else ""):
        time.sleep(0.5)
    text = log.read_text()
    assert "consumer started" in text.lower() and "periodic tasks are enabled" in text.lower(), text[-2000:]
    assert (Path(stack.env["DATA_DIR"]) / "jobs.db").exists()


def test_ctrl_c_stops_every_process(stack: Stack) -> None:
    os.killpg(stack.process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    # make re-raises SIGINT after its recipe ends, as it does in a terminal; the script itself exits 0.
    assert stack.process.wait(timeout=90) in (0, -signal.SIGINT)
    assert "[voordeur] stopped" in stack.plain_log()
    time.sleep(1)
    for port in stack.ports():
        assert not port_open(port), f"port {port} still open after Ctrl-C"


def test_a_backend_stopped_on_purpose_stops_the_stack_cleanly(tmp_path: Path) -> None:
    """Bash can drop its Ctrl-C trap when a child handled the same SIGINT first; start.sh then still sees
    that the backend was asked to stop (not a crash) and stops the rest with exit status 0."""
    with running_stack(tmp_path) as own:
        os.kill(own.process_listening_on(int(own.env["BACKEND_PORT"])), signal.SIGINT)
        assert own.process.wait(timeout=90) == 0
        log = own.plain_log()
        assert "backend was asked to stop" in log and "[voordeur] stopped" in log
        assert "stopped unexpectedly" not in log
        time.sleep(1)
        for port in own.ports():
            assert not port_open(port), f"port {port} still open after the stop"
