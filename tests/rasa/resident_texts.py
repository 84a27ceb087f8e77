"""Every text a resident reads, per form of address, with the content placeholders filled in.

Used by the readability check (tests/rasa/test_readability.py) and the glossary check
(tests/rasa/test_glossary.py): answers, stappenplan titles, intros and steps, glossary sentences,
the responses in domain/*.yml and the actions' own messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from rasa.shared.core.domain import Domain

from actions import answers, checkins, fallback, glossary, plans
from actions.content import ContentStore, load_store
from actions.session import response_variation

ROOT = Path(__file__).resolve().parents[2]
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(text: str, store: ContentStore) -> str:
    """Content placeholders filled in; slot placeholders ({code}, {when}) stay, as placeholders."""
    values = store.placeholders
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def resident_texts(form: str) -> Iterator[tuple[str, str]]:
    """(name, text) of every text a resident reads in this form of address."""
    store = load_store(ROOT / "content")
    for answer in store.answers.values():
        yield f"answer {answer.intent}", store.text(answer.texts, form)
    for plan in store.plans.values():
        yield f"plan {plan.id} title", store.text(plan.title, form)
        yield f"plan {plan.id} intro", store.text(plan.intro, form)
        for number, step in enumerate(plan.steps, start=1):
            yield f"plan {plan.id} step {number}", store.text(step, form)
        yield f"plan {plan.id} checkin_question", store.text(plan.checkin_question, form)
    for key, question in store.checkin_questions.items():
        yield f"plan checkin_question of topic {key}", store.text(question, form)
    terms = glossary.load_glossary(ROOT / "content")
    for term in terms.terms.values():
        yield f"glossary {term.term}", store.render(term.texts[form])  # our sentence, not the term
    domain = Domain.load(str(ROOT / "domain")).as_dict()
    for name in sorted(domain["responses"]):
        yield f"response {name}", _fill(response_variation(domain, name, form)["text"], store)
    messages = {
        **{f"plans.{key}": text for key, text in plans.MESSAGES[form].items()},
        **{f"glossary.{key}": text for key, text in glossary.MESSAGES[form].items()},
        **{f"checkins.{key}": text for key, text in checkins.MESSAGES[form].items()},
        "answers.which_topic": answers.WHICH_TOPIC[form],
        "fallback.which": fallback.WHICH[form],
        "fallback.which_of_topic": fallback.WHICH_OF_TOPIC[form],
        **{f"fallback.button.{key}": title for key, title in fallback.EXTRA_BUTTONS.items()},
        **{
            f"fallback.button.{intent}": title
            for titles in fallback.ACTION_TOPICS.values()
            for intent, title in titles.items()
        },
    }
    for name, text in messages.items():
        yield f"message {name}", _fill(text, store)
