"""Jargon explained: content/glossary.yml, first-use explanations and "Wat betekent ...?".

A glossary term is explained once per conversation: the first time an answer or a plan step uses it
(one line "<term>: <sentence>" under the text, at most MAX_PER_MESSAGE per message), or when the
resident asks for it (intent `ask_term`). The slot `glossary_explained` remembers which terms were
explained. A term that the text itself explains ("Dat heet de beslagvrije voet", "CJG (Centrum ...)",
"Een beschikking is ...") counts as explained without an extra line.

Matching ignores capitals, needs whole words and prefers the longest match, so "wettelijke
schuldsanering" is the Wsnp and not the general word "schuldsanering". The project has no entity
extractor, so a question is matched the same way, with a small typo tolerance (difflib).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content import ADDRESS_FORMS, ContentError, content_store
from actions.municipality import municipality_of
from bot.assistant.settings import RasaSideSettings, rasa_side_settings
from bot.content_facts import ContentFileError, read_yaml

GLOSSARY_FILE = "glossary.yml"
SLOT = "glossary_explained"
MAX_PER_MESSAGE = 2  # first-use explanations under one answer or plan step
MAX_PER_QUESTION = 3  # terms explained for one "Wat betekent ...?" question
# Typo tolerance for a question: only words this long, and only this close to a term or alias.
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 0.85
# Terms offered as examples when a question names no known term (those not in the glossary are skipped).
EXAMPLE_TERMS = ("Wmo", "pgb", "beschikking", "kantonrechter")
# An unknown word: the model's best topic answer is offered as a button if it is at least this likely.
MIN_SUGGESTION_CONFIDENCE = 0.1
PERSON_BUTTON = {"title": "Iemand spreken", "payload": "/request_human"}
MESSAGES = {
    "je": {
        "unknown": "Dat woord ken ik nog niet. Ik kan bijvoorbeeld uitleggen wat {examples} betekent. "
        "Typ dan: wat betekent {first}? Je kunt het ook aan iemand van het wijkteam vragen.",
        "unknown_plain": "Dat woord ken ik nog niet. Je kunt het aan iemand van het wijkteam vragen.",
        "which": "Welk woord bedoel je? Typ bijvoorbeeld: wat betekent {first}?",
        "which_plain": "Welk woord bedoel je? Typ het woord, dan leg ik het uit.",
        "more": "Meer over {term}",
    },
    "u": {
        "unknown": "Dat woord ken ik nog niet. Ik kan bijvoorbeeld uitleggen wat {examples} betekent. "
        "Typ dan: wat betekent {first}? U kunt het ook aan iemand van het wijkteam vragen.",
        "unknown_plain": "Dat woord ken ik nog niet. U kunt het aan iemand van het wijkteam vragen.",
        "which": "Welk woord bedoelt u? Typ bijvoorbeeld: wat betekent {first}?",
        "which_plain": "Welk woord bedoelt u? Typ het woord, dan leg ik het uit.",
        "more": "Meer over {term}",
    },
}

# The text explains the term itself: "Dat heet (de) X", "X (...)", "(X)", "Een X is/betekent ..." at
# the start of a sentence.
_NAMED_BEFORE = re.compile(r"\b(?:heet|heten|noemen we|noem je|noemt u)\s+(?:(?:de|het|een)\s+)?$", re.I)
_ARTICLE_BEFORE = re.compile(r"(?:\b(?:de|het|een)\s+)$", re.I)
_BRACKET_BEFORE = re.compile(r"\(\s*(?:(?:de|het|een)\s+)?$", re.I)  # "(pgb)", "(de beslagvrije voet)"
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)$")
_DEFINED_AFTER = re.compile(r"^\s+(?:(?:is|zijn)\s+(?:een|de|het)|betekent)\b", re.I)
_EXPANDED_AFTER = re.compile(r"^\s*\(\s*[^\W\d_]")  # "CJG (Centrum ...)", not "Veilig Thuis (0800-2000)"
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
# The words of a question that points back without naming a word: "sorry, wat bedoel je daarmee?"
_QUESTION_WORDS = set(
    """wat is een de het dat dit die deze betekent betekend beteken betekenen bedoel bedoelt bedoelen
    bedoeld je jij u jullie met mee daarmee hiermee daar hier woord woorden ik snap begrijp ken niet
    sorry eigenlijk precies houdt in zeggen wil uitleg uitleggen leg uit kun kunt mij me graag van
    welk welke moeilijk moeilijke nou nog eens even hoe er en of dan zo maar ok oke hè he hé gebruikt
    gebruik zei zegt schreef schrijft noemt noemde staat stond net daarnet zojuist bericht tekst
    antwoord vorige laatste letters afkorting afkortingen""".split()
)


def _key(term: str) -> str:
    return term.strip().lower()


def _alias_pattern(alias: str) -> re.Pattern[str]:
    """Whole words, any capitals, any run of spaces between the words of the alias."""
    words = [re.escape(word) for word in alias.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    term: str
    aliases: tuple[str, ...]
    texts: dict[str, str]
    answer: str | None = None

    @property
    def key(self) -> str:
        """What the slot stores: the term in small letters."""
        return _key(self.term)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.term, *self.aliases)


@dataclass(frozen=True)
class Occurrence:
    """A term found in a text: where it first stands, and whether the text explains it itself."""

    term: Term
    start: int
    self_explained: bool


@dataclass(frozen=True)
class Annotation:
    text: str
    newly_explained: tuple[str, ...]


@dataclass
class Glossary:
    terms: dict[str, Term] = field(default_factory=dict)
    _patterns: list[tuple[re.Pattern[str], int, Term]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for term in self.terms.values():
            for spelling in term.spellings:
                owner = seen.setdefault(_key(spelling), term.key)
                if owner != term.key:
                    raise ContentError(
                        f"{GLOSSARY_FILE}: {spelling!r} belongs to both {owner!r} and {term.key!r}"
                    )
                self._patterns.append((_alias_pattern(spelling), len(spelling), term))
        self._patterns.sort(key=lambda entry: -entry[1])  # the longest spelling wins an overlap

    def occurrences(self, text: str) -> list[Occurrence]:
        """Every term in `text` once, in order of first appearance (longest match wins an overlap)."""
        taken: list[tuple[int, int]] = []
        found: dict[str, Occurrence] = {}
        for pattern, _, term in self._patterns:
            for match in pattern.finditer(text):
                if any(match.start() < end and start < match.end() for start, end in taken):
                    continue
                taken.append((match.start(), match.end()))
                explained = _explained_in_place(text, match.start(), match.end())
                earlier = found.get(term.key)
                found[term.key] = Occurrence(
                    term,
                    min(match.start(), earlier.start) if earlier else match.start(),
                    explained or (earlier.self_explained if earlier else False),
                )
        return sorted(found.values(), key=lambda occurrence: occurrence.start)

    def find(self, text: str) -> list[Term]:
        return [occurrence.term for occurrence in self.occurrences(text)]

    def lookup(self, question: str) -> list[Term]:
        """The terms a resident asks about: exact matches, or else the closest spelling of a typo."""
        exact = self.find(question)
        if exact:
            return exact
        spellings = {_key(spelling): term for term in self.terms.values() for spelling in term.spellings}
        words = [word.lower() for word in _WORD.findall(question)]
        found: list[Term] = []
        for size in (3, 2, 1):
            for index in range(len(words) - size + 1):
                candidate = " ".join(words[index : index + size])
                if len(candidate) < FUZZY_MIN_LENGTH:
                    continue
                close = difflib.get_close_matches(candidate, spellings, n=1, cutoff=FUZZY_CUTOFF)
                if close and spellings[close[0]] not in found:
                    found.append(spellings[close[0]])
        return found

    def explanation(self, term: Term, form: str, render: Callable[[str], str] = str) -> str:
        return f"{term.term}: {render(term.texts[form])}"

    def annotate(
        self,
        text: str,
        form: str,
        explained: Iterable[str],
        render: Callable[[str], str] = str,
        limit: int = MAX_PER_MESSAGE,
    ) -> Annotation:
        """`text` with a line for each term it uses that was not explained yet (at most `limit`).

        Terms beyond the limit stay unexplained, so a later message can explain them.
        """
        done = set(explained)
        lines: list[str] = []
        newly: list[str] = []
        for occurrence in self.occurrences(text):
            key = occurrence.term.key
            if key in done or key in newly:
                continue
            if occurrence.self_explained:
                newly.append(key)
            elif len(lines) < limit:
                lines.append(self.explanation(occurrence.term, form, render))
                newly.append(key)
        annotated = text + "\n\n" + "\n".join(lines) if lines else text
        return Annotation(annotated, tuple(newly))


def _explained_in_place(text: str, start: int, end: int) -> bool:
    before, after = text[:start], text[end:]
    if _NAMED_BEFORE.search(before) or _BRACKET_BEFORE.search(before) or _EXPANDED_AFTER.match(after):
        return True
    without_article = _ARTICLE_BEFORE.sub("", before)
    return bool(_SENTENCE_START.search(without_article) and _DEFINED_AFTER.match(after))


def parse_glossary(raw: dict[str, Any]) -> Glossary:
    terms: dict[str, Term] = {}
    for entry in raw.get("terms") or []:
        term = Term(
            term=str(entry.get("term") or "").strip(),
            aliases=tuple(str(alias).strip() for alias in entry.get("aliases") or ()),
            texts={form: str(entry.get(form) or "").strip() for form in ADDRESS_FORMS},
            answer=entry.get("answer"),
        )
        if not term.term:
            raise ContentError(f"{GLOSSARY_FILE}: an entry has no term")
        if term.key in terms:
            raise ContentError(f"{GLOSSARY_FILE}: term {term.term!r} is listed twice")
        terms[term.key] = term
    return Glossary(terms)


def load_glossary(root: Path) -> Glossary:
    """The glossary in content directory `root`; an empty one if the file is missing."""
    path = root / GLOSSARY_FILE
    if not path.exists():
        return Glossary()
    try:
        return parse_glossary(read_yaml(path))  # refuses a term written twice as a key, like all content
    except ContentFileError as error:
        raise ContentError(str(error)) from error


_cache: dict[Path, tuple[int | None, Glossary]] = {}


def glossary_for(root: Path) -> Glossary:
    """The glossary of `root`, read again when the file changes (like actions.content.content_store)."""
    path = root / GLOSSARY_FILE
    stamp = path.stat().st_mtime_ns if path.exists() else None
    cached = _cache.get(root)
    if cached is None or cached[0] != stamp:
        _cache[root] = (stamp, load_glossary(root))
    return _cache[root][1]


def explained_terms(tracker: Tracker) -> list[str]:
    return [str(key) for key in tracker.get_slot(SLOT) or []]


class FirstUse:
    """Adds first-use explanations to the messages of one action run and remembers them in the slot.

    Usage: `first_use = FirstUse(tracker, settings)`, send `first_use.annotate(text)`, and return
    `first_use.events()` with the action's other events.
    """

    def __init__(self, tracker: Tracker, settings: RasaSideSettings) -> None:
        self._glossary = glossary_for(settings.content_dir)
        self._render = partial(
            content_store(settings.content_dir).render, municipality=municipality_of(tracker, settings)
        )
        self._form = settings.address_form
        self._before = explained_terms(tracker)
        self._explained = list(self._before)

    def annotate(self, text: str) -> str:
        annotation = self._glossary.annotate(text, self._form, self._explained, self._render)
        self._explained += annotation.newly_explained
        return annotation.text

    def events(self) -> list[EventType]:
        return [SlotSet(SLOT, self._explained)] if self._explained != self._before else []


def last_bot_text(tracker: Tracker) -> str:
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot" and event.get("text"):
            return str(event["text"])
    return ""


class ActionExplainTerm(Action):
    """Answers "Wat betekent ...?": the terms named in the message, or else those of the last answer.

    "Wat betekent dat?" names no term: then the terms of the assistant's previous message are
    explained, the ones not explained yet first; if there are none, it asks which word is meant. A
    word the glossary does not know gets a short, kind answer with examples, the model's best topic
    answer (if likely) and the offer of a person.
    """

    def name(self) -> str:
        return "action_explain_term"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        glossary = glossary_for(settings.content_dir)
        store = content_store(settings.content_dir)
        form = settings.address_form
        explained = explained_terms(tracker)
        terms = asked_terms(glossary, tracker, explained)[:MAX_PER_QUESTION]
        if not terms:
            suggestions = [
                {"title": store.answers[intent].question, "payload": f"/{intent}"}
                for intent in suggested_answers(tracker.latest_message, set(store.answers))
            ]
            named = names_a_word(str(tracker.latest_message.get("text") or ""))
            text = unknown_term_text(glossary, form) if named else which_term_text(glossary, form)
            dispatcher.utter_message(text=text, buttons=[*suggestions, PERSON_BUTTON])
            return []
        buttons = [
            {"title": MESSAGES[form]["more"].format(term=term.term), "payload": f"/{term.answer}"}
            for term in terms
            if term.answer in store.answers
        ]
        render = partial(store.render, municipality=municipality_of(tracker, settings))
        text = "\n".join(glossary.explanation(term, form, render) for term in terms)
        dispatcher.utter_message(text=text, buttons=_unique(buttons))
        now_explained = explained + [term.key for term in terms if term.key not in explained]
        return [SlotSet(SLOT, now_explained)] if now_explained != explained else []


def names_a_word(question: str) -> bool:
    """Whether a question names a word ("wat is een zwartboek") or only points back ("wat betekent dat?")."""
    return any(word.lower() not in _QUESTION_WORDS for word in _WORD.findall(question))


def asked_terms(glossary: Glossary, tracker: Tracker, explained: list[str]) -> list[Term]:
    """The terms in the question; if it names no word, those of the previous message (new ones first)."""
    question = str(tracker.latest_message.get("text") or "")
    named = glossary.lookup(question)
    if named or names_a_word(question):
        return named
    previous = glossary.find(last_bot_text(tracker))
    return sorted(previous, key=lambda term: term.key in explained)  # stable: keeps the text's order


def suggested_answers(latest_message: dict[str, Any], answers: set[str]) -> list[str]:
    """The most likely topic answer after ask_term, for a question about a word the glossary lacks.

    "Wat is de Kindertelefoon?" may be asked as a word question while a topic answer covers it.
    """
    ranking = latest_message.get("intent_ranking") or []
    likely = [
        str(entry.get("name"))
        for entry in ranking
        if entry.get("name") in answers and float(entry.get("confidence") or 0) >= MIN_SUGGESTION_CONFIDENCE
    ]
    return likely[:1]


def _examples(glossary: Glossary) -> list[str]:
    return [glossary.terms[_key(term)].term for term in EXAMPLE_TERMS if _key(term) in glossary.terms]


def which_term_text(glossary: Glossary, form: str) -> str:
    """For "wat betekent dat?" when nothing before it needs explaining (or for a lone "wat?")."""
    examples = _examples(glossary)
    return MESSAGES[form]["which"].format(first=examples[0]) if examples else MESSAGES[form]["which_plain"]


def unknown_term_text(glossary: Glossary, form: str) -> str:
    examples = _examples(glossary)
    if not examples:
        return MESSAGES[form]["unknown_plain"]
    listed = examples[0] if len(examples) == 1 else ", ".join(examples[:-1]) + " of " + examples[-1]
    return MESSAGES[form]["unknown"].format(examples=listed, first=examples[0])


def _unique(buttons: list[dict[str, str]]) -> list[dict[str, str]]:
    """One button per answer: pgb and zorg in natura both lead to the same answer."""
    unique: dict[str, dict[str, str]] = {}
    for button in buttons:
        unique.setdefault(button["payload"], button)
    return list(unique.values())
