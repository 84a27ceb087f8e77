"""The real content (content/*.yml): consistent, B1-sized, rendered in both forms, and never showing an
expired fact's value: every date-dependent test runs on a fixed clock, not on today's date."""

from __future__ import annotations

import collections
import datetime as dt
import os
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from actions.answers import topic_of
from actions.content import ADDRESS_FORMS, FORBIDDEN_WORDS, ContentError, content_store, load_store
from bot.shared.topics import ANSWER_TOPICS, MAIN_TOPICS

ROOT = Path(__file__).resolve().parents[2]
STORE = load_store(ROOT / "content")
MAX_ANSWER_WORDS = 80
MAX_STEP_WORDS = 60
# The day after the last fact expires: from then on no value of facts.yml may be shown.
AFTER_ALL_FACTS = max(fact.valid_until for fact in STORE.facts.values()) + dt.timedelta(days=1)
# Fixed clocks: the day the facts were checked, the first days of 2027 and 2028, and after all facts.
CHECKED = max(fact.checked_on or dt.date.min for fact in STORE.facts.values())
DAYS = sorted({CHECKED, dt.date(2027, 1, 1), dt.date(2028, 1, 1), AFTER_ALL_FACTS})


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


def test_every_fact_has_a_source_a_check_date_and_an_expiry_text() -> None:
    for fact in STORE.facts.values():
        assert fact.checked_on and fact.checked_on <= fact.valid_until, fact.key
        assert fact.source and fact.source_url and fact.when_expired, fact.key
        assert not FORBIDDEN_WORDS["je"].search(fact.when_expired), f"{fact.key}: 'u' in when_expired"
        assert not FORBIDDEN_WORDS["u"].search(fact.when_expired), f"{fact.key}: 'je' in when_expired"


def test_a_fact_without_check_date_or_expiry_text_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "local.yml").write_text("valid_until: 2099-01-01\nvalues: {}\n")
    (tmp_path / "facts.yml").write_text(
        "facts:\n  x: {value: '1', valid_until: 2027-01-01, source: s, source_url: www.x.nl}\n"
        "  y: {value: '2', valid_until: 31-12-2027, checked_on: 2026-12-01, source: s, source_url: www.x.nl,"
        " when_expired: 'het bedrag op www.x.nl'}\n"
    )
    problems = load_store(tmp_path).problems()
    assert "facts.yml x: no checked_on" in problems
    assert "facts.yml x: no when_expired" in problems
    assert "facts.yml y: valid_until must be a date like 2026-12-31" in problems


def mentions(text: str, value: str) -> bool:
    """`value` as a whole figure in `text` ("€ 25" is not in "€ 250", "6 weken" not in "16 weken")."""
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z]|[.,][0-9])", text) is not None


def rendered_texts(today: dt.date, form: str) -> list[tuple[str, str]]:
    """Every resident text of the real content as shown on `today`: answers, buttons, plans."""
    texts = []
    for answer in STORE.answers.values():
        texts.append((f"answer {answer.intent}", STORE.text(answer.texts, form, today)))
        texts += [(f"answer {answer.intent} button", button["title"])
                  for button in STORE.buttons(answer.offers, form, today)]  # fmt: skip
    for plan in STORE.plans.values():
        for number, part in enumerate((plan.title, plan.intro, *plan.steps)):
            texts.append((f"plan {plan.id} part {number}", STORE.text(part, form, today)))
    return texts


@pytest.mark.parametrize("form", ADDRESS_FORMS)
@pytest.mark.parametrize("today", DAYS, ids=str)
def test_no_text_shows_an_expired_value(today: dt.date, form: str) -> None:
    """Also not written out by hand: a text with "6 weken" fails once a fact "6 weken" has expired.
    Crisis lines whose `when_expired` repeats the value (112) stay in view on purpose."""
    expired = [fact for fact in STORE.facts.values() if fact.expired(today) and not fact.kept_after_expiry]
    if today >= AFTER_ALL_FACTS:
        assert len(expired) == len([fact for fact in STORE.facts.values() if not fact.kept_after_expiry])
    for name, text in rendered_texts(today, form):
        assert "{" not in text and "}" not in text, f"{name}: unrendered placeholder"
        for fact in expired:
            assert not mentions(text, fact.value), f"{name} ({today}, {form}): expired {fact.key}: {text}"


def test_a_used_fact_shows_its_value_until_its_date_and_its_expiry_text_after() -> None:
    sources = [answer.texts["je"] for answer in STORE.answers.values()]
    sources += [part["je"] for plan in STORE.plans.values() for part in (plan.title, plan.intro, *plan.steps)]
    used = {key for text in sources for _, key, _, _ in string.Formatter().parse(text) if key in STORE.facts}
    assert used
    after = " ".join(text for _, text in rendered_texts(AFTER_ALL_FACTS, "je"))
    for last_day in sorted({STORE.facts[key].valid_until for key in used}):
        before = " ".join(text for _, text in rendered_texts(last_day, "je"))
        for key in (key for key in used if STORE.facts[key].valid_until == last_day):
            assert STORE.facts[key].value in before and STORE.facts[key].when_expired in after, key


def test_freshness_of_the_real_content_on_fixed_days() -> None:
    first = min(fact.valid_until for fact in STORE.facts.values())
    assert not [item for item in STORE.freshness(first - dt.timedelta(days=61)) if item.file == "facts.yml"]
    facts = [item for item in STORE.freshness(first - dt.timedelta(days=60)) if item.file == "facts.yml"]
    assert facts and all(not item.expired and item.days_left == 60 for item in facts)
    late = STORE.freshness(AFTER_ALL_FACTS)
    assert {item.key for item in late if item.expired and item.file == "facts.yml"} == set(STORE.facts)


def test_a_plan_offer_to_a_missing_plan_is_reported(tmp_path: Path) -> None:
    (tmp_path / "answers").mkdir()
    (tmp_path / "local.yml").write_text("valid_until: 2099-01-01\nvalues: {}\n")
    (tmp_path / "facts.yml").write_text("facts: {}\n")
    (tmp_path / "answers" / "a.yml").write_text(
        "answers:\n  - {intent: schulden_x, je: 'Bel {onbekend}.', u: 'Bel.', offers: ['plan:weg']}\n"
    )
    problems = load_store(tmp_path).problems()
    assert any("unknown plan 'weg'" in p for p in problems)
    assert any("unknown placeholder {onbekend}" in p for p in problems)


def test_every_topic_has_enough_answers_and_plans() -> None:
    answers = collections.Counter(topic_of(intent) for intent in STORE.answers)
    plans = collections.Counter(plan.topic for plan in STORE.plans.values())
    assert set(answers) <= set(ANSWER_TOPICS) and set(plans) <= set(ANSWER_TOPICS)
    for topic in MAIN_TOPICS:
        assert answers[topic] >= 13, f"{topic}: {answers[topic]} answers"  # algemeen + 12 questions
        assert plans[topic] >= 4, f"{topic}: {plans[topic]} plans"
    # "algemeen": the few questions outside the main three (Wmo, mantelzorg, loneliness, victims).
    assert answers["algemeen"] >= 4, f"algemeen: {answers['algemeen']} answers"


def test_answers_and_topic_intents_match_one_to_one(nlu_intents: set[str]) -> None:
    topic_intents = {intent for intent in nlu_intents if topic_of(intent)}
    assert set(STORE.answers) == topic_intents


def test_generated_answer_rules_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/sync_content.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("form", ADDRESS_FORMS)
@pytest.mark.parametrize("today", DAYS, ids=str)
def test_answers_render_in_both_forms_within_b1_limits(today: dt.date, form: str) -> None:
    for answer in STORE.answers.values():
        text = STORE.text(answer.texts, form, today)
        assert words(text) <= MAX_ANSWER_WORDS, f"{answer.intent} ({form}): {words(text)} words"
        assert not FORBIDDEN_WORDS[form].search(text), f"{answer.intent} ({form}) mixes forms: {text}"
        STORE.buttons(answer.offers, form, today)


@pytest.mark.parametrize("form", ADDRESS_FORMS)
@pytest.mark.parametrize("today", DAYS, ids=str)
def test_plan_steps_render_in_both_forms(today: dt.date, form: str) -> None:
    for plan in STORE.plans.values():
        assert 3 <= len(plan.steps) <= 8, plan.id
        for part in (plan.title, plan.intro, plan.checkin_question, *plan.steps):
            text = STORE.text(part, form, today)
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


def test_a_key_written_twice_is_refused(tmp_path: Path) -> None:
    """PyYAML keeps the last of two equal keys silently; two editors adding the same fact must hear of it."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    facts = tmp_path / "content" / "facts.yml"
    facts.write_text(facts.read_text() + "  alarmnummer:\n    value: '911'\n")
    with pytest.raises(ContentError, match="alarmnummer.*twice"):
        load_store(tmp_path / "content")
