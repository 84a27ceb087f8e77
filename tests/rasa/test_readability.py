"""No resident text gets harder to read: today's level of every answer, plan, glossary line and response.

The measures are in actions/readability.py (Flesch-Douma, sentence length, long words, passive voice).
The texts are those a resident reads, per form of address, with the content placeholders filled in:
answers, stappenplan titles, intros and steps, glossary sentences (without the term they explain:
that word is hard by nature, the sentence is ours), the responses in domain/*.yml and the actions'
own messages (tests/rasa/resident_texts.py).

The thresholds below are TODAY'S LEVEL (measured 2026-12-06 over the texts of that day), not a B1
norm: a new or edited text may not make the corpus harder, and no single text may fall below the
hardest text of today. Other texts are being rewritten and added in parallel (issue 18), so after
merging, measure again (`python -m tests.rasa.test_readability`) and set the constants to the new
figures if they are at least as good, or improve the text that fails.
"""

from __future__ import annotations

import re

import pytest

from actions.content import ADDRESS_FORMS
from actions.readability import Readability, measure, measure_all, split_sentences, tokens
from tests.rasa.resident_texts import resident_texts

# --- Today's level (2026-12-06; both forms: je / u). Corpus: all texts of one form together. ------
MIN_CORPUS_FLESCH_DOUMA = 82.0  # 82.0 / 82.1 (issue 18 texts merged, 2026-12-06); higher is easier
MAX_CORPUS_WORDS_PER_SENTENCE = 7.75  # 7.69 / 7.71
MAX_CORPUS_LONG_WORD_SHARE = 0.020  # 1.95% of the words with letters only have more than 12 letters
MAX_CORPUS_PASSIVE_SHARE = 0.017  # 1.68% / 1.69% of the sentences (23 of about 1,365)
# --- Per text: the hardest text of today sets the floor. -------------------------------------------
MIN_TEXT_FLESCH_DOUMA = 39.0  # 39.8: glossary SVB; then 44.7 glossary ondertoezichtstelling
MIN_WORDS_FOR_TEXT_SCORE = 12  # shorter texts (titles, labels) swing with one long word; not scored
MAX_SENTENCE_WORDS = 22  # the longest sentence of any text (glossary CAK)


def longest_sentence(text: str) -> str:
    return max(split_sentences(text), key=lambda sentence: len(tokens(sentence)), default="")


@pytest.fixture(scope="module", params=ADDRESS_FORMS)
def form_texts(request: pytest.FixtureRequest) -> tuple[str, list[tuple[str, str]]]:
    return request.param, list(resident_texts(request.param))


def test_the_corpus_is_complete(form_texts: tuple[str, list[tuple[str, str]]]) -> None:
    """Negative control: the collection really holds every kind of text."""
    _, texts = form_texts
    kinds = {name.split()[0] for name, _ in texts}
    assert kinds == {"answer", "plan", "glossary", "response", "message"}
    assert len(texts) > 300
    assert not [name for name, text in texts if not text.strip()]


def corpus_problems(total: Readability) -> list[str]:
    problems = []
    if total.flesch_douma < MIN_CORPUS_FLESCH_DOUMA:
        problems.append(f"Flesch-Douma {total.flesch_douma:.1f} < {MIN_CORPUS_FLESCH_DOUMA}")
    if total.words_per_sentence > MAX_CORPUS_WORDS_PER_SENTENCE:
        problems.append(
            f"words per sentence {total.words_per_sentence:.2f} > {MAX_CORPUS_WORDS_PER_SENTENCE}"
        )
    if total.long_word_share > MAX_CORPUS_LONG_WORD_SHARE:
        problems.append(f"long words {total.long_word_share:.2%} > {MAX_CORPUS_LONG_WORD_SHARE:.1%}")
    if total.passive_share > MAX_CORPUS_PASSIVE_SHARE:
        problems.append(f"passive sentences {total.passive_share:.2%} > {MAX_CORPUS_PASSIVE_SHARE:.1%}")
    return problems


def text_failures(form: str, texts: list[tuple[str, str]]) -> list[str]:
    """One line per text that is harder than today's hardest: which text, by how much, and where."""
    failures = []
    for name, text in texts:
        result = measure(text)
        if result.words >= MIN_WORDS_FOR_TEXT_SCORE and result.flesch_douma < MIN_TEXT_FLESCH_DOUMA:
            failures.append(
                f"{name} ({form}): Flesch-Douma {result.flesch_douma:.1f}, "
                f"{MIN_TEXT_FLESCH_DOUMA - result.flesch_douma:.1f} below {MIN_TEXT_FLESCH_DOUMA}: "
                f"{text[:80]!r}"
            )
        if result.longest_sentence > MAX_SENTENCE_WORDS:
            failures.append(
                f"{name} ({form}): a sentence of {result.longest_sentence} words, "
                f"{result.longest_sentence - MAX_SENTENCE_WORDS} over {MAX_SENTENCE_WORDS}: "
                f"{longest_sentence(text)!r}"
            )
    return failures


def test_the_corpus_is_no_harder_than_today(form_texts: tuple[str, list[tuple[str, str]]]) -> None:
    form, texts = form_texts
    problems = corpus_problems(measure_all(text for _, text in texts))
    assert not problems, f"{form}: the texts got harder to read: " + "; ".join(problems)


def test_no_text_is_harder_than_the_hardest_of_today(form_texts: tuple[str, list[tuple[str, str]]]) -> None:
    form, texts = form_texts
    failures = text_failures(form, texts)
    assert not failures, "\n".join(failures)


def test_a_harder_text_is_named_with_its_margin() -> None:
    """Negative control: officialese fails, and the message says which text and by how much."""
    officialese = (
        "Indien de belanghebbende reeds eerder een aanvraag tot bijzondere bijstand heeft ingediend, "
        "dient de gemeentelijke schuldhulpverleningsorganisatie de aanvraag opnieuw te beoordelen, "
        "waarbij de beslagvrije voet door de deurwaarder wordt herberekend."
    )
    failures = text_failures("je", [("answer schulden_test", officialese), ("answer ok", "Bel ons gerust.")])
    assert len(failures) == 2  # too hard, and one sentence far too long; the easy text passes
    assert all(line.startswith("answer schulden_test (je): ") for line in failures)
    assert re.search(r"Flesch-Douma -?\d+\.\d, \d+\.\d below 39\.0", failures[0])
    assert re.search(r"a sentence of 3\d words, \d+ over 22", failures[1])
    assert corpus_problems(measure(officialese))  # and it would make a corpus harder


def report(form: str) -> str:
    """Today's figures, for setting the thresholds above (run this module as a script)."""
    texts = list(resident_texts(form))
    total = measure_all(text for _, text in texts)
    per_text = sorted(
        (measure(text).flesch_douma, name)
        for name, text in texts
        if measure(text).words >= MIN_WORDS_FOR_TEXT_SCORE
    )
    longest = max((measure(text).longest_sentence, name) for name, text in texts)
    return "\n".join(
        [
            f"form {form}: {len(texts)} texts, {total.sentences} sentences, {total.words} words",
            f"  corpus Flesch-Douma {total.flesch_douma:.1f}",
            f"  words per sentence {total.words_per_sentence:.2f}",
            f"  longest sentence {longest[0]} words ({longest[1]})",
            f"  syllables per word {total.syllables_per_word:.3f}",
            f"  long words {total.long_words} ({total.long_word_share:.2%})",
            f"  passive sentences {total.passive_sentences} ({total.passive_share:.2%})",
            "  hardest texts: " + "; ".join(f"{name} {score:.1f}" for score, name in per_text[:5]),
        ]
    )


if __name__ == "__main__":
    for address_form in ADDRESS_FORMS:
        print(report(address_form))
