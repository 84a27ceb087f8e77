"""The Dutch readability measures (actions/readability.py) on sentences with known answers."""

from __future__ import annotations

import pytest

from actions.readability import (
    is_lexical,
    is_passive,
    measure,
    measure_all,
    split_sentences,
    syllables,
    tokens,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("kat", 1),
        ("huis", 1),  # ui
        ("maand", 1),  # aa
        ("nieuwe", 2),  # ieu-we
        ("draaien", 2),  # aai-en
        ("groeien", 2),  # oei-en
        ("eeuw", 1),
        ("vrijdag", 2),  # ij
        ("januari", 4),  # ja-nu-a-ri: u and a are two sounds
        ("ideaal", 3),  # i-de-aal
        ("beëindigen", 4),  # be-ëin-di-gen: the diaeresis starts a syllable
        ("financiële", 5),  # fi-nan-ci-ë-le
        ("coördinator", 5),
        ("cliëntondersteuner", 6),
        ("één", 1),  # accents without a diaeresis change nothing
        ("vóór", 1),
        ("schuldhulpverlening", 5),
        ("ondertoezichtstelling", 6),
        ("baby", 2),  # y as a vowel
        ("CJG", 3),  # an abbreviation is read letter by letter
        ("Wmo", 1),
    ],
)
def test_dutch_syllables(word: str, expected: int) -> None:
    assert syllables(word) == expected


def test_flesch_douma_of_a_known_sentence() -> None:
    # 6 words, 6 syllables: 206.84 - 0.77 x 100 - 0.93 x 6 = 124.26
    result = measure("De kat zit op de mat.")
    assert (result.sentences, result.words, result.syllables) == (1, 6, 6)
    assert result.flesch_douma == pytest.approx(124.26)


def test_flesch_douma_of_two_sentences() -> None:
    # bel va-ndaag de deur-waar-der (7), vraag een be-ta-lings-re-ge-ling aan (9): 8 words, 16
    # syllables, 2 sentences: 206.84 - 0.77 x 200 - 0.93 x 4 = 49.12
    result = measure("Bel vandaag de deurwaarder. Vraag een betalingsregeling aan.")
    assert (result.sentences, result.words, result.syllables) == (2, 8, 16)
    assert result.flesch_douma == pytest.approx(49.12)
    assert measure("Bel ons.").flesch_douma > result.flesch_douma  # shorter words read easier


def test_sentences_end_at_stops_question_marks_and_new_lines_but_not_in_times_or_amounts() -> None:
    text = "Bel van 9.00 tot 17.00 uur. Kost het € 2.500? Ja!\nStap 2:\nBetaal op tijd"
    assert split_sentences(text) == [
        "Bel van 9.00 tot 17.00 uur.",
        "Kost het € 2.500?",
        "Ja!",
        "Stap 2:",
        "Betaal op tijd",
    ]


def test_numbers_addresses_and_placeholders_count_as_read_but_not_as_long_or_hard_words() -> None:
    words = tokens("Bel {wijkteam_telefoon} of 0800-8115, of kijk op www.voorbeeldstad.nl (€ 25).")
    assert words == ["Bel", "{wijkteam_telefoon}", "of", "0800-8115", "of", "kijk", "op",
                     "www.voorbeeldstad.nl", "25"]  # fmt: skip
    assert [word for word in words if is_lexical(word)] == ["Bel", "of", "of", "kijk", "op"]
    result = measure("Bel {wijkteam_telefoon} of kijk op www.gemeentelijkeschuldhulpverlening.nl.")
    assert (result.words, result.lexical_words, result.long_words) == (6, 4, 0)


def test_long_words_have_more_than_twelve_letters() -> None:
    result = measure("Schuldhulpverlening en huurtoeslag. Ondertoezichtstelling!")
    # schuldhulpverlening (19) and ondertoezichtstelling (21) are long; huurtoeslag (11) is not
    assert (result.lexical_words, result.long_words) == (4, 2)
    assert result.long_word_share == pytest.approx(0.5)


@pytest.mark.parametrize(
    "sentence",
    [
        "Dat kan niet ongedaan worden gemaakt.",
        "Toeslagen mogen meestal niet worden ingehouden.",  # strong participle, separable prefix
        "De ouderbijdrage is in 2016 afgeschaft.",
        "Wordt het contract verlengd?",  # unstressed prefix, no ge-
        "Er wordt besloten.",
        "Je terugbelverzoek is doorgegeven.",
    ],
)
def test_passive_sentences(sentence: str) -> None:
    assert is_passive(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "De gemeente beslist over je aanvraag.",
        "Je bent gestopt bij stap 2.",  # perfect tense with zijn, active
        "Dan geldt dat ook.",  # ge...t, but a present tense
        "Dat gebeurt alleen als het nodig is.",
        "Is geweld thuis de reden?",  # a noun, not a participle
        "Dan wordt het een vast contract.",  # worden as 'become', no participle
        "Wij hebben je brief gelezen.",  # perfect tense with hebben
    ],
)
def test_active_sentences(sentence: str) -> None:
    assert not is_passive(sentence)


def test_a_corpus_is_measured_as_a_whole_not_as_an_average_of_averages() -> None:
    short, long = "Bel ons.", "Bel vandaag het wijkteam en vraag om een gesprek over je schulden."
    total = measure_all([short, long])
    assert total.sentences == 2
    assert total.words == 2 + 12
    assert total.words_per_sentence == pytest.approx(7.0)
    assert total.longest_sentence == 12
    assert measure_all([]).flesch_douma == pytest.approx(206.84)  # nothing to read: no division by zero
