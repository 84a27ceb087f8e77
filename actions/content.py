"""The municipality-editable content (content/*.yml): loading, checking and rendering.

See docs/content.md for the format. The store is re-read when a file changes, so editors see their
change at the next message without restarting or retraining.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ADDRESS_FORMS = ("je", "u")
OFFER_BUTTONS = {
    "callback": ("Terugbelverzoek", "/request_callback"),
    "spreekuur": ("Spreekuur", "/book_spreekuur"),
    "person": ("Iemand spreken", "/request_human"),
}
PLAN_OFFER_PREFIX = "plan:"
# Words that betray the other form of address (checked by tests/rasa/test_content.py).
FORBIDDEN_WORDS = {
    "je": re.compile(r"\b(?:u|uw|uzelf)\b", re.IGNORECASE),
    "u": re.compile(r"\b(?:je|jij|jouw|jou|jezelf|jullie zelf)\b", re.IGNORECASE),
}


def plan_start_payload(plan_id: str) -> str:
    """The button payload that starts a stappenplan (intent with the plan as entity)."""
    return "/stappenplan_start" + json.dumps({"plan_id": plan_id})


class ContentError(ValueError):
    """The content files are inconsistent; the message says where."""


@dataclass(frozen=True)
class Answer:
    intent: str
    question: str
    texts: dict[str, str]
    offers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    id: str
    topic: str
    title: dict[str, str]
    intro: dict[str, str]
    steps: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class Ambiguity:
    """A question that belongs to two topics: the answer to give per topic."""

    when: str
    choices: dict[str, str]


@dataclass(frozen=True)
class DatedFact:
    key: str
    value: str
    valid_until: dt.date
    source: str


@dataclass
class ContentStore:
    answers: dict[str, Answer] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    local_values: dict[str, str] = field(default_factory=dict)
    local_valid_until: dt.date | None = None
    facts: dict[str, DatedFact] = field(default_factory=dict)
    ambiguities: dict[str, Ambiguity] = field(default_factory=dict)

    @property
    def placeholders(self) -> dict[str, str]:
        return {**self.local_values, **{key: fact.value for key, fact in self.facts.items()}}

    def render(self, text: str) -> str:
        """Fill `{key}` placeholders; an unknown key raises ContentError."""
        try:
            return text.format_map(self.placeholders)
        except (KeyError, ValueError, IndexError) as error:
            raise ContentError(f"unknown or malformed placeholder in: {text[:60]!r} ({error})") from error

    def text(self, texts: dict[str, str], form: str) -> str:
        return self.render(texts[form])

    def buttons(self, offers: tuple[str, ...], form: str) -> list[dict[str, str]]:
        buttons = []
        for offer in offers:
            if offer.startswith(PLAN_OFFER_PREFIX):
                plan = self.plans[offer.removeprefix(PLAN_OFFER_PREFIX)]
                title = f"Stappenplan: {self.text(plan.title, form)}"
                buttons.append({"title": title, "payload": plan_start_payload(plan.id)})
            else:
                title, payload = OFFER_BUTTONS[offer]
                buttons.append({"title": title, "payload": payload})
        return buttons

    def expired(self, today: dt.date) -> list[str]:
        """Names of dated facts (and the local file) whose `valid_until` has passed."""
        stale = [
            f"facts.yml: {key} (geldig tot {fact.valid_until})"
            for key, fact in self.facts.items()
            if fact.valid_until < today
        ]
        if self.local_valid_until and self.local_valid_until < today:
            stale.append(f"local.yml (geldig tot {self.local_valid_until})")
        return stale

    def problems(self) -> list[str]:
        """Everything that makes the content inconsistent, as readable lines."""
        found = []
        for answer in self.answers.values():
            for offer in answer.offers:
                plan_id = offer.removeprefix(PLAN_OFFER_PREFIX)
                if offer.startswith(PLAN_OFFER_PREFIX) and plan_id not in self.plans:
                    found.append(f"answer {answer.intent}: offers unknown plan {plan_id!r}")
                elif not offer.startswith(PLAN_OFFER_PREFIX) and offer not in OFFER_BUTTONS:
                    found.append(f"answer {answer.intent}: unknown offer {offer!r}")
        found += self._ambiguity_problems()
        for name, texts in self._all_texts():
            for form in ADDRESS_FORMS:
                if not (texts.get(form) or "").strip():
                    found.append(f"{name}: no {form!r} text")
                    continue
                for _, key, _, _ in string.Formatter().parse(texts[form]):
                    if key is not None and key not in self.placeholders:
                        found.append(f"{name}: unknown placeholder {{{key}}}")
        return found

    def _ambiguity_problems(self) -> list[str]:
        return [
            f"ambiguous.yml: {ambiguity.when} -> unknown answer {intent!r}"
            for ambiguity in self.ambiguities.values()
            for intent in [ambiguity.when, *ambiguity.choices.values()]
            if intent not in self.answers
        ]

    def _all_texts(self) -> list[tuple[str, dict[str, str]]]:
        texts = [(f"answer {a.intent}", a.texts) for a in self.answers.values()]
        for plan in self.plans.values():
            texts += [(f"plan {plan.id} title", plan.title), (f"plan {plan.id} intro", plan.intro)]
            texts += [(f"plan {plan.id} step {n}", step) for n, step in enumerate(plan.steps, start=1)]
        return texts


def _forms(raw: dict[str, Any]) -> dict[str, str]:
    return {form: str(raw.get(form) or "").strip() for form in ADDRESS_FORMS}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: not valid YAML ({error})") from error


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise ContentError(f"{where}: valid_until must be a date like 2026-12-31") from error


def load_store(root: Path) -> ContentStore:
    """Read every content file under `root` (see docs/content.md)."""
    store = ContentStore()
    local = _read_yaml(root / "local.yml")
    store.local_values = {str(k): str(v) for k, v in (local.get("values") or {}).items()}
    store.local_valid_until = _as_date(local.get("valid_until"), "local.yml")
    for key, raw in (_read_yaml(root / "facts.yml").get("facts") or {}).items():
        store.facts[key] = DatedFact(
            key,
            str(raw["value"]),
            _as_date(raw.get("valid_until"), f"facts.yml {key}"),
            str(raw.get("source", "")),
        )
    for path in sorted((root / "plans").glob("*.yml")):
        for raw in _read_yaml(path).get("plans") or []:
            plan = Plan(
                id=raw["id"],
                topic=raw.get("topic", path.stem),
                title=_forms(raw.get("title") or {}),
                intro=_forms(raw.get("intro") or {}),
                steps=tuple(_forms(step) for step in raw.get("steps") or []),
            )
            if plan.id in store.plans:
                raise ContentError(f"{path.name}: plan id {plan.id!r} is used twice")
            store.plans[plan.id] = plan
    ambiguous_file = root / "ambiguous.yml"
    for raw in (_read_yaml(ambiguous_file).get("ambiguous") or []) if ambiguous_file.exists() else []:
        store.ambiguities[raw["when"]] = Ambiguity(when=raw["when"], choices=dict(raw["choices"]))
    for path in sorted((root / "answers").glob("*.yml")):
        for raw in _read_yaml(path).get("answers") or []:
            answer = Answer(
                intent=raw["intent"],
                question=str(raw.get("question", "")),
                texts=_forms(raw),
                offers=tuple(raw.get("offers") or ()),
            )
            if answer.intent in store.answers:
                raise ContentError(f"{path.name}: intent {answer.intent!r} has two answers")
            store.answers[answer.intent] = answer
    return store


_cache: dict[Path, tuple[tuple[tuple[str, int], ...], ContentStore]] = {}


def content_store(root: Path) -> ContentStore:
    """The store for `root`, re-read when any content file was changed, added or removed."""
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in root.rglob("*.yml")))
    cached = _cache.get(root)
    if cached is None or cached[0] != stamp:
        _cache[root] = (stamp, load_store(root))
    return _cache[root][1]
