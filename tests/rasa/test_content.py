"""The real content (content/*.yml): consistent, current, B1-sized, and rendered in both forms."""

from __future__ import annotations

import collections
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from actions.answers import MAIN_TOPICS, TOPICS, topic_of
from actions.content import ADDRESS_FORMS, FORBIDDEN_WORDS, content_store, load_store

ROOT = Path(__file__).resolve().parents[2]
STORE = load_store(ROOT / "content")
MAX_ANSWER_WORDS = 80
MAX_STEP_WORDS = 60


def words(text: str) -> int:
    return len(text.split())


@pytest.fixture(scope="module")
def nlu_intents() -> set[str]:
    return {message.get("intent") for message in load_data(str(ROOT / "data" / "nlu")).intent_examples}


def test_content_is_consistent() -> None:
    assert STORE.problems() == []


def test_rent_arrears_is_declared_ambiguous_between_housing_and_money() -> None:
    choices = STORE.ambiguities["huisvesting_huurachterstand"].choices
    assert set(choices) == {"huisvesting", "schulden"}


def test_no_dated_fact_has_expired() -> None:
    assert STORE.expired(dt.date.today()) == []


def test_an_expired_fact_is_reported(tmp_path: Path) -> None:
    (tmp_path / "answers").mkdir()
    (tmp_path / "local.yml").write_text("valid_until: 2020-01-01\nvalues: {}\n")
    (tmp_path / "facts.yml").write_text("facts:\n  x: {value: '1', valid_until: 2021-01-01, source: s}\n")
    assert len(load_store(tmp_path).expired(dt.date(2026, 1, 1))) == 2


def test_a_plan_offer_to_a_missing_plan_is_reported(tmp_path: Path) -> None:
    (tmp_path / "answers").mkdir()
    (tmp_path / "local.yml").write_text("valid_until: 2099-01-01\nvalues: {}\n")
    (tmp_path / "facts.yml").write_text("facts: {}\n")
    (tmp_path / "answers" / "a.yml").write_text(
        "answers:\n  - {intent: schulden_x, je: 'Bel {onbekend}.', u: 'Bel.', offers: ['plan:weg']}\n")
    problems = load_store(tmp_path).problems()
    assert any("unknown plan 'weg'" in p for p in problems)
    assert any("unknown placeholder {onbekend}" in p for p in problems)


def test_every_topic_has_enough_answers_and_plans() -> None:
    answers = collections.Counter(topic_of(intent) for intent in STORE.answers)
    plans = collections.Counter(plan.topic for plan in STORE.plans.values())
    assert set(answers) <= set(TOPICS) and set(plans) <= set(TOPICS)
    for topic in MAIN_TOPICS:
        assert answers[topic] >= 13, f"{topic}: {answers[topic]} answers"  # algemeen + 12 questions
        assert plans[topic] >= 4, f"{topic}: {plans[topic]} plans"
    # "algemeen": the few questions outside the main three (Wmo, mantelzorg, loneliness, victims).
    assert answers["algemeen"] >= 4, f"algemeen: {answers['algemeen']} answers"


def test_answers_and_topic_intents_match_one_to_one(nlu_intents: set[str]) -> None:
    topic_intents = {intent for intent in nlu_intents if topic_of(intent)}
    assert set(STORE.answers) == topic_intents


def test_generated_answer_rules_are_up_to_date() -> None:
    result = subprocess.run([sys.executable, "scripts/sync_content.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("form", ADDRESS_FORMS)
def test_answers_render_in_both_forms_within_b1_limits(form: str) -> None:
    for answer in STORE.answers.values():
        text = STORE.text(answer.texts, form)
        assert words(text) <= MAX_ANSWER_WORDS, f"{answer.intent} ({form}): {words(text)} words"
        assert not FORBIDDEN_WORDS[form].search(text), f"{answer.intent} ({form}) mixes forms: {text}"
        STORE.buttons(answer.offers, form)


@pytest.mark.parametrize("form", ADDRESS_FORMS)
def test_plan_steps_render_in_both_forms(form: str) -> None:
    for plan in STORE.plans.values():
        assert 3 <= len(plan.steps) <= 8, plan.id
        for part in (plan.title, plan.intro, *plan.steps):
            text = STORE.text(part, form)
            assert words(text) <= MAX_STEP_WORDS, f"{plan.id} ({form}): {text}"
            assert not FORBIDDEN_WORDS[form].search(text), f"{plan.id} ({form}) mixes forms: {text}"


def test_an_edited_file_is_read_again_without_restart(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(ROOT / "content", root)
    assert content_store(root).local_values["wijkteam_telefoon"] == "0123-456 789"
    local = root / "local.yml"
    local.write_text(local.read_text().replace("0123-456 789", "0999-999 999"))
    stat = local.stat()
    os.utime(local, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later edit, whatever the clock
    assert content_store(root).local_values["wijkteam_telefoon"] == "0999-999 999"


@pytest.mark.parametrize("form", ADDRESS_FORMS)
def test_the_loneliness_answer_gives_a_listening_line_and_the_suicide_line(form: str) -> None:
    """Someone lonely gets De Luisterlijn first, and 113 in case of suicidal thoughts (facts.md §1.1)."""
    text = STORE.text(STORE.answers["algemeen_eenzaamheid"].texts, form)
    assert STORE.facts["luisterlijn_telefoon"].value in text
    assert STORE.facts["zelfmoordpreventie_telefoon"].value in text
