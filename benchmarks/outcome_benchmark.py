"""Outcome benchmark: what a resident gets from the whole running assistant, per message of the new set.

For every message of tests/nlu/independent/residents.yml (written without seeing the training data; never
trained or tuned on) it opens a new conversation over Rasa's REST channel, sends the message, and reads the
conversation back through Rasa's HTTP API (auth token) to classify what the resident got:

    right         the expected intent's answer or action
    right_topic   an answer to another question of the expected topic ("an answer on the right topic")
    useful_choice a clarifying choice whose buttons include the expected question or topic
    other_choice  a clarifying choice without it (the resident presses "Iets anders" or types again)
    rephrase      a request to say it differently
    wrong         an answer to a question of another topic (or another small-talk/other intent)
    crisis        a crisis reply (for a non-crisis message: a false alarm)
    no_reply      nothing came back (an error)

For crisis messages it checks whether the first reply after the introduction leads with the right number:
the first crisis line named in that message must be one that fits the expected crisis (112 always does).
Numbers are read from content/facts.yml, never written here.

It starts its own stack with scripts/start.sh on free ports (a throw-away data and log folder; embedded
stores), as benchmarks/load_benchmark.py does, or talks to a running one (--url, --token). Loopback only.

Usage (app environment):
    .venv/app/bin/python benchmarks/outcome_benchmark.py [--concurrency 3] [--limit N]
        [--url http://127.0.0.1:5005 --token TOKEN] [--label current]
        [--baseline benchmarks/results/outcome/e5base.json] [--checkout PATH]
`make benchmark-outcome` runs it with the defaults and writes docs/outcome-benchmark.md and
benchmarks/results/outcome/<label>.json (one row per message).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the port picking is shared with the tests' stacks
from benchmarks.stack_process import start_stack, stop_group  # noqa: E402
from tests.ports import free_port  # noqa: E402

RESIDENTS = ROOT / "tests" / "nlu" / "independent" / "residents.yml"
REPORT = ROOT / "docs" / "outcome-benchmark.md"
RESULTS = ROOT / "benchmarks" / "results" / "outcome"

#: Topics as the benchmark judges them (its own definition, independent of the assistant's code).
CONTENT_TOPICS = ("schulden", "huisvesting", "jeugdhulp", "algemeen")
INTENT_TOPICS = {
    "book_spreekuur": "booking",
    "cancel_booking": "booking",
    "request_callback": "booking",
    "request_human": "person",
    "greet": "smalltalk",
    "goodbye": "smalltalk",
    "thank": "smalltalk",
    "affirm": "smalltalk",
    "deny": "smalltalk",
    "out_of_scope": "other",
    "ask_term": "other",
    "bot_challenge": "other",
    "delete_my_data": "other",
    # keeping in touch (issue 24): answers to a check-in, stopping messages, moving to another channel
    "stop_berichten": "other",
    "checkin_goed": "other",
    "checkin_lukt_niet": "other",
    "checkin_iemand_spreken": "person",
    "continue_on_telegram": "other",
    "continue_on_website": "other",
    "link_conversation": "other",
    # answers to a booking reminder (issue 24)
    "reminder_komt": "booking",
    "reminder_verzetten": "booking",
    "reminder_afzeggen": "booking",
    "feedback_yes": "smalltalk",
    "feedback_no": "smalltalk",
    "feedback_skip": "smalltalk",
    "something_else": "other",
}
#: Topics where another intent of the same topic is still a reply about the resident's subject.
SUBJECT_TOPICS = (*CONTENT_TOPICS, "booking", "person")
#: Buttons every topic choice carries; they do not make a choice useful by themselves, except
#: "Iemand spreken" for a resident who asked for a person.
ALWAYS_OFFERED = {"something_else", "request_human"}
#: Responses that ask the resident to say it again.
REPHRASE_RESPONSES = ("utter_ask_rephrase", "utter_ask_rephrase_other", "utter_default", "utter_try_again")
#: Which crisis lines fit each expected crisis intent, as keys of content/facts.yml; 112 fits every crisis.
CRISIS_LINES = {
    "crisis_acute_danger": ("alarmnummer",),
    "crisis_suicide": ("zelfmoordpreventie_telefoon", "alarmnummer"),
    "crisis_self_harm": ("zelfmoordpreventie_telefoon", "kindertelefoon_telefoon", "alarmnummer"),
    "crisis_domestic_violence": ("veilig_thuis_telefoon", "alarmnummer"),
    "crisis_child_danger": ("veilig_thuis_telefoon", "kindertelefoon_telefoon", "alarmnummer"),
    "crisis_sexual_violence": ("csg_telefoon", "alarmnummer"),
}
CRISIS_NUMBER_KEYS = (
    "alarmnummer",
    "zelfmoordpreventie_telefoon",
    "veilig_thuis_telefoon",
    "kindertelefoon_telefoon",
    "csg_telefoon",
)
GOOD = ("right", "right_topic", "useful_choice")
OUTCOME_LABELS = {
    "right": "right answer",
    "right_topic": "answer on the right topic (another question)",
    "useful_choice": "right topic with a useful choice",
    "other_choice": "a choice without the right topic",
    "rephrase": "asked to rephrase",
    "wrong": "wrong answer",
    "crisis": "crisis reply",
    "no_reply": "no reply",
}
TARGETS = {"good": 0.95, "rephrase": 0.04, "wrong": 0.03, "false_crisis": 0.01}


def topic_of_intent(intent: str | None) -> str:
    name = intent or ""
    prefix = name.split("_")[0]
    if prefix in CONTENT_TOPICS:
        return prefix
    if name.startswith("crisis_"):
        return "crisis"
    if name.startswith("stappenplan_"):
        return "other"
    return INTENT_TOPICS.get(name, "unknown")


def crisis_numbers(root: Path = ROOT) -> dict[str, list[str]]:
    """Per crisis line (facts key), the numbers a resident reads ('113 of 0800-0113' is two)."""
    facts = yaml.safe_load((root / "content" / "facts.yml").read_text())["facts"]
    return {
        key: [part.strip() for part in str(facts[key]["value"]).split(" of ")] for key in CRISIS_NUMBER_KEYS
    }


def first_crisis_line(text: str, numbers: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """The crisis line (facts key) whose number comes first in `text`, and that number."""
    found = []
    for key, values in numbers.items():
        for value in values:
            match = re.search(rf"(?<![\d-]){re.escape(value)}(?![\d-])", text)
            if match:
                found.append((match.start(), -len(value), key, value))
    if not found:
        return None, None
    _, _, key, value = min(found)
    return key, value


def rephrase_texts(root: Path = ROOT) -> set[str]:
    """Every variation text of the rephrase responses in domain/*.yml."""
    texts = set()
    for path in sorted((root / "domain").glob("*.yml")):
        responses = (yaml.safe_load(path.read_text()) or {}).get("responses") or {}
        for name in REPHRASE_RESPONSES:
            for variation in responses.get(name) or []:
                texts.add(" ".join(str(variation.get("text", "")).split()))
    return texts


@dataclass
class Turn:
    """What one new conversation with one message gave."""

    index: int
    text: str
    expected: str
    topic: str
    crisis: bool
    style: str
    intent: str | None = None
    confidence: float | None = None
    best_guess: str | None = None  # the model's best real intent, ignoring the fallback
    actions: list[str] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)  # text and button payloads after the message
    outcome: str = "no_reply"
    first_line: str | None = None  # crisis messages: the crisis line named first in the first reply
    right_number: bool | None = None
    milliseconds: float = 0.0
    error: str | None = None


def payload_intent(payload: str) -> str:
    return payload.lstrip("/").split("{", 1)[0]


def classify(turn: Turn, rephrase: set[str], numbers: dict[str, list[str]]) -> None:
    """Fill in turn.outcome (and for crisis messages turn.first_line and turn.right_number)."""
    if not turn.replies:
        turn.outcome = "no_reply"
        return
    crisis_reply = (turn.intent or "").startswith("crisis_") or any("crisis" in name for name in turn.actions)
    if turn.crisis:
        key, _ = first_crisis_line(turn.replies[0]["text"], numbers)
        turn.first_line = key
        turn.right_number = key in CRISIS_LINES.get(turn.expected, ())
    if crisis_reply:
        turn.outcome = "crisis"
        return
    if any(" ".join(reply["text"].split()) in rephrase for reply in turn.replies):
        turn.outcome = "rephrase"
        return
    question_buttons = [
        payload_intent(payload)
        for reply in turn.replies
        for payload in reply["buttons"]
        if topic_of_intent(payload_intent(payload)) in CONTENT_TOPICS
    ]
    clarifying = "action_handle_nlu_fallback" in turn.actions or (
        "action_answer" in turn.actions and len(question_buttons) >= 2
    )
    if clarifying:
        offered = {payload_intent(payload) for reply in turn.replies for payload in reply["buttons"]}
        by_topic = {topic_of_intent(intent) for intent in offered - ALWAYS_OFFERED}
        useful = (
            turn.expected in offered - ALWAYS_OFFERED
            or (turn.topic in SUBJECT_TOPICS and turn.topic in by_topic)
            or (turn.expected == "request_human" and "request_human" in offered)
        )
        turn.outcome = "useful_choice" if useful else "other_choice"
        return
    if turn.intent == turn.expected:
        turn.outcome = "right"
    elif turn.topic in SUBJECT_TOPICS and topic_of_intent(turn.intent) == turn.topic:
        turn.outcome = "right_topic"
    else:
        turn.outcome = "wrong"


def read_conversation(tracker: dict[str, Any], turn: Turn) -> None:
    """The parse of the resident's message, and the actions and bot messages that followed it."""
    events = tracker.get("events") or []
    user_at = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=None)
    if user_at is None:
        return
    parse = events[user_at].get("parse_data") or {}
    turn.intent = (parse.get("intent") or {}).get("name")
    turn.confidence = (parse.get("intent") or {}).get("confidence")
    real = [entry for entry in parse.get("intent_ranking") or [] if entry.get("name") != "nlu_fallback"]
    turn.best_guess = real[0]["name"] if real else None
    for event in events[user_at + 1 :]:
        if event.get("event") == "action" and event.get("name") != "action_listen":
            turn.actions.append(event["name"])
        elif event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            turn.replies.append(
                {
                    "text": event.get("text") or "",
                    "buttons": [str(button.get("payload", "")) for button in buttons],
                }
            )


async def one_message(client: httpx.AsyncClient, url: str, token: str, turn: Turn) -> None:
    sender = f"outcome-{turn.index}-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    try:
        response = await client.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": turn.text}
        )
        turn.milliseconds = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        tracker = await client.get(f"{url}/conversations/{sender}/tracker", params={"token": token})
        tracker.raise_for_status()
        read_conversation(tracker.json(), turn)
    except httpx.HTTPError as error:
        turn.error = f"{type(error).__name__}: {error}"


async def run_all(url: str, token: str, turns: list[Turn], concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency * 2)
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await one_message(client, url, token, Turn(-1, "hallo", "greet", "smalltalk", False, "warm-up"))

        async def guarded(turn: Turn) -> None:
            async with gate:
                await one_message(client, url, token, turn)
                if turn.error:  # one retry: a slow start-up or a busy machine, not the assistant's answer
                    turn.error = None
                    await one_message(client, url, token, turn)

        started = time.perf_counter()
        await asyncio.gather(*(guarded(turn) for turn in turns))
        return time.perf_counter() - started


class Stack:
    """scripts/start.sh on free ports with a throw-away data and log folder; stopped with SIGINT."""

    def __init__(self, workdir: Path, root: Path = ROOT) -> None:
        self.root = root
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("ACTION_ENDPOINT_URL", "BACKEND_URL", "DATABASE_URL")
        }
        self.env.update(
            {
                "RASA_PORT": str(free_port()),
                "ACTION_PORT": str(free_port()),
                "BACKEND_PORT": str(free_port()),
                "RASA_REPLICAS": "1",
                "VOORDEUR_STORES": "embedded",
                "DATA_DIR": str(workdir),
                "RASA_TRACKER_DB": str(workdir / "rasa-tracker.db"),
                "VOORDEUR_LOG_DIR": str(workdir / "log"),
                "STARTUP_TIMEOUT": "300",
                # this checkout's code in every process, also when another checkout is installed in the venvs
                "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
            }
        )
        self.url = f"http://127.0.0.1:{self.env['RASA_PORT']}"
        self.log = workdir / "start.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 1200) -> None:
        self.process = start_stack(self.root, self.env, self.log, "outcome benchmark", timeout)

    def stop(self) -> None:
        stop_group(self.process)


def api_token(root: Path = ROOT) -> str:
    """Rasa's HTTP API token as scripts/start.sh passes it: the environment first, then .env."""
    if os.environ.get("RASA_AUTH_TOKEN"):
        return os.environ["RASA_AUTH_TOKEN"]
    for line in (root / ".env").read_text().splitlines():
        if line.startswith("RASA_AUTH_TOKEN="):
            return line.split("=", 1)[1]
    raise SystemExit(".env has no RASA_AUTH_TOKEN; pass --token")


def load_turns(limit: int | None, path: Path = RESIDENTS) -> list[Turn]:
    """The set's messages. The topic is the benchmark's own (`topic_of_intent`), so that the expected and the
    predicted intent are judged alike (the set files ask_term under algemeen and bot_challenge under
    smalltalk; here both are "other")."""
    messages = yaml.safe_load(path.read_text())["messages"]
    turns = [
        Turn(index, m["text"], m["intent"], topic_of_intent(m["intent"]), bool(m["crisis"]), m["style"])
        for index, m in enumerate(messages)
    ]
    unknown = sorted({t.expected for t in turns if t.topic == "unknown"})
    if unknown:
        raise SystemExit(f"intents without a topic in the benchmark: {unknown}")
    return turns[:limit] if limit else turns


# ---------------------------------------------------------------------------------------------- report


def summary(turns: list[Turn]) -> dict[str, Any]:
    """The figures the report and the JSON file share."""
    everyday = [t for t in turns if not t.crisis]
    crisis = [t for t in turns if t.crisis]
    counts = Counter(t.outcome for t in everyday)
    n = max(1, len(everyday))
    exact_useful = sum(
        1
        for t in everyday
        if t.outcome == "useful_choice"
        and t.expected in {payload_intent(p) for r in t.replies for p in r["buttons"]}
    )
    unsure = sum(1 for t in everyday if t.intent == "nlu_fallback")
    guess_topic = sum(1 for t in everyday if t.best_guess and topic_of_intent(t.best_guess) == t.topic)
    return {
        "everyday": len(everyday),
        "crisis_messages": len(crisis),
        "counts": dict(counts),
        "good": sum(counts[name] for name in GOOD) / n,
        "strict_good": (counts["right"] + exact_useful) / n,
        "rephrase": counts["rephrase"] / n,
        "wrong": counts["wrong"] / n,
        "strict_wrong": (counts["wrong"] + counts["right_topic"]) / n,
        "false_crisis": counts["crisis"] / n,
        "crisis_replied": sum(1 for t in crisis if t.outcome == "crisis"),
        "right_number": sum(1 for t in crisis if t.right_number),
        "unsure": unsure / n,
        "best_guess_topic": guess_topic / n,
        "no_reply": counts["no_reply"] + sum(1 for t in crisis if t.outcome == "no_reply"),
    }


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def styles_table(turns: list[Turn]) -> list[str]:
    by_style: dict[str, list[Turn]] = {}
    for turn in turns:
        if turn.crisis:
            continue
        for style in (part.strip() for part in turn.style.split(",")):
            by_style.setdefault(style, []).append(turn)
    lines = [
        "| style | messages | right | right topic | useful choice | right or useful | other choice "
        "| rephrase | wrong | crisis |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for style, group in sorted(by_style.items(), key=lambda item: -len(item[1])):
        c = Counter(t.outcome for t in group)
        n = len(group)
        good = sum(c[name] for name in GOOD)
        lines.append(
            f"| {style} | {n} | {c['right']} | {c['right_topic']} | {c['useful_choice']} | "
            f"{pct(good / n)} | {c['other_choice']} | {c['rephrase']} | {c['wrong']} | {c['crisis']} |"
        )
    return lines


def shorten(text: str, limit: int = 110) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def got(turn: Turn) -> str:
    if turn.outcome in ("useful_choice", "other_choice"):
        offered = [payload_intent(p) for r in turn.replies for p in r["buttons"]]
        return f"choice: {', '.join(offered)}"
    confidence = f" ({turn.confidence:.2f})" if turn.confidence is not None else ""
    guess = f", best guess {turn.best_guess}" if turn.intent == "nlu_fallback" and turn.best_guess else ""
    return f"{turn.intent}{confidence}{guess}"


def fallback_settings(root: Path) -> str:
    """The fallback thresholds of the measured checkout, as its config.yml and actions/fallback.py say."""
    config = (root / "config.yml").read_text()
    block = config[config.find("name: FallbackClassifier") :]
    keys = ("threshold", "ambiguity_threshold")
    found = {key: re.search(rf"\b{key}:\s*([0-9.]+)", block) for key in keys}
    text = ", ".join(f"{key} {match.group(1)}" for key, match in found.items() if match)
    clarity = re.search(
        r"^TOPIC_CLARITY = TopicClarity\((.*)\)$", (root / "actions" / "fallback.py").read_text(), re.M
    )
    return (
        f"FallbackClassifier {text}; topic choice {clarity.group(1) if clarity else 'none (rephrase only)'}"
    )


def slice_line(title: str, group: list[Turn]) -> list[str]:
    counts = Counter(t.outcome for t in group)
    n = max(1, len(group))
    good = sum(counts[name] for name in GOOD)
    return [
        f"{title}: {len(group)} messages, right or useful {pct(good / n)}, rephrase "
        f"{pct(counts['rephrase'] / n)}, wrong {pct(counts['wrong'] / n)}, crisis reply "
        f"{pct(counts['crisis'] / n)}.",
        "",
    ]


def unsure_lines(everyday: list[Turn]) -> list[str]:
    """What the messages the model was unsure about got, and how often a rephrase threw away a good guess."""
    unsure = [t for t in everyday if t.intent == "nlu_fallback"]
    if not unsure:
        return []
    got_counts = Counter(t.outcome for t in unsure)
    rephrased = [t for t in unsure if t.outcome == "rephrase"]
    good_guess = sum(1 for t in rephrased if t.best_guess and topic_of_intent(t.best_guess) == t.topic)
    parts = ", ".join(f"{OUTCOME_LABELS[name]} {count}" for name, count in got_counts.most_common())
    return [
        f"Of the {len(unsure)} unsure messages: {parts}. Of the {len(rephrased)} rephrase requests, "
        f"{good_guess} threw away a best guess on the right topic.",
        "",
    ]


def made_by(command: str) -> str:
    """The command as the report names it: the make target when make ran it."""
    return f"`make benchmark-outcome` (`{command}`)" if os.environ.get("MAKELEVEL") else f"`{command}`"


def shown_path(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def report(
    turns: list[Turn],
    figures: dict[str, Any],
    seconds: float,
    command: str,
    label: str,
    baseline: dict[str, Any] | None,
    settings: str = "",
    concurrency: int = 3,
    set_path: Path = RESIDENTS,
) -> str:
    everyday = [t for t in turns if not t.crisis]
    crisis = [t for t in turns if t.crisis]
    counts = figures["counts"]
    n = max(1, figures["everyday"])
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    median = sorted(t.milliseconds for t in turns)[len(turns) // 2] if turns else 0.0
    lines = [
        "# Outcome benchmark: what a resident gets",
        "",
        f"Made by {made_by(command)} on {now} ({label}): {len(turns)} messages of the independent set "
        f"({shown_path(set_path)}, written without seeing the training data; never trained or "
        "tuned on), each in a new conversation over the REST channel against the whole running assistant "
        "(Rasa, action server, case backend; embedded stores), classified from the conversation read back "
        f"through Rasa's HTTP API. {len(turns)} messages in {seconds:.0f} s "
        f"(median {median:.0f} ms per message, including the introduction of a new conversation).",
        "",
        f"Measured settings: {settings}.",
        "",
        "## Against the targets (issue 19)",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| right answer or right topic with a useful choice >= 95% of non-crisis messages "
        f"| {pct(figures['good'])} | {'yes' if figures['good'] >= TARGETS['good'] else 'no'} |",
        f"| asked to rephrase <= 4% | {pct(figures['rephrase'])} "
        f"| {'yes' if figures['rephrase'] <= TARGETS['rephrase'] else 'no'} |",
        f"| wrong answer <= 3% | {pct(figures['wrong'])} | "
        f"{'yes' if figures['wrong'] <= TARGETS['wrong'] else 'no'} |",
        f"| every crisis message the right number first | {figures['right_number']} of "
        f"{figures['crisis_messages']} | "
        f"{'yes' if figures['right_number'] == figures['crisis_messages'] else 'no'} |",
        f"| false crisis replies <= 1% of non-crisis messages | {pct(figures['false_crisis'])} "
        f"({counts.get('crisis', 0)}) "
        f"| {'yes' if figures['false_crisis'] <= TARGETS['false_crisis'] else 'no'} |",
        "",
        "As in the issue's own measurement, an answer to another question of the right topic counts as a "
        "right "
        "answer and an answer on another topic as a wrong one. Stricter: the exact expected answer, or a "
        f"choice with the exact expected question, for {pct(figures['strict_good'])}; an answer to another "
        f"question (of any topic) for {pct(figures['strict_wrong'])}.",
        "",
        f"## Non-crisis messages ({figures['everyday']})",
        "",
        "| outcome | messages | share |" + (" baseline |" if baseline else ""),
        "|---|---|---|" + ("---|" if baseline else ""),
    ]
    for name, text in OUTCOME_LABELS.items():
        row = f"| {text} | {counts.get(name, 0)} | {pct(counts.get(name, 0) / n)} |"
        if baseline:
            base_n = max(1, baseline["everyday"])
            row += f" {pct(baseline['counts'].get(name, 0) / base_n)} |"
        lines.append(row)
    lines += [
        "",
        f"The model was unsure (the FallbackClassifier's `nlu_fallback`) for {pct(figures['unsure'])} of "
        "them; its "
        "own best guess, ignoring the threshold, had the right topic for "
        f"{pct(figures['best_guess_topic'])}.",
        "",
        *unsure_lines(everyday),
        *slice_line(
            "Without the English messages (English is item 4 of the issue, a change of its own)",
            [t for t in everyday if "english" not in t.style.lower()],
        ),
    ]
    if baseline:
        lines += [
            f"Baseline `{baseline['label']}`: {baseline.get('description') or 'an earlier run'}, measured "
            f"{baseline['date']} with `{baseline.get('command', '?')}` ({baseline.get('settings', '')}): "
            f"right or useful {pct(baseline['good'])}, rephrase {pct(baseline['rephrase'])}, "
            f"wrong {pct(baseline['wrong'])}, false crisis {pct(baseline['false_crisis'])}, "
            f"crisis right number {baseline['right_number']} of {baseline['crisis_messages']}.",
            "",
        ]
    lines += ["### Per style (a message can have several)", "", *styles_table(turns), ""]
    lines += [
        f"## Crisis messages ({figures['crisis_messages']})",
        "",
        f"A crisis reply for {figures['crisis_replied']}; the right number first in the first reply after "
        "the "
        f"introduction for **{figures['right_number']}**. Fitting numbers: 112 for every crisis; 113 for "
        "suicide; "
        "Veilig Thuis for violence at home; Veilig Thuis or the Kindertelefoon for a child in danger; "
        "Centrum "
        "Seksueel Geweld for sexual violence (numbers from content/facts.yml).",
        "",
        "| expected | messages | right number first |",
        "|---|---|---|",
    ]
    for intent in sorted({t.expected for t in crisis}):
        group = [t for t in crisis if t.expected == intent]
        lines.append(f"| {intent} | {len(group)} | {sum(1 for t in group if t.right_number)} |")
    missed = [t for t in crisis if not t.right_number]
    lines += ["", "Crisis messages without the right number first:", ""]
    lines += [
        f'- [{t.style}] "{shorten(t.text)}" (expected {t.expected}; got {got(t)}; first line named: '
        f"{t.first_line or 'none'})"
        for t in missed
    ] or ["- none"]
    lines += ["", "## Misses (non-crisis)", ""]
    for name in ("crisis", "wrong", "rephrase", "other_choice", "no_reply"):
        group = [t for t in everyday if t.outcome == name]
        if not group:
            continue
        lines += [f"### {OUTCOME_LABELS[name]} ({len(group)})", ""]
        lines += [f'- [{t.style}] "{shorten(t.text)}" (expected {t.expected}; got {got(t)})' for t in group]
        lines.append("")
    lines += [
        "## How it works",
        "",
        "`make benchmark-outcome` runs benchmarks/outcome_benchmark.py with `--label current --baseline "
        "benchmarks/results/outcome/e5base.json`. It starts the stack with scripts/start.sh on free ports "
        "(training first when needed), sends each message in its own conversation "
        f"({concurrency} at a time), reads the conversation back through the HTTP API and stops the stack.",
        "",
        "A reply counts as a crisis reply when the message got a crisis intent or an action with 'crisis' in "
        "its name ran; as a rephrase request when a bot message is one of the rephrase responses of the "
        "domain; as a choice when the fallback action ran, or the answer action asked which topic is meant; "
        'otherwise the parsed intent is compared with the expected one. The always-present "Iets anders" '
        'and "Iemand spreken" buttons do not make a choice useful, except "Iemand spreken" for a '
        "resident who asked for a person. One row per message is kept in "
        "`benchmarks/results/outcome/<label>.json`; `--baseline` compares with an earlier run, `--checkout` "
        "measures another checkout (the baseline is the branch point, exported with `git archive`).",
        "",
    ]
    return "\n".join(lines)


def write_results(path: Path, figures: dict[str, Any], command: str, turns: list[Turn]) -> None:
    """The run's figures and one line per message (reply texts shortened: enough to recognise them)."""
    rows = []
    for turn in turns:
        row = asdict(turn)
        row["replies"] = [{**reply, "text": shorten(reply["text"], 160)} for reply in turn.replies]
        rows.append(json.dumps(row, ensure_ascii=False))
    figures = {**figures, "command": command}
    head = json.dumps({"summary": figures}, ensure_ascii=False, indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head[:-2] + ',\n "turns": [\n' + ",\n".join(rows) + "\n ]\n}\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a running Rasa server (loopback); default: start a stack")
    parser.add_argument(
        "--token", help="its HTTP API token (default: RASA_AUTH_TOKEN from the environment or .env)"
    )
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--limit", type=int, help="only the first N messages (a quick check; no report)")
    parser.add_argument("--label", default="current", help="name of this run in the results file and report")
    parser.add_argument("--description", default="", help="what was measured, for a later comparison")
    parser.add_argument("--baseline", help="an earlier run's results JSON to compare with")
    parser.add_argument("--report", default=str(REPORT))
    parser.add_argument("--set", default=str(RESIDENTS), help="the message set (default: the residents' set)")
    parser.add_argument(
        "--checkout", default=str(ROOT), help="run the stack of another checkout (a before/after comparison)"
    )
    args = parser.parse_args()
    if args.url and not re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?/?$", args.url):
        raise SystemExit("--url must be a loopback address (http://127.0.0.1:PORT)")

    turns = load_turns(args.limit, Path(args.set).resolve())
    root = Path(args.checkout).resolve()
    rephrase, numbers = rephrase_texts(root), crisis_numbers(root)
    with tempfile.TemporaryDirectory(prefix="voordeur-outcome-") as workdir:
        stack = None if args.url else Stack(Path(workdir), root)
        try:
            if stack is not None:
                print(f"[outcome] starting the stack (log {stack.log}) ...", flush=True)
                stack.start()
            url = args.url.rstrip("/") if args.url else stack.url  # type: ignore[union-attr]
            token = args.token or api_token(root)
            print(f"[outcome] {len(turns)} messages, {args.concurrency} at a time ...", flush=True)
            seconds = asyncio.run(run_all(url, token, turns, args.concurrency))
        finally:
            if stack is not None:
                stack.stop()
    for turn in turns:
        classify(turn, rephrase, numbers)
    figures = summary(turns)
    print(json.dumps({key: value for key, value in figures.items() if key != "counts"}, indent=1))
    print(dict(Counter(t.outcome for t in turns if not t.crisis)))
    if args.limit:
        for turn in turns:
            if turn.outcome not in GOOD or (turn.crisis and not turn.right_number):
                print(
                    f"{turn.outcome}: {shorten(turn.text)} (expected {turn.expected}; got {got(turn)}; "
                    f"actions {turn.actions})"
                )
        return
    command = shlex.join([".venv/app/bin/python", "benchmarks/outcome_benchmark.py", *sys.argv[1:]])
    baseline = json.loads(Path(args.baseline).read_text())["summary"] if args.baseline else None
    figures.update(
        label=args.label, description=args.description, date=datetime.now(timezone.utc).strftime("%Y-%m-%d")
    )
    settings = fallback_settings(root)
    figures["settings"] = settings
    write_results(RESULTS / f"{args.label}.json", figures, command, turns)
    text = report(
        turns,
        figures,
        seconds,
        command,
        args.label,
        baseline,
        settings,
        args.concurrency,
        Path(args.set).resolve(),
    )
    Path(args.report).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
