"""How easy a Dutch resident text is to read: Flesch-Douma, sentence length, long words, passive voice.

Standard library only; no maintained library in the locked Rasa environment handles Dutch (textstat
is not in requirements/rasa.lock). The measures are the usual heuristics of Dutch plain-language
checks, meant to compare texts with each other and over time, not to certify a B1 level:

- **Flesch-Douma** (Douma 1960, Flesch reading ease for Dutch):
  206.84 - 0.77 x syllables per 100 words - 0.93 x words per sentence. Higher is easier; about 80
  and up is easy, 60-80 fairly easy, below 50 hard.
- **Syllables** are counted as vowel groups: aa, ee, oo, uu, ie, oe, eu, ui, ei, ij, ou, au (and aai,
  ooi, oei, eeu, ieu) are one sound; a vowel with a diaeresis (ë, ï, ü, ö) starts a new syllable
  (be-ëin-di-gen, fi-nan-ci-ë-le). Loan words can be off by one.
- **Words** for syllables and word length are words with letters only. Placeholders (`{key}`),
  web and mail addresses, phone numbers, amounts and other tokens with digits do count for sentence
  length (a resident reads them), but not for syllables or long words.
- **Long words** have more than 12 letters (schuldhulpverlening, ondertoezichtstelling).
- **Passive voice**: a sentence with a form of "worden", or of "zijn" (only with a participle that is
  not usually conjugated with "zijn" in the perfect: "is gestopt" is active), together with a past
  participle: ge...d/t or ge...en, also after a separable prefix (afgeschaft, ingehouden); next to
  "worden" also be-/ver-/ont-/her-/er- participles on -d and a few strong ones (verlengd, besloten).
  A heuristic: it both misses and over-counts a little, which is fine for comparing texts over time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

LONG_WORD_LETTERS = 12
# Longest first: a group of vowels is split into these sounds, each one syllable.
_SOUNDS = (
    "aai",
    "ooi",
    "oei",
    "eeu",
    "ieu",
    "aa",
    "ee",
    "oo",
    "uu",
    "ie",
    "oe",
    "eu",
    "ui",
    "ei",
    "ij",
    "ou",
    "au",
)
_VOWELS = set("aeiouy")
_DIAERESIS = "\u0308"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_PLACEHOLDER = re.compile(r"^\{[^{}]*\}$")
_ADDRESS = re.compile(r"(?:www\.|https?://|@|\.(?:nl|com|org|eu)\b)", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_ACRONYM = re.compile(r"^[A-Z]{2,5}$")
_EDGE_PUNCTUATION = "\"'“”‘’()[]«»,.;:!?…*-–—/"

_WORDEN = {"word", "wordt", "worden", "werd", "werden", "geworden"}
_ZIJN = {"ben", "bent", "is", "zijn", "was", "waren", "geweest"}
_SEPARABLE_PREFIXES = (
    "aan", "af", "bij", "door", "in", "los", "mee", "na", "om", "op", "over", "samen", "terug", "toe",
    "uit", "vast", "voor", "weg",
)  # fmt: skip
# ge...d/t (weak verbs) and ge...en (strong verbs: gegeven, ingehouden), with a separable prefix or not.
_PARTICIPLE = re.compile(rf"^(?:{'|'.join(_SEPARABLE_PREFIXES)})?ge[a-z]{{2,}}(?:[dt]|[^aeiou]en)$")
# Verbs with an unstressed prefix have no ge- (besloten, verlengd): counted only next to "worden".
# Only -d (verlengd, betaald): -t is often a present tense ("beslist") and -en an infinitive ("betalen").
_PREFIXED_PARTICIPLE = re.compile(r"^(?:be|ver|ont|her|er)[a-z]{2,}d$")
_PREFIXED_STRONG_PARTICIPLES = {"besloten", "verboden", "verbonden", "verloren", "beschreven", "ontnomen"}
# Words of that shape that are no participle ("Dat gebeurt", "Dan geldt") or nouns.
_NOT_PARTICIPLES = {
    "gebeurt", "geldt", "gebied", "gezondheid", "gemeenten", "gebeuren", "gezinnen", "gesprekken",
    "gebieden", "geleden", "gelegen", "geduld", "gehad", "geweld", "geeft", "gewond", "gezond",
}  # fmt: skip
# Participles that take "zijn" in the perfect tense: "is gestopt" is active, not passive.
_PERFECT_WITH_ZIJN = {
    "gestopt", "gebeurd", "gelukt", "gegroeid", "gestart", "geslaagd", "gebleven", "gestegen",
    "gedaald", "geland", "gereisd", "gescheiden", "getrouwd", "gekomen", "gevallen", "gestorven",
    "gebleken", "geboren", "opgegroeid", "weggegaan", "teruggekomen", "geweest", "aangekomen",
}  # fmt: skip


@dataclass(frozen=True)
class Readability:
    sentences: int
    words: int  # every word a resident reads, including numbers and placeholders
    lexical_words: int  # words of letters only: the base for syllables and long words
    syllables: int
    long_words: int
    longest_sentence: int
    passive_sentences: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def syllables_per_word(self) -> float:
        return self.syllables / self.lexical_words if self.lexical_words else 0.0

    @property
    def flesch_douma(self) -> float:
        return 206.84 - 0.77 * 100 * self.syllables_per_word - 0.93 * self.words_per_sentence

    @property
    def long_word_share(self) -> float:
        return self.long_words / self.lexical_words if self.lexical_words else 0.0

    @property
    def passive_share(self) -> float:
        return self.passive_sentences / self.sentences if self.sentences else 0.0

    def __add__(self, other: Readability) -> Readability:
        return Readability(
            self.sentences + other.sentences,
            self.words + other.words,
            self.lexical_words + other.lexical_words,
            self.syllables + other.syllables,
            self.long_words + other.long_words,
            max(self.longest_sentence, other.longest_sentence),
            self.passive_sentences + other.passive_sentences,
        )


EMPTY = Readability(0, 0, 0, 0, 0, 0, 0)


def syllables(word: str) -> int:
    """Dutch syllables of one word, by vowel groups (at least 1 for a word with letters).

    An abbreviation in capitals is read letter by letter: CJG has three syllables.
    """
    if _ACRONYM.match(word):
        return len(word)
    decomposed = unicodedata.normalize("NFD", word.lower())
    letters: list[str] = []
    for char in decomposed:
        if char == _DIAERESIS:
            letters.insert(len(letters) - 1, "|")  # ë, ï, ü, ö: a new syllable starts here
        elif not unicodedata.combining(char):
            letters.append(char)
    count = 0
    for part in "".join(letters).split("|"):
        count += _count_sounds(part)
    return max(count, 1 if _LETTERS.search(word) else 0)


def _count_sounds(part: str) -> int:
    count, index = 0, 0
    while index < len(part):
        sound = next((s for s in _SOUNDS if part.startswith(s, index)), None)
        if sound:
            count, index = count + 1, index + len(sound)
        elif part[index] in _VOWELS:
            count, index = count + 1, index + 1
        else:
            index += 1
    return count


def split_sentences(text: str) -> list[str]:
    return [sentence.strip() for sentence in _SENTENCE_END.split(text) if _has_word(sentence)]


def _has_word(text: str) -> bool:
    return any(char.isalnum() for char in text) or "{" in text


def tokens(sentence: str) -> list[str]:
    """The words of a sentence as read: edge punctuation stripped, lone symbols (€, -) dropped."""
    found = []
    for raw in sentence.split():
        word = raw.strip(_EDGE_PUNCTUATION)
        if any(char.isalnum() for char in word) or _PLACEHOLDER.match(word):
            found.append(word)
    return found


def is_lexical(word: str) -> bool:
    """A word of letters: no placeholder, address, number, phone number or amount."""
    return not (_PLACEHOLDER.match(word) or _ADDRESS.search(word) or any(char.isdigit() for char in word))


def letters(word: str) -> int:
    return len(_LETTERS.findall(word))


def is_passive(sentence: str) -> bool:
    words = [word.lower() for word in tokens(sentence)]
    participles = [w for w in words if _PARTICIPLE.match(w) and w not in _NOT_PARTICIPLES]
    if any(word in _WORDEN for word in words):
        prefixed = [w for w in words if _PREFIXED_PARTICIPLE.match(w) or w in _PREFIXED_STRONG_PARTICIPLES]
        return bool(participles or prefixed)
    return any(word in _ZIJN for word in words) and any(p not in _PERFECT_WITH_ZIJN for p in participles)


def measure(text: str) -> Readability:
    """All measures of one text."""
    total = EMPTY
    for sentence in split_sentences(text):
        words = tokens(sentence)
        lexical = [word for word in words if is_lexical(word)]
        total += Readability(
            sentences=1,
            words=len(words),
            lexical_words=len(lexical),
            syllables=sum(syllables(word) for word in lexical),
            long_words=sum(1 for word in lexical if letters(word) > LONG_WORD_LETTERS),
            longest_sentence=len(words),
            passive_sentences=int(is_passive(sentence)),
        )
    return total


def measure_all(texts: Iterable[str]) -> Readability:
    """The measures of several texts taken together (a corpus), not an average of averages."""
    total = EMPTY
    for text in texts:
        total += measure(text)
    return total
