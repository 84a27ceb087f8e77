"""Several municipalities in the content (issue 23): content/local.yml is the default municipality's
(Voorbeeldstad), content/local/<slug>.yml another's. Every municipality defines every local value the
texts use, texts render with the resident's municipality's values, and the demo and review-date checks
cover every municipality file."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from actions.content import ADDRESS_FORMS, load_store
from bot.assistant.municipality import bare_answer, explicit_choice
from bot.assistant.settings import RasaSideSettings, SettingsError
from bot.content_facts import demo_refusal, load_content_facts

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SECRETS = {"BACKEND_SERVICE_TOKEN": "s" * 32, "RASA_AUTH_TOKEN": "r" * 32}
DAY = dt.date(2026, 12, 1)


def response_texts() -> list[tuple[str, str]]:
    """Every text of the domain's responses, named by the response."""
    texts = []
    for path in sorted((ROOT / "domain").glob("*.yml")):
        for name, variations in (
            yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}
        ).items():
            texts += [(f"response {name}", str(variation.get("text") or "")) for variation in variations]
    return texts


def test_heideveen_is_a_municipality_with_its_own_file_and_the_content_is_consistent() -> None:
    store = load_store(CONTENT)
    assert set(store.municipal) == {"heideveen"}
    assert store.problems() == []


def test_every_municipality_defines_every_local_value_the_texts_use() -> None:
    store = load_store(CONTENT)
    used = store.local_keys_used(response_texts())
    # The check is not empty: answers, plan steps and responses use the phone number, for one.
    assert {"wijkteam_telefoon", "spreekuur_info", "schuldhulp_aanmelden"} <= set(used)
    assert any(name.startswith("response ") for name in used["wijkteam_telefoon"])
    assert store.missing_municipal_values(response_texts()) == []
    for slug, facts in store.municipal.items():
        same = [key for key in used if facts.values[key] == store.local_values[key]]
        assert same == [], f"{slug} repeats the default's {same}"


def test_a_missing_value_is_reported_and_falls_back_to_the_default(tmp_path: Path) -> None:
    root = tmp_path / "content"
    (root / "answers").mkdir(parents=True)
    (root / "local").mkdir()
    (root / "facts.yml").write_text("facts: {}\n")
    (root / "local.yml").write_text(
        "valid_until: 2027-06-30\nvalues:\n  wijkteam_telefoon: '0123-456 789'\n"
        "  gemeente_naam: 'gemeente A'\n"
    )
    (root / "local" / "heideveen.yml").write_text(
        "valid_until: 2027-06-30\nvalues:\n  gemeente_naam: 'gemeente B'\n"
    )
    (root / "answers" / "algemeen.yml").write_text(
        "answers:\n  - intent: algemeen_contact\n    je: 'Bel {wijkteam_telefoon} ({gemeente_naam}).'\n"
        "    u: 'Bel {wijkteam_telefoon} ({gemeente_naam}).'\n"
    )
    store = load_store(root)
    assert store.missing_municipal_values() == [
        "local/heideveen.yml: no value for {wijkteam_telefoon} (used by answer algemeen_contact)"
    ]
    text = store.answers["algemeen_contact"].texts
    assert store.text(text, "je", DAY, municipality="heideveen") == "Bel 0123-456 789 (gemeente B)."
    assert store.text(text, "je", DAY) == "Bel 0123-456 789 (gemeente A)."
    assert store.text(text, "je", DAY, municipality="onbekend") == "Bel 0123-456 789 (gemeente A)."


def test_a_key_only_a_municipality_has_and_a_bad_file_name_are_problems(tmp_path: Path) -> None:
    root = tmp_path / "content"
    (root / "local").mkdir(parents=True)
    (root / "facts.yml").write_text("facts: {}\n")
    (root / "local.yml").write_text("valid_until: 2027-06-30\nvalues:\n  wijkteam_telefoon: '0123'\n")
    (root / "local" / "heideveen.yml").write_text("valid_until: 2027-06-30\nvalues:\n  eigen_sleutel: 'x'\n")
    (root / "local" / "Oud Heide.yml").write_text("valid_until: 2027-06-30\nvalues: {}\n")
    problems = load_store(root).problems()
    assert (
        "local/heideveen.yml: 'eigen_sleutel' is not a value of local.yml (the default needs every key)"
        in problems
    )
    assert any(line.startswith("local/Oud Heide.yml: the file name must be") for line in problems)


@pytest.mark.parametrize("form", ADDRESS_FORMS)
def test_answers_render_each_municipalitys_own_phone_number_and_way_in(form: str) -> None:
    store = load_store(CONTENT)
    heideveen = store.municipal["heideveen"].values
    for answer in store.answers.values():
        default = store.text(answer.texts, form, DAY)
        own = store.text(answer.texts, form, DAY, municipality="heideveen")
        if "{wijkteam_telefoon}" in answer.texts[form]:
            assert "0987-654 321" in own and "0123-456 789" not in own, answer.intent
            assert "0123-456 789" in default and "0987-654 321" not in default, answer.intent
        if not store.uses_local_values(answer.texts):
            assert own == default, answer.intent
    signup = [a for a in store.answers.values() if "{schuldhulp_aanmelden}" in a.texts[form]]
    assert signup, "an answer names where to sign up for debt help"
    own = store.text(signup[0].texts, form, DAY, municipality="heideveen")
    assert heideveen["schuldhulp_aanmelden"] in own and "0987-654 321" in own


def test_plan_steps_render_with_the_municipalitys_values() -> None:
    store = load_store(CONTENT)
    steps = [step for plan in store.plans.values() for step in plan.steps if store.uses_local_values(step)]
    assert steps, "a plan step names a local value"
    for step in steps:
        assert store.text(step, "je", DAY, municipality="heideveen") != store.text(step, "je", DAY)
    spreekuur = [step for step in steps if "{spreekuur_info}" in step["je"]]
    assert spreekuur and "dorpshuis van Heideveen" in store.text(
        spreekuur[0], "je", DAY, municipality="heideveen"
    )


def test_the_demo_refusal_covers_every_municipality_file(tmp_path: Path) -> None:
    local = "valid_until: 2099-01-01\ndemo: []\nvalues:\n  wijkteam_telefoon: '020-123 4567'\n"
    (tmp_path / "local").mkdir()
    (tmp_path / "local.yml").write_text(local)
    (tmp_path / "local" / "heideveen.yml").write_text(local.replace("demo: []", "demo: [wijkteam_telefoon]"))
    refusal = demo_refusal(tmp_path, "production")
    assert refusal is not None and "heideveen.yml still holds demo values for wijkteam_telefoon" in refusal
    with pytest.raises(SettingsError, match="heideveen.yml still holds demo values"):
        RasaSideSettings.from_env({"VOORDEUR_ENV": "production", **SECRETS, "CONTENT_DIR": str(tmp_path)})
    (tmp_path / "local" / "heideveen.yml").write_text(local)
    assert demo_refusal(tmp_path, "production") is None


def test_the_real_heideveen_file_is_marked_as_demo_and_refused_outside_development() -> None:
    facts = load_content_facts(CONTENT)
    assert set(facts.demo_values()) == {"local.yml", "local/heideveen.yml"}
    assert set(facts.municipal["heideveen"].demo) == set(facts.municipal["heideveen"].values)
    refusal = demo_refusal(CONTENT, "production")
    assert (
        refusal is not None and "local.yml still holds" in refusal and "heideveen.yml still holds" in refusal
    )


def test_content_check_lists_each_municipality_files_review_date_and_demo_values(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "scripts/content_check.py", "--today", "2027-06-01", "--content-dir", str(CONTENT)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "local/heideveen.yml (controledatum)" in result.stdout  # expires within 60 days of 2027-06-01
    assert "Demo values in local/heideveen.yml (refused outside VOORDEUR_ENV=development): wijkteam_naam" in (
        result.stdout
    )
    assert "Demo values in local.yml" in result.stdout


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("ik woon in Heideveen", "Heideveen"),
        ("Ik woon in de gemeente Heideveen.", "Heideveen"),
        ("wij wonen in Oud-Heide", "Oud-Heide"),
        ("mijn postcode is 9876 AB", "9876 AB"),
        ("postcode: 9876", "9876"),
        ("ik woon in een huurhuis", "een huurhuis"),  # a candidate only: the lookup finds nothing
        ("ik woon in een huurhuis en heb een achterstand, wat nu?", None),
        ("Ik heb schulden", None),
        ("waar woon ik?", None),
    ],
)
def test_a_municipality_choice_is_recognised_in_a_sentence(text: str, query: str | None) -> None:
    assert explicit_choice(text) == query


@pytest.mark.parametrize(
    ("text", "answer"),
    [("Heideveen", "Heideveen"), ("oud-heide", "oud-heide"), ("9876 AB", "9876 AB"), ("/affirm", None),
     ("ik weet het echt niet zeker", None), ("112", None)],
)  # fmt: skip
def test_a_bare_answer_to_the_question_is_a_place_or_postcode(text: str, answer: str | None) -> None:
    assert bare_answer(text) == answer
