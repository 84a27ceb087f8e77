"""The review page's second half (issue 23): messages the bot did not understand, and the example queue.

The action server reports each typed message that ended in a fallback ("zeg het anders") or a
clarifying question ("bedoel je een van deze?"), masked (`record_missed`). An editor sees them grouped
by similarity, newest group first (`missed_groups`), and adds one as an example of an intent
(`add_example`): it leaves the list and joins the queue that `make review-export` writes as Rasa NLU
YAML (`export_yaml`) for the team to merge into data/nlu/. Nothing is trained automatically.

Similarity is deliberately simple and dependency-free: TF-IDF over the words (lower case, accents off,
words of 3 letters or more, the first 6 letters of each so "betalen" and "betaling" meet), cosine,
greedy grouping against each group's first message.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import MissedKind, MissedMessage, Municipality, ReviewedExample
from bot.backend.services import audit
from bot.backend.services.errors import NotFound, invalid
from bot.backend.services.municipalities import resolve
from bot.shared.privacy import mask_identifiers

TEXT_MAX = 500
#: Messages on the page: the newest not yet reviewed.
PAGE_MESSAGES = 200
#: Two messages belong together from this cosine similarity on.
SIMILAR = 0.3
#: Intents that are no content answer but that a message can be an example of, with the page's label.
ACTION_INTENTS: dict[str, str] = {
    "request_human": "Ik wil iemand van het wijkteam spreken",
    "request_callback": "Ik wil dat het wijkteam mij terugbelt",
    "book_spreekuur": "Ik wil een afspraak maken op het spreekuur",
    "cancel_booking": "Ik wil mijn afspraak afzeggen of verzetten",
    "out_of_scope": "Een vraag waar het wijkteam niet over gaat",
}
_WORD = re.compile(r"[a-z0-9]+")
CHANNEL = re.compile(r"^[a-z][a-z0-9_\-]{0,29}$")


def clean_text(text: str) -> str | None:
    """A resident's message as kept: one line, identifiers masked, at most TEXT_MAX characters."""
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    if not flat or flat.startswith("/"):
        return None
    masked = mask_identifiers(flat, phone=True)
    return masked[:TEXT_MAX]


def record_missed(
    *,
    session: Session,
    text: str,
    kind: MissedKind,
    channel: str,
    municipality: str | None = None,
    guesses: list[str] | None = None,
) -> MissedMessage | None:
    """Keep a missed message (None for an empty text or a button's payload)."""
    if not CHANNEL.match(channel):
        raise invalid("channel", "Dit kanaal klopt niet, bijvoorbeeld website of telegram.")
    place = resolve(session=session, slug=municipality)  # an unknown one is refused
    kept = clean_text(text)
    if kept is None:
        return None
    row = MissedMessage(
        text=kept,
        kind=kind,
        channel=channel,
        municipality_id=place.id,
        guesses=[guess[:100] for guess in (guesses or [])[:5]],
    )
    session.add(row)
    session.flush()
    return row


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return [word[:6] for word in _WORD.findall(plain) if len(word) >= 3]


def _vectors(texts: list[str]) -> list[dict[str, float]]:
    counts = [Counter(_words(text)) for text in texts]
    documents = Counter(word for count in counts for word in count)
    total = len(texts)
    vectors = []
    for count in counts:
        vector = {word: n * (math.log((1 + total) / (1 + documents[word])) + 1) for word, n in count.items()}
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors.append({word: value / norm for word, value in vector.items()})
    return vectors


def cosine(first: dict[str, float], second: dict[str, float]) -> float:
    if len(second) < len(first):
        first, second = second, first
    return sum(value * second.get(word, 0.0) for word, value in first.items())


@dataclass(frozen=True)
class Missed:
    id: int
    text: str
    kind: MissedKind
    municipality: str
    channel: str
    guesses: list[str]
    at: datetime


@dataclass
class MissedGroup:
    messages: list[Missed] = field(default_factory=list)

    @property
    def newest(self) -> datetime:
        return self.messages[0].at


def group_similar(messages: list[Missed], threshold: float = SIMILAR) -> list[MissedGroup]:
    """Greedy grouping, newest first: a message joins the first group whose first message is similar."""
    vectors = _vectors([message.text for message in messages])
    groups: list[tuple[dict[str, float], MissedGroup]] = []
    for message, vector in zip(messages, vectors, strict=True):
        for leader, group in groups:
            if vector and cosine(leader, vector) >= threshold:
                group.messages.append(message)
                break
        else:
            groups.append((vector, MissedGroup([message])))
    return [group for _, group in groups]


def missed_groups(*, session: Session, scope: frozenset[int]) -> list[MissedGroup]:
    """The newest messages not yet reviewed within the municipalities of `scope`, grouped by similarity."""
    rows = session.execute(
        select(MissedMessage, Municipality.name)
        .join(Municipality, Municipality.id == MissedMessage.municipality_id)
        .where(MissedMessage.municipality_id.in_(sorted(scope)), MissedMessage.reviewed.is_(False))
        .order_by(MissedMessage.created_at.desc(), MissedMessage.id.desc())
        .limit(PAGE_MESSAGES)
    ).tuples()
    messages = [
        Missed(row.id, row.text, row.kind, name, row.channel, list(row.guesses or []), row.created_at)
        for row, name in rows
    ]
    return group_similar(messages)


@cache
def _answer_questions(answers_dir: Path, stamp: tuple[tuple[str, int], ...]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for path in sorted(answers_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for answer in data.get("answers") or []:
            if isinstance(answer, dict) and answer.get("intent"):
                found.append((str(answer["intent"]), str(answer.get("question") or answer["intent"])))
    return tuple(found)


def intent_choices(content_dir: Path) -> dict[str, str]:
    """The intents an example can be added to, with the question the page shows: every content answer
    (content/answers/*.yml) and the action intents; re-read when an answer file changes."""
    answers_dir = content_dir / "answers"
    stamp = tuple(sorted((str(path), path.stat().st_mtime_ns) for path in answers_dir.glob("*.yml")))
    return {**dict(_answer_questions(answers_dir, stamp)), **ACTION_INTENTS}


def add_example(
    *,
    session: Session,
    message_id: int,
    intent: str,
    scope: frozenset[int],
    choices: dict[str, str],
    actor: str,
) -> ReviewedExample:
    """Queue a missed message (within `scope`, else NotFound) as an example of `intent` (one of `choices`)."""
    message = session.get(MissedMessage, message_id)
    if message is None or message.municipality_id not in scope:
        raise NotFound("message_not_found", "Dit bericht bestaat niet.")
    if intent not in choices:
        raise invalid("intent", "Kies een vraag uit de lijst.")
    if message.reviewed:
        raise invalid("message", "Dit bericht is al toegevoegd als voorbeeld.")
    message.reviewed = True
    example = ReviewedExample(text=message.text, intent=intent, municipality_id=message.municipality_id,
                              missed_message_id=message.id, added_by=actor[:100])  # fmt: skip
    session.add(example)
    session.flush()
    audit.record(session=session, actor=actor, action="review.example", entity="missed_message",
                 entity_id=message.id, intent=intent, example_id=example.id)  # fmt: skip
    return example


def queued_examples(*, session: Session) -> list[ReviewedExample]:
    return list(session.scalars(select(ReviewedExample).order_by(ReviewedExample.intent, ReviewedExample.id)))


def export_yaml(examples: list[ReviewedExample]) -> str:
    """The queue as Rasa NLU YAML (version 3.1), one block per intent, each text once."""
    lines = [
        'version: "3.1"',
        "# Reviewed examples from the staff review page (make review-export), written by the backend.",
        "# Check them and merge them into the topic files in data/nlu/; the next training then learns them.",
        "nlu:",
    ]
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        text = " ".join(example.text.split())
        if text and text not in by_intent.setdefault(example.intent, []):
            by_intent[example.intent].append(text)
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in by_intent[intent]]
    return "\n".join(lines) + "\n"


def export_queue(*, session: Session, path: Path, actor: str = "cli") -> int:
    """Write the queue to `path` (made with its folder); returns the number of examples."""
    examples = queued_examples(session=session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(export_yaml(examples), encoding="utf-8")
    audit.record(session=session, actor=actor, action="review.export", entity="reviewed_example",
                 count=len(examples))  # fmt: skip
    return len(examples)


@cache
def _plan_titles(plans_dir: Path, stamp: tuple[tuple[str, int], ...]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for path in sorted(plans_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for plan in data.get("plans") or []:
            if isinstance(plan, dict) and plan.get("id"):
                title = plan.get("title")
                text = title.get("je") if isinstance(title, dict) else title
                found.append((f"plan:{plan['id']}", f"Stappenplan: {text or plan['id']}"))
    return tuple(found)


def answer_titles(content_dir: Path) -> dict[str, str]:
    """How the page names an answer id: the answer's question, or the stappenplan's title."""
    plans_dir = content_dir / "plans"
    stamp = tuple(sorted((str(path), path.stat().st_mtime_ns) for path in plans_dir.glob("*.yml")))
    return {**intent_choices(content_dir), **dict(_plan_titles(plans_dir, stamp))}
