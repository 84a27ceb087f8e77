"""No hard-coded numbers in resident texts: amounts, terms, dates and phone numbers come from facts.

Scans the raw texts (before rendering) of every answer, every plan title, intro and step, and the crisis
templates (content/crisis.yml). Outside {placeholders} a text may contain no digits and no written-out
number with a unit ("drie maanden", "twee keer"), except the short list in ALLOWED. So a yearly amount
or a term that changes is edited in one place, content/facts.yml, with its source and date.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from actions.content import ADDRESS_FORMS, load_store

ROOT = Path(__file__).resolve().parents[2]
STORE = load_store(ROOT / "content")
CRISIS = yaml.safe_load((ROOT / "content" / "crisis.yml").read_text(encoding="utf-8"))

UNITS = "werkdagen|werkdag|dagen|dag|weken|week|maanden|maand|jaren|jaar|uur|keer|procent|euro"
# The only numbers a text may write out (as patterns), each with the reason it is not a fact.
ALLOWED = {
    # "18", "18 jaar", "vóór 18", "de 18e verjaardag"; not "18 maanden" (a term, so a fact).
    rf"\b18e?\b(?!\s*(?:(?!jaar\b)(?:{UNITS})\b|%))": (
        "the age of majority (Burgerlijk Wetboek 1:233), where the Jeugdwet and free health insurance for"
        " children end; fixed in law, not a figure that changes by year or by source"
    ),
    r"\b0906(?=-nummer)": (
        "a warning against paid 0906 forwarding services; a kind of number, not one to call"
    ),
}
# 112 is deliberately NOT allowed: in content it is the fact {alarmnummer}, like every crisis line.

PLACEHOLDER = re.compile(r"\{[a-z0-9_]+\}")
NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
NUMBER_WORDS = (
    "twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|"
    "zestien|zeventien|achttien|negentien|twintig|dertig|half|halve"
)
WORDED = re.compile(rf"\b(?:{NUMBER_WORDS})\s+(?:{UNITS})\b", re.IGNORECASE)
MONEY_WORDS = re.compile(r"\b(?:procent|euro)\b|[€%]", re.IGNORECASE)


def hard_coded(text: str) -> list[str]:
    """The numbers, amounts and terms written out in `text` outside its placeholders."""
    bare = PLACEHOLDER.sub(" ", text)
    for pattern in ALLOWED:
        bare = re.sub(pattern, " ", bare)
    found = NUMBER.findall(bare)
    found += WORDED.findall(bare)
    found += MONEY_WORDS.findall(bare)
    return found


def resident_texts() -> list[tuple[str, str]]:
    """(where, raw text) for every resident text in content/, both forms."""
    texts: list[tuple[str, str]] = []
    for answer in STORE.answers.values():
        texts += [(f"answer {answer.intent} ({form})", answer.texts[form]) for form in ADDRESS_FORMS]
    for plan in STORE.plans.values():
        parts = [("title", plan.title), ("intro", plan.intro)]
        parts += [(f"step {n}", step) for n, step in enumerate(plan.steps, start=1)]
        texts += [
            (f"plan {plan.id} {part} ({form})", forms[form])
            for part, forms in parts
            for form in ADDRESS_FORMS
        ]
    for name, raw in CRISIS["responses"].items():
        texts += [(f"crisis.yml {name} ({form})", raw[form]) for form in ADDRESS_FORMS]
    return texts


def test_no_resident_text_hard_codes_a_number() -> None:
    offenders = [f"{where}: {found}" for where, text in resident_texts() if (found := hard_coded(text))]
    assert offenders == [], "use a {fact} from content/facts.yml instead:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je krijgt 14 dagen om te betalen.", ["14"]),
        ("Minimaal € 40, tot 15% van het bedrag.", ["40", "15", "€", "%"]),
        ("Bel Veilig Thuis: 0800-2000 of bel 112.", ["0800", "2000", "112"]),
        ("Dat duurt meestal drie maanden, of een half jaar.", ["drie maanden", "half jaar"]),
        ("Sinds 1 juli 2024 is dat anders.", ["1", "2024"]),
        ("Open, elke dag van 11.00 tot 21.00 uur.", ["11.00", "21.00"]),
        ("Twee keer de huur als borg, of vijf procent.", ["Twee keer", "vijf procent", "procent"]),
        ("Mijn kind wordt 18. De regeling duurt 18 maanden.", ["18"]),
    ],
)
def test_the_scan_finds_what_it_should(text: str, expected: list[str]) -> None:
    assert hard_coded(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Je krijgt {wik_betaaltermijn} om te betalen. Bel {alarmnummer}.",
        "Mijn kind wordt 18. Vóór 18 jaar, op de 18e verjaardag. Bel nooit een betaald 0906-nummer.",
        "Zoek drie dingen: van wie, hoeveel en wanneer. Open de brieven één voor één.",
    ],
)
def test_placeholders_and_the_allowed_list_pass(text: str) -> None:
    assert hard_coded(text) == []


# Lines that cost nothing say so (112 is known to be free and is left out); the Juridisch Loket's line
# costs money per minute, with a cap.
FREE_LINES = (
    "zelfmoordpreventie_telefoon",
    "veilig_thuis_telefoon",
    "kindertelefoon_telefoon",
    "csg_telefoon",
    "geldfit_telefoon",
    "belastingtelefoon",
    "akj_telefoon",
)
PAID_LINE_COST = {
    "juridisch_loket_telefoon": (
        "{juridisch_loket_minuuttarief} per minuut",
        "maximaal {juridisch_loket_max_gesprek}",
    )
}


def test_the_juridisch_loket_number_always_comes_with_its_cost() -> None:
    missing = [
        where
        for where, text in resident_texts()
        for line, cost in PAID_LINE_COST.items()
        if f"{{{line}}}" in text and not all(part in text for part in cost)
    ]
    assert missing == []


def test_free_lines_say_they_are_free() -> None:
    missing = [
        f"{where}: {line}"
        for where, text in resident_texts()
        for line in FREE_LINES
        if f"{{{line}}}" in text and "gratis" not in text.lower()
    ]
    assert missing == []


def test_crisis_templates_use_only_facts() -> None:
    facts = yaml.safe_load((ROOT / "content" / "facts.yml").read_text(encoding="utf-8"))["facts"]
    for name, raw in CRISIS["responses"].items():
        for form in ADDRESS_FORMS:
            keys = set(PLACEHOLDER.findall(raw[form]))
            assert keys, f"{name} ({form}) has no number"
            assert {key.strip("{}") for key in keys} <= set(facts), f"{name} ({form}): {keys}"


# Hand-written domain responses (not generated from content/) may name a crisis or service line
# literally ("Is er gevaar? Bel dan 112."), because they cannot use facts at runtime. Each such number
# must still be the current value of a fact, so changing a fact shows where else it is written.
SERVICE_NUMBER = re.compile(r"\b(?:0800|0900|088)[- ]?\d[\d ]*\d\b|\b11[23]\b")
GENERATED_DOMAIN = {"answers.yml", "safety.yml"}


def test_service_numbers_in_hand_written_domain_responses_are_current_facts() -> None:
    facts = yaml.safe_load((ROOT / "content" / "facts.yml").read_text(encoding="utf-8"))["facts"]
    values = {number for raw in facts.values() for number in SERVICE_NUMBER.findall(str(raw["value"]))}
    unknown = []
    for path in sorted((ROOT / "domain").glob("*.yml")):
        if path.name in GENERATED_DOMAIN:
            continue
        responses = yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}
        for name, variations in responses.items():
            for variation in variations:
                numbers = SERVICE_NUMBER.findall(variation["text"])
                unknown += [f"{path.name} {name}: {number}" for number in numbers if number not in values]
    assert unknown == []
