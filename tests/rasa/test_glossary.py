"""The glossary (content/glossary.yml, actions/glossary.py): its content, its matching, and its actions.

Content: every entry in both forms, one short sentence; every piece of jargon and every abbreviation
in the resident texts is defined (or on a short, justified allow-list). Behaviour: a term is explained
the first time an answer or plan step uses it and never twice; "Wat betekent ...?" explains it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.content import ADDRESS_FORMS, FORBIDDEN_WORDS, ContentError, load_store
from actions.glossary import SLOT, ActionExplainTerm, load_glossary, names_a_word, parse_glossary
from actions.plans import ActionPlanNext, ActionPlanStart
from actions.readability import split_sentences, tokens
from tests.rasa.resident_texts import resident_texts
from tests.rasa.trackers import make_tracker

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = load_glossary(ROOT / "content")
STORE = load_store(ROOT / "content")
MAX_DEFINITION_WORDS = 25

# The jargon of issue 18 (and the words residents ask about every week): each must be defined.
JARGON = (
    "Wmo", "Wlz", "CAK", "AKJ", "ondertoezichtstelling", "OTS", "uithuisplaatsing", "zorg in natura",
    "pgb", "kantonrechter", "WSNP", "schuldsanering", "beschikking", "bewindvoerder",
    "beschermingsbewind", "budgetbeheer", "beslagvrije voet", "deurwaarder", "dagvaarding",
    "moratorium", "urgentieverklaring", "briefadres", "Huurcommissie", "toeslagpartner", "CJG",
    "jeugdbescherming", "kinderrechter", "verlengde jeugdhulp", "mantelzorg", "leerplicht",
    "ouderschapsplan", "vroegsignalering", "incassokosten", "bezwaar",
)  # fmt: skip
# Words in capitals (2+ capitals) that the texts may use without a glossary entry, and why.
ALLOWED_CAPITALS = {
    "ADHD": "a diagnosis residents know by this name; the texts send them to the huisarts for it",
    "VD": "the first letters of an example appointment code (VD-7K3P), not a word",
}
_CAPITALS = re.compile(r"\b[^\W\d_]*[A-Z][^\W\d_]*[A-Z][^\W\d_]*\b")


# --- The content ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ADDRESS_FORMS)
def test_every_entry_is_one_short_sentence_in_both_forms(form: str) -> None:
    assert len(GLOSSARY.terms) >= 40
    for term in GLOSSARY.terms.values():
        text = STORE.render(term.texts[form])  # also: every placeholder resolves
        assert text, f"{term.term}: no {form!r} text"
        assert not FORBIDDEN_WORDS[form].search(text), f"{term.term} ({form}) mixes forms: {text}"
        words = len(tokens(text))
        assert words <= MAX_DEFINITION_WORDS, f"{term.term} ({form}): {words} words"
        assert len(split_sentences(text)) == 1 and text.endswith("."), f"{term.term} ({form}): {text}"


def test_a_more_button_leads_to_an_existing_answer() -> None:
    linked = {term.term: term.answer for term in GLOSSARY.terms.values() if term.answer}
    assert linked
    assert not {term: answer for term, answer in linked.items() if answer not in STORE.answers}


@pytest.mark.parametrize("word", JARGON)
def test_the_jargon_of_the_issue_is_defined(word: str) -> None:
    assert GLOSSARY.find(word), f"{word!r} is not in content/glossary.yml (as a term or an alias)"


@pytest.mark.parametrize("form", ADDRESS_FORMS)
def test_every_abbreviation_in_the_texts_is_defined_or_allowed(form: str) -> None:
    undefined = {
        f"{word} ({name})"
        for name, text in resident_texts(form)
        for word in _CAPITALS.findall(text)
        if word not in ALLOWED_CAPITALS and not GLOSSARY.find(word)
    }
    assert not undefined, "define these in content/glossary.yml: " + ", ".join(sorted(undefined))


def test_the_texts_use_the_jargon_the_glossary_explains() -> None:
    """The check above is not empty: the texts do use glossary terms and abbreviations."""
    used = {term.term for _, text in resident_texts("je") for term in GLOSSARY.find(text)}
    assert {"Wmo", "Wlz", "CAK", "AKJ", "ondertoezichtstelling", "kantonrechter"} <= used
    capitals = {word for _, text in resident_texts("je") for word in _CAPITALS.findall(text)}
    assert {"AKJ", "CJG", "BSN"} <= capitals


# --- Matching (small glossaries written here) -----------------------------------------------------


def small_glossary(*entries: tuple[str, list[str]]) -> object:
    return parse_glossary(
        {"terms": [{"term": t, "aliases": a, "je": f"uitleg {t}.", "u": f"uitleg {t}."} for t, a in entries]}
    )


def test_terms_match_whole_words_in_any_capitals_and_the_longest_alias_wins() -> None:
    glossary = small_glossary(
        ("Wmo", ["Wet maatschappelijke ondersteuning"]),
        ("schuldsanering", []),
        ("Wsnp", ["wettelijke schuldsanering"]),
        ("bewind", []),
    )
    assert [t.term for t in glossary.find("Een WMO-consulent van de wmo.")] == ["Wmo"]
    assert [t.term for t in glossary.find("de wet  maatschappelijke\nondersteuning")] == ["Wmo"]
    assert glossary.find("wmoo, beschermingsbewind") == []  # no part of a word
    found = glossary.find("De wettelijke schuldsanering is geen gewone schuldsanering.")
    assert [t.term for t in found] == ["Wsnp", "schuldsanering"]
    assert [t.term for t in glossary.find("De Wsnp, en daarna de Wmo. De wmo!")] == ["Wsnp", "Wmo"]


def test_one_spelling_for_two_terms_is_refused() -> None:
    with pytest.raises(ContentError, match="belongs to both"):
        small_glossary(("beslag", ["loonbeslag"]), ("loonbeslag", []))


def test_a_glossary_file_with_a_key_written_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "glossary.yml").write_text(
        "terms:\n  - term: Wmo\n    explanation: Een wet.\n    explanation: Een andere wet.\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match="explanation"):
        load_glossary(tmp_path)


def test_a_question_with_a_typo_still_finds_the_term() -> None:
    glossary = small_glossary(("bewindvoerder", []), ("kantonrechter", []), ("Wmo", []))
    assert [t.term for t in glossary.lookup("wat is een bewindvoeder?")] == ["bewindvoerder"]
    assert [t.term for t in glossary.lookup("wat bedoel je met kanton rechter")] == ["kantonrechter"]
    assert glossary.lookup("wat betekent verhuurder") == []  # not close enough to anything
    assert glossary.lookup("wat is dat?") == []


@pytest.mark.parametrize(
    ("question", "names_one"),
    [
        ("wat betekent dat?", False),
        ("sorry, wat bedoel je daarmee?", False),
        ("wat betekent dat woord dat u gebruikt", False),
        ("ik ken dat moeilijke woord niet", False),
        ("wat is een zwartboek", True),
        ("wat is de kindertelefoon?", True),
    ],
)
def test_a_question_that_only_points_back_names_no_word(question: str, names_one: bool) -> None:
    assert names_a_word(question) is names_one


@pytest.mark.parametrize(
    "text",
    [
        "Dat heet de beslagvrije voet.",
        "Een beslagvrije voet is het deel van je loon dat je houdt.",
        "Het deel dat je houdt (de beslagvrije voet) staat in de brief.",
        "De beslagvrije voet (het deel dat je houdt) staat in de brief.",
    ],
)
def test_a_term_the_text_explains_itself_gets_no_extra_line(text: str) -> None:
    glossary = small_glossary(("beslagvrije voet", []))
    annotation = glossary.annotate(text, "je", explained=[])
    assert annotation.text == text
    assert annotation.newly_explained == ("beslagvrije voet",)


def test_at_most_two_lines_per_message_and_the_rest_later() -> None:
    glossary = small_glossary(("Wmo", []), ("Wlz", []), ("CAK", []))
    first = glossary.annotate("De Wmo, de Wlz en het CAK.", "je", explained=[])
    assert first.text == "De Wmo, de Wlz en het CAK.\n\nWmo: uitleg Wmo.\nWlz: uitleg Wlz."
    assert first.newly_explained == ("wmo", "wlz")
    second = glossary.annotate("Het CAK en de Wmo.", "je", explained=first.newly_explained)
    assert second.text == "Het CAK en de Wmo.\n\nCAK: uitleg CAK."
    third = glossary.annotate("De Wmo, de Wlz en het CAK.", "je", explained=["wmo", "wlz", "cak"])
    assert third.text == "De Wmo, de Wlz en het CAK." and third.newly_explained == ()


def test_a_phone_number_in_brackets_is_no_explanation() -> None:
    glossary = small_glossary(("Veilig Thuis", []))
    annotation = glossary.annotate("Bel Veilig Thuis (0800-2000).", "je", explained=[])
    assert annotation.text.endswith("Veilig Thuis: uitleg Veilig Thuis.")


# --- The actions, on a small content set --------------------------------------------------------

GLOSSARY_YML = """
terms:
  - term: Wmo
    aliases: [Wet maatschappelijke ondersteuning]
    je: "de wet waarmee de gemeente je helpt; bel {wijkteam_telefoon}."
    u: "de wet waarmee de gemeente u helpt; bel {wijkteam_telefoon}."
  - term: kantonrechter
    answer: schulden_aanmaning
    je: "de rechter voor huur en kleine geldzaken; je hebt er geen advocaat nodig."
    u: "de rechter voor huur en kleine geldzaken; u heeft er geen advocaat nodig."
  - term: bewindvoerder
    je: "iemand die je geldzaken regelt."
    u: "iemand die uw geldzaken regelt."
  - term: Wlz
    je: "de wet voor zorg dag en nacht."
    u: "de wet voor zorg dag en nacht."
"""
ANSWERS_YML = """
answers:
  - intent: schulden_aanmaning
    question: "Wat moet ik doen met een aanmaning?"
    je: "Soms beslist de kantonrechter. Een bewindvoerder kan je helpen. Vraag naar de Wmo."
    u: "Soms beslist de kantonrechter. Een bewindvoerder kan u helpen. Vraag naar de Wmo."
"""
PLANS_YML = """
plans:
  - id: test_plan
    topic: schulden
    title: {je: "Je post openen", u: "Uw post openen"}
    intro: {je: "We kijken naar de Wmo.", u: "We kijken naar de Wmo."}
    steps:
      - {je: "Vraag hulp via de Wmo.", u: "Vraag hulp via de Wmo."}
      - {je: "Ga naar de kantonrechter.", u: "Ga naar de kantonrechter."}
      - {je: "Klaar.", u: "Klaar."}
"""


@pytest.fixture(autouse=True)
def glossary_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "content", root)
    (root / "glossary.yml").write_text(GLOSSARY_YML)
    (root / "answers" / "schulden.yml").write_text(ANSWERS_YML)
    (root / "plans" / "schulden.yml").write_text(PLANS_YML)
    monkeypatch.setenv("CONTENT_DIR", str(root))
    monkeypatch.setenv("ADDRESS_FORM", "je")
    return root


async def run(action, **tracker_args):  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(**tracker_args), domain={})
    return dispatcher.messages, events


async def test_an_answer_explains_new_terms_once_and_not_twice() -> None:
    messages, events = await run(ActionAnswer(), intent="schulden_aanmaning", text="aanmaning")
    assert messages[0]["text"] == (
        "Soms beslist de kantonrechter. Een bewindvoerder kan je helpen. Vraag naar de Wmo.\n\n"
        "kantonrechter: de rechter voor huur en kleine geldzaken; je hebt er geen advocaat nodig.\n"
        "bewindvoerder: iemand die je geldzaken regelt.\n\n"
        "Heeft dit geholpen?"  # the feedback question ends every answer (actions/feedback.py)
    )
    assert [button["title"] for button in messages[0]["buttons"]] == ["Ja", "Nee"]  # the feedback only
    assert events == [SlotSet("topic", "schulden"), SlotSet(SLOT, ["kantonrechter", "bewindvoerder"])]

    # The same answer again, with the slot from the first turn: only the term left over (Wmo).
    slots = {"topic": "schulden", SLOT: ["kantonrechter", "bewindvoerder"]}
    messages, events = await run(ActionAnswer(), intent="schulden_aanmaning", text="nog eens", slots=slots)
    assert messages[0]["text"].endswith("Vraag naar de Wmo.\n\nWmo: de wet waarmee de gemeente je helpt; "
                                        "bel 0123-456 789.\n\nHeeft dit geholpen?")  # fmt: skip
    assert events == [SlotSet("topic", "schulden"), SlotSet(SLOT, ["kantonrechter", "bewindvoerder", "wmo"])]

    # A third time: nothing new to explain, and the slot is not set again.
    slots = {"topic": "schulden", SLOT: ["kantonrechter", "bewindvoerder", "wmo"]}
    messages, events = await run(ActionAnswer(), intent="schulden_aanmaning", text="en nog eens", slots=slots)
    assert "\n\n" not in messages[0]["text"].removesuffix("\n\nHeeft dit geholpen?")
    assert events == [SlotSet("topic", "schulden")]


async def test_the_u_form_explains_in_the_u_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "u")
    messages, _ = await run(ActionAnswer(), intent="schulden_aanmaning", text="aanmaning")
    assert (
        "kantonrechter: de rechter voor huur en kleine geldzaken; u heeft er geen advocaat nodig."
        in (messages[0]["text"])
    )


async def test_a_plan_explains_a_term_in_the_intro_and_not_again_in_the_step() -> None:
    messages, events = await run(ActionPlanStart(), entities=[{"entity": "plan_id", "value": "test_plan"}])
    assert messages[0]["text"] == (
        "We kijken naar de Wmo.\n\nWmo: de wet waarmee de gemeente je helpt; bel 0123-456 789."
    )
    assert messages[1]["text"] == "Stap 1 van 3:\nVraag hulp via de Wmo."  # explained just before
    assert SlotSet(SLOT, ["wmo"]) in events

    messages, events = await run(
        ActionPlanNext(), slots={"plan_id": "test_plan", "plan_step": 0.0, SLOT: ["wmo"]}
    )
    assert messages[0]["text"].endswith("Ga naar de kantonrechter.\n\nkantonrechter: de rechter voor huur en "
                                        "kleine geldzaken; je hebt er geen advocaat nodig.")  # fmt: skip
    assert events[-1] == SlotSet(SLOT, ["wmo", "kantonrechter"])


async def test_wat_betekent_explains_the_term_and_remembers_it() -> None:
    messages, events = await run(ActionExplainTerm(), intent="ask_term", text="Wat betekent Wmo?")
    assert messages[0]["text"] == "Wmo: de wet waarmee de gemeente je helpt; bel 0123-456 789."
    assert messages[0]["buttons"] == []
    assert events == [SlotSet(SLOT, ["wmo"])]
    # Asked again: explained again (the resident asks), but the slot does not change.
    messages, events = await run(
        ActionExplainTerm(), intent="ask_term", text="wat is de wmo", slots={SLOT: ["wmo"]}
    )
    assert messages[0]["text"].startswith("Wmo: ")
    assert events == []


async def test_wat_betekent_in_the_u_form_with_a_typo_and_a_button_to_the_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "u")
    messages, events = await run(
        ActionExplainTerm(), intent="ask_term", text="wat bedoelt u met kantonrechtter"
    )
    assert messages[0]["text"] == (
        "kantonrechter: de rechter voor huur en kleine geldzaken; u heeft er geen advocaat nodig."
    )
    assert messages[0]["buttons"] == [{"title": "Meer over kantonrechter", "payload": "/schulden_aanmaning"}]
    assert events == [SlotSet(SLOT, ["kantonrechter"])]


async def test_wat_betekent_dat_explains_the_terms_of_the_previous_message() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="ask_term", text="wat betekent dat?", slots={SLOT: ["kantonrechter"]})
    tracker.events = [
        {"event": "bot", "text": "Ga naar de kantonrechter, of vraag een bewindvoerder of de Wlz."},
        {"event": "user", "text": "wat betekent dat?"},
    ]
    events = await ActionExplainTerm().run(dispatcher, tracker, domain={})
    lines = dispatcher.messages[0]["text"].split("\n")
    # Not yet explained first (bewindvoerder, Wlz), then the one explained before; at most three.
    assert [line.split(":")[0] for line in lines] == ["bewindvoerder", "Wlz", "kantonrechter"]
    assert events == [SlotSet(SLOT, ["kantonrechter", "bewindvoerder", "wlz"])]


async def test_an_unknown_word_gets_a_kind_answer_with_examples_a_likely_answer_and_a_person() -> None:
    ranking = [("ask_term", 0.5), ("schulden_aanmaning", 0.3), ("greet", 0.2)]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="ask_term", text="wat is een zwartboek", ranking=ranking)
    tracker.events = [{"event": "bot", "text": "Vraag naar de Wmo."}]  # not what was asked about
    events = await ActionExplainTerm().run(dispatcher, tracker, domain={})
    messages = dispatcher.messages
    text = messages[0]["text"]
    assert text.startswith("Dat woord ken ik nog niet.")
    assert "Wmo of kantonrechter" in text and "wat betekent Wmo?" in text
    assert not FORBIDDEN_WORDS["je"].search(text)
    assert messages[0]["buttons"] == [
        {"title": "Wat moet ik doen met een aanmaning?", "payload": "/schulden_aanmaning"},
        {"title": "Iemand spreken", "payload": "/request_human"},
    ]
    assert events == []


async def test_an_unknown_word_in_the_u_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "u")
    messages, _ = await run(ActionExplainTerm(), intent="ask_term", text="wat betekent zwartboek?")
    assert "U kunt het ook aan iemand van het wijkteam vragen." in messages[0]["text"]
    assert not FORBIDDEN_WORDS["u"].search(messages[0]["text"])
    assert messages[0]["buttons"] == [{"title": "Iemand spreken", "payload": "/request_human"}]


@pytest.mark.parametrize(
    ("form", "question"), [("je", "Welk woord bedoel je?"), ("u", "Welk woord bedoelt u?")]
)
async def test_pointing_back_at_a_message_without_jargon_asks_which_word(
    form: str, question: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADDRESS_FORM", form)
    messages, events = await run(ActionExplainTerm(), intent="ask_term", text="wat?")
    assert messages[0]["text"] == f"{question} Typ bijvoorbeeld: wat betekent Wmo?"
    assert messages[0]["buttons"] == [{"title": "Iemand spreken", "payload": "/request_human"}]
    assert events == []


async def test_without_a_glossary_file_nothing_changes(glossary_content: Path) -> None:
    (glossary_content / "glossary.yml").unlink()
    messages, events = await run(ActionAnswer(), intent="schulden_aanmaning", text="aanmaning")
    assert "\n\n" not in messages[0]["text"].removesuffix("\n\nHeeft dit geholpen?")
    assert events == [SlotSet("topic", "schulden")]
