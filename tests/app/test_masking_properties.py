"""Property-based tests of the masking (bot/shared/privacy.py, issue 20 item 4): valid BSNs (elfproef) and
IBANs (mod 97), written in any form a resident or an attacker might use — gaps of spaces, tabs,
non-breaking spaces, hyphens, slashes and dots, zero-width characters, full-width digits and letters,
any case, `NL 91 ABNA ...`, glued to words — inside Dutch sentences: none survives, and the rest of the
sentence is kept as typed. And the other way round: phone numbers, dates, amounts, postcodes and booking
codes in the same sentences are left alone.

Standard library only on the tested side, so this runs in the app environment (hypothesis is pinned in
requirements/app.in).
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.shared.privacy import (
    BSN,
    IBAN,
    PHONE,
    PLACEHOLDERS,
    is_valid_bsn,
    is_valid_iban,
    mask,
    strip_placeholders,
)

EXAMPLES = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Gaps accepted between two characters of an identifier.
GAPS = ["", " ", "  ", "   ", "\t", "\u00a0", "\u2009", "\u202f", "\u3000", "-", " - ", "/", " / ", ".",
        "\u2011", "\u2013", "\uff0d"]  # fmt: skip
#: Characters that are invisible or dropped by normalisation, inserted anywhere.
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202c"]
WORDS = ["ik", "heb", "schulden", "mijn", "huur", "is", "een", "brief", "van", "de", "gemeente", "graag",
         "hulp", "bij", "kunt", "u", "mij", "helpen", "met", "dit", "nummer", "rekening", "dank", "je", "wel",
         "zoon", "jeugdhulp", "deurwaarder", "woning", "betalen", "maand", "en", "of", "het"]  # fmt: skip
GLUE_BEFORE = ["", "", "bsn:", "BSN", "nummer", "(", "rekeningnr", "iban:", "\u00bb", "\u201c"]
GLUE_AFTER = ["", "", ".", ",", ")", "?", "graag", "!", "\u201d"]

words = st.lists(st.sampled_from(WORDS), min_size=0, max_size=8).map(" ".join)


@st.composite
def bsns(draw: st.DrawFn) -> str:
    """Nine digits that pass the elfproef."""
    first = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    last = sum(digit * weight for digit, weight in zip(first, range(9, 1, -1), strict=True)) % 11
    digits = "".join(map(str, first)) + str(last)
    assume(last < 10 and digits != "000000000")
    assert is_valid_bsn(digits)
    return digits


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BBANS = {
    "NL": [(LETTERS, 4), ("0123456789", 10)],
    "BE": [("0123456789", 12)],
    "DE": [("0123456789", 18)],
    "GB": [(LETTERS, 4), ("0123456789", 14)],
    "ES": [("0123456789", 20)],
    "AT": [("0123456789", 16)],
}


@st.composite
def ibans(draw: st.DrawFn) -> str:
    """An IBAN with valid check digits (ISO 7064 mod 97) of one of a few countries."""
    country = draw(st.sampled_from(sorted(BBANS)))
    bban = "".join(
        draw(st.text(alphabet=alphabet, min_size=count, max_size=count)) for alphabet, count in BBANS[country]
    )
    numeric = int("".join(str(int(char, 36)) for char in bban + country + "00"))
    iban = f"{country}{98 - numeric % 97:02d}{bban}"
    assert is_valid_iban(iban)
    return iban


def full_width(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if char.isascii() and char.isalnum() else char


@st.composite
def written(draw: st.DrawFn, compact: str) -> str:
    """`compact` as someone might type it: gaps, invisible characters, full-width forms, any case."""
    case = draw(st.sampled_from([str.upper, str.lower, lambda text: text]))
    parts = []
    for index, char in enumerate(case(compact)):
        if index:
            parts.append(draw(st.sampled_from(GAPS)))
        if draw(st.integers(0, 9)) == 0:
            parts.append(draw(st.sampled_from(INVISIBLE)))
        parts.append(full_width(char) if draw(st.integers(0, 9)) == 0 else char)
    return "".join(parts)


def visible(text: str) -> str:
    """The text without format characters (what a reader sees)."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def compact_alnum(text: str) -> str:
    """NFKC, upper case, letters and digits only: where a leaked identifier would show."""
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", visible(text)).upper())


@st.composite
def sentences_with(draw: st.DrawFn, identifier: st.SearchStrategy[str]) -> tuple[str, str, str, str]:
    """(sentence, compact identifier, text before it, text after it)."""
    compact = draw(identifier)
    before = draw(words)
    before = (before + " " if before else "") + draw(st.sampled_from(GLUE_BEFORE))
    after = draw(st.sampled_from(GLUE_AFTER))
    rest = draw(words)
    after += (" " + rest) if rest else ""
    return before + draw(written(compact)) + after, compact, before, after


@EXAMPLES
@given(sentences_with(bsns()))
def test_no_bsn_survives_in_any_form(case: tuple[str, str, str, str]) -> None:
    sentence, bsn, before, after = case
    result = mask(sentence)
    assert BSN in result.kinds, sentence
    assert bsn not in compact_alnum(result.text)
    assert visible(result.text) == visible(before + PLACEHOLDERS[BSN] + after)


@EXAMPLES
@given(sentences_with(ibans()))
def test_no_iban_survives_in_any_form(case: tuple[str, str, str, str]) -> None:
    sentence, iban, before, after = case
    result = mask(sentence)
    assert IBAN in result.kinds, sentence
    assert iban[4:] not in compact_alnum(result.text)
    assert visible(result.text) == visible(before + PLACEHOLDERS[IBAN] + after)


@EXAMPLES
@given(sentences_with(bsns()), sentences_with(ibans()))
def test_both_in_one_message_and_in_log_mode(bsn_case: tuple[str, ...], iban_case: tuple[str, ...]) -> None:
    message = f"{bsn_case[0]}\n{iban_case[0]}"
    for result in (mask(message), mask(message, phone=True)):
        assert {BSN, IBAN} <= result.kinds
        assert bsn_case[1] not in compact_alnum(result.text)
        assert iban_case[1][4:] not in compact_alnum(result.text)


# The other way round: what the bot needs, or what is no identifier, is kept.


@st.composite
def mobile_numbers(draw: st.DrawFn) -> str:
    digits = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    form = draw(st.sampled_from(["06{d}", "06-{d}", "06 {a} {b}", "+31 6 {d}", "+316{d}", "0031 6 {d}",
                                 "+31 (0)6 {a} {b}", "+31 (0)6{d}", "06 - {d}"]))  # fmt: skip
    return form.format(d=digits, a=digits[:4], b=digits[4:])


CODE_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"  # booking codes (bot/shared/booking_codes.py)
ORDINARY = st.one_of(
    st.builds("{:02d}-{:02d}-20{:02d}".format, st.integers(1, 28), st.integers(1, 12), st.integers(20, 30)),
    st.builds("€ {},{:02d}".format, st.integers(0, 99_999), st.integers(0, 99)),
    st.builds("{} {}{}".format, st.integers(1000, 9999), st.sampled_from(LETTERS), st.sampled_from(LETTERS)),
    st.builds("VD-{}".format, st.text(alphabet=CODE_ALPHABET, min_size=4, max_size=8)),
    st.builds(
        "{}{}{}{}{}".format,
        st.sampled_from(["VD-", "vd ", "VD", ""]),
        st.text(alphabet=CODE_ALPHABET, min_size=4, max_size=4),
        st.sampled_from(["-", " ", ""]),
        st.text(alphabet=CODE_ALPHABET, min_size=4, max_size=4),
        st.sampled_from(["", ".", ","]),
    ),
    st.builds("{}:{:02d}".format, st.integers(8, 17), st.sampled_from([0, 15, 30, 45])),
)


@EXAMPLES
@given(words, mobile_numbers(), words)
def test_phone_numbers_stay_in_the_chat_and_go_in_logs(before: str, number: str, after: str) -> None:
    sentence = f"{before} {number} {after}".strip()
    assert mask(sentence).text == sentence  # the booking form asks for a phone number
    logged = mask(sentence, phone=True)
    assert logged.kinds == {PHONE}, sentence
    assert re.sub(r"\D", "", number)[-8:] not in re.sub(r"\D", "", logged.text)


@EXAMPLES
@given(words, ORDINARY, words)
def test_dates_amounts_postcodes_times_and_codes_are_kept(before: str, value: str, after: str) -> None:
    sentence = f"{before} {value} {after}".strip()
    assert mask(sentence).text == sentence
    assert mask(sentence, phone=True).text == sentence


@EXAMPLES
@given(st.text(max_size=300))
def test_masking_any_text_is_stable(text: str) -> None:
    once = mask(text, phone=True).text
    assert mask(once, phone=True).text == once  # placeholders are never masked again
    assert "verwijderd]" not in strip_placeholders(once) or "verwijderd]" in text
