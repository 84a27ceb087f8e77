"""The municipality-editable content (content/*.yml): loading, checking and rendering.

See docs/content.md for the format. The store is re-read when a file changes, so editors see their
change at the next message without restarting or retraining.

Several municipalities: content/local.yml holds the default municipality's local values, and each
further municipality may override any of them in content/local/<slug>.yml. Texts are rendered for the
resident's municipality (the slot `gemeente`); a value its file does not hold, or an unknown or missing
municipality, falls back to local.yml.

Dated facts are rendered for a day (default: today in the Netherlands): after a fact's `valid_until`
its placeholder shows the fact's `when_expired` phrase, never the old value. Facts that expired or
expire within 60 days are logged as warnings when the content is (re)loaded and on each new day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content_facts import (
    LOCAL_FILE,
    WARN_DAYS,
    ContentFileError,
    DatedFact,
    Expiring,
    LocalFacts,
    describe,
    freshness,
    local_today,
    municipal_name,
    parse_facts,
    parse_local,
    parse_municipal,
    read_yaml,
    review_dates,
)

logger = logging.getLogger(__name__)

ADDRESS_FORMS = ("je", "u")
OFFER_BUTTONS = {
    "callback": ("Terugbelverzoek", "/request_callback"),
    "spreekuur": ("Spreekuur", "/book_spreekuur"),
    "person": ("Iemand spreken", "/request_human"),
}
PLAN_OFFER_PREFIX = "plan:"
#: The check-in questions per topic (issue 24); a plan's own question is in its file.
CHECKINS_FILE = "checkins.yml"
CHECKIN_DEFAULT = "default"
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
    #: What the follow-up check-in asks some working days later ("Hoe gaat het nu met je post?").
    checkin_question: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ambiguity:
    """A question that belongs to two topics: the answer to give per topic."""

    when: str
    choices: dict[str, str]


@dataclass
class ContentStore:
    answers: dict[str, Answer] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    local_values: dict[str, str] = field(default_factory=dict)
    local_valid_until: dt.date | None = None
    facts: dict[str, DatedFact] = field(default_factory=dict)
    ambiguities: dict[str, Ambiguity] = field(default_factory=dict)
    #: Missing or malformed fields in facts.yml and local.yml (part of `problems()`).
    file_problems: list[str] = field(default_factory=list)
    #: The further municipalities' files (content/local/<slug>.yml) by slug: overrides of local_values.
    municipal: dict[str, LocalFacts] = field(default_factory=dict)
    #: The check-in question per topic, and `default` (content/checkins.yml).
    checkin_questions: dict[str, dict[str, str]] = field(default_factory=dict)

    def local_values_for(self, municipality: str | None) -> dict[str, str]:
        """The local values of `municipality`: its own file's values over local.yml's (the default)."""
        own = self.municipal.get(municipality or "")
        return {**self.local_values, **own.values} if own is not None else dict(self.local_values)

    def placeholders_on(self, today: dt.date, municipality: str | None = None) -> dict[str, str]:
        """Every placeholder's text on `today`: the municipality's local values, and each fact's value or
        expiry phrase."""
        facts = {key: fact.text(today) for key, fact in self.facts.items()}
        return {**self.local_values_for(municipality), **facts}

    @property
    def placeholders(self) -> dict[str, str]:
        return self.placeholders_on(local_today())

    def render(self, text: str, today: dt.date | None = None, municipality: str | None = None) -> str:
        """Fill `{key}` placeholders as of `today` (default: today) with `municipality`'s local values
        (default: local.yml's); an unknown key raises ContentError."""
        try:
            return text.format_map(self.placeholders_on(today or local_today(), municipality))
        except (KeyError, ValueError, IndexError) as error:
            raise ContentError(f"unknown or malformed placeholder in: {text[:60]!r} ({error})") from error

    def text(
        self, texts: dict[str, str], form: str, today: dt.date | None = None, municipality: str | None = None
    ) -> str:
        return self.render(texts[form], today, municipality)

    def checkin_question(self, plan_id: str | None, topic: str | None) -> dict[str, str]:
        """The check-in question of the plan, else of the topic, else the default one."""
        plan = self.plans.get(plan_id or "")
        if plan is not None and plan.checkin_question:
            return plan.checkin_question
        return self.checkin_questions.get(topic or "") or self.checkin_questions.get(
            CHECKIN_DEFAULT, {form: "Hoe gaat het nu?" for form in ADDRESS_FORMS}
        )

    def uses_local_values(self, texts: dict[str, str]) -> bool:
        """Whether a text names a local value (so it differs per municipality)."""
        return any(
            key in self.local_values for form in ADDRESS_FORMS for key in placeholder_keys(texts[form])
        )

    def municipality_names(self) -> dict[str, str]:
        """Each further municipality's `gemeente_naam` ("gemeente Heideveen"), by slug."""
        return {slug: self.local_values_for(slug).get("gemeente_naam", slug) for slug in self.municipal}

    def buttons(
        self,
        offers: tuple[str, ...],
        form: str,
        today: dt.date | None = None,
        municipality: str | None = None,
    ) -> list[dict[str, str]]:
        buttons = []
        for offer in offers:
            if offer.startswith(PLAN_OFFER_PREFIX):
                plan = self.plans[offer.removeprefix(PLAN_OFFER_PREFIX)]
                title = f"Stappenplan: {self.text(plan.title, form, today, municipality)}"
                buttons.append({"title": title, "payload": plan_start_payload(plan.id)})
            else:
                title, payload = OFFER_BUTTONS[offer]
                buttons.append({"title": title, "payload": payload})
        return buttons

    def freshness(self, today: dt.date, warn_days: int = WARN_DAYS) -> list[Expiring]:
        """Facts, and the review dates of local.yml and the municipality files, that expired or expire
        within `warn_days`; soonest first."""
        return freshness(self.facts, self.local_valid_until, today, warn_days, review_dates(self.municipal))

    def local_keys_used(self, extra_texts: Sequence[tuple[str, str]] = ()) -> dict[str, list[str]]:
        """Each local value the texts use (answers, plan steps, and `extra_texts` such as the domain's
        responses, as (name, text)), with the names of the texts that use it."""
        used: dict[str, list[str]] = {}
        named = [(name, texts[form]) for name, texts in self._all_texts() for form in ADDRESS_FORMS]
        for name, text in [*named, *extra_texts]:
            for key in placeholder_keys(text or ""):
                if key in self.local_values and name not in used.setdefault(key, []):
                    used[key].append(name)
        return used

    def missing_municipal_values(self, extra_texts: Sequence[tuple[str, str]] = ()) -> list[str]:
        """A line per local value the texts use that a municipality's file does not define."""
        used = self.local_keys_used(extra_texts)
        return [
            f"{municipal_name(slug)}: no value for {{{key}}} (used by {', '.join(names[:3])})"
            for slug, facts in self.municipal.items()
            for key, names in sorted(used.items())
            if key not in facts.values
        ]

    def expired(self, today: dt.date) -> list[str]:
        """Readable lines for what has expired on `today` (see `freshness` for the details)."""
        return [describe(item) for item in self.freshness(today, warn_days=-1)]

    def problems(self) -> list[str]:
        """Everything that makes the content inconsistent, as readable lines."""
        found = list(self.file_problems)
        known = {**self.local_values, **{key: fact.value for key, fact in self.facts.items()}}
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
                    if key is not None and key not in known:
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
            texts.append((f"plan {plan.id} checkin_question", plan.checkin_question))
        texts += [(f"checkins.yml {key}", question) for key, question in self.checkin_questions.items()]
        return texts


def placeholder_keys(text: str) -> list[str]:
    """The `{key}` names in a text, in order (a malformed text names none)."""
    try:
        return [key for _, key, _, _ in string.Formatter().parse(text) if key]
    except ValueError:
        return []


def _forms(raw: dict[str, Any]) -> dict[str, str]:
    return {form: str(raw.get(form) or "").strip() for form in ADDRESS_FORMS}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        return read_yaml(path)
    except ContentFileError as error:
        raise ContentError(str(error)) from error


def load_store(root: Path) -> ContentStore:
    """Read every content file under `root` (see docs/content.md)."""
    store = ContentStore()
    local, local_problems = parse_local(_read_yaml(root / LOCAL_FILE))
    store.facts, fact_problems = parse_facts(_read_yaml(root / "facts.yml"))
    store.local_values, store.local_valid_until = local.values, local.valid_until
    try:
        store.municipal, municipal_problems = parse_municipal(root)
    except ContentFileError as error:
        raise ContentError(str(error)) from error
    municipal_problems += [
        f"{municipal_name(slug)}: {key!r} is not a value of {LOCAL_FILE} (the default needs every key)"
        for slug, facts in store.municipal.items()
        for key in facts.values
        if key not in store.local_values
    ]
    store.file_problems = local_problems + fact_problems + municipal_problems
    for path in sorted((root / "plans").glob("*.yml")):
        for raw in _read_yaml(path).get("plans") or []:
            plan = Plan(
                id=raw["id"],
                topic=raw.get("topic", path.stem),
                title=_forms(raw.get("title") or {}),
                intro=_forms(raw.get("intro") or {}),
                steps=tuple(_forms(step) for step in raw.get("steps") or []),
                checkin_question=_forms(raw.get("checkin_question") or {}),
            )
            if plan.id in store.plans:
                raise ContentError(f"{path.name}: plan id {plan.id!r} is used twice")
            store.plans[plan.id] = plan
    checkins_file = root / CHECKINS_FILE
    if checkins_file.exists():
        questions = _read_yaml(checkins_file).get("checkin_questions") or {}
        store.checkin_questions = {str(key): _forms(raw or {}) for key, raw in questions.items()}
        if CHECKIN_DEFAULT not in store.checkin_questions:
            store.file_problems.append(f"{CHECKINS_FILE}: no {CHECKIN_DEFAULT!r} question")
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


Stamp = tuple[tuple[str, int], ...]
_cache: dict[Path, tuple[Stamp, ContentStore]] = {}
_reported: dict[Path, tuple[Stamp, dt.date]] = {}


def content_store(root: Path, today: dt.date | None = None) -> ContentStore:
    """The store for `root`, re-read when any content file was changed, added or removed.

    After a (re)load, and on the first call of a new day, the facts that expired or expire soon are
    logged as warnings (once, not per message).
    """
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in root.rglob("*.yml")))
    cached = _cache.get(root)
    if cached is None or cached[0] != stamp:
        _cache[root] = (stamp, load_store(root))
    store = _cache[root][1]
    today = today or local_today()
    if _reported.get(root) != (stamp, today):
        _reported[root] = (stamp, today)
        report_freshness(store, root, today)
    return store


_versions: dict[Path, tuple[Stamp, str]] = {}


def content_version(root: Path) -> str:
    """A short version of the content as the action server reads it (the first 12 hex digits of a SHA-256
    over every content file's path and bytes), stored with each answer's feedback; new when a file changes."""
    files = sorted(root.rglob("*.yml"))
    stamp = tuple((str(path), path.stat().st_mtime_ns) for path in files)
    cached = _versions.get(root)
    if cached is None or cached[0] != stamp:
        digest = hashlib.sha256()
        for path in files:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
        _versions[root] = (stamp, digest.hexdigest()[:12])
    return _versions[root][1]


def report_freshness(store: ContentStore, root: Path, today: dt.date) -> None:
    """Log (WARNING) what expired or expires within the warning window, and the content problems."""
    for item in store.freshness(today):
        if item.key and item.expired:
            consequence = f"texts now show {store.facts[item.key].text(today)!r} instead of {item.value!r}"
        else:
            consequence = f"check it and update {root / item.file}"
        logger.warning("Dated content: %s; %s", describe(item), consequence)
    for problem in store.file_problems:
        logger.warning("Content problem in %s: %s", root, problem)
