"""Input rules without a database: phone numbers, names, e-mail, free text, booking codes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.backend.services.codes import ALPHABET, new_code, normalise_code
from bot.backend.validation import (
    InvalidPhoneNumber,
    clean_email,
    clean_first_name,
    clean_text,
    mask_identifiers,
    normalise_phone,
)
from bot.shared.phone import format_national


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06-12345678", "+31612345678"),
        ("06 1234 5678", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+31612345678", "+31612345678"),
        ("0031 6 12345678", "+31612345678"),
        ("+31 (0)6 1234 5678", "+31612345678"),
        ("020-1234567", "+31201234567"),
        ("0591-123456", "+31591123456"),
        ("010 123 45 67", "+31101234567"),
        ("088-0767000", "+31880767000"),
        ("0800-0113", "+318000113"),
    ],
)
def test_dutch_numbers_are_normalised_to_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "12345",
        "06-1234",
        "06-123456789",
        "+44 20 7946 0958",
        "0044 20 7946 0958",
        "abc",
        "06-1234567a",
        "0612345678; DROP TABLE bookings",
        "<script>alert(1)</script>",
        "0" * 5000,
        "066-1234567",
    ],
)
def test_bad_numbers_are_refused_in_dutch(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as error:
        normalise_phone(raw)
    assert any(word in str(error.value) for word in ("telefoonnummer", "nummer", "06", "cijfers"))


def test_validation_and_shared_modules_are_stdlib_only() -> None:
    """Both environments import them (Python 3.10 and 3.11): only the standard library and each other."""
    import ast
    import sys
    from pathlib import Path

    import bot.backend.validation as package
    import bot.shared as shared

    modules = [*Path(package.__file__).parent.glob("*.py"), *Path(shared.__file__).parent.glob("*.py")]
    for module in modules:
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top = node.module.split(".")[0]
                assert top in sys.stdlib_module_names or top == "bot", (module, node.module)
                if top == "bot":
                    assert node.module.startswith(("bot.backend.validation", "bot.shared")), module
            if isinstance(node, ast.Import):
                assert all(alias.name.split(".")[0] in sys.stdlib_module_names for alias in node.names), (
                    module
                )


def test_format_national() -> None:
    assert format_national("+31612345678") == "06-12345678"
    assert format_national("+31201234567") == "0201234567"


@settings(database=None)
@given(st.text(max_size=40))
def test_phone_normaliser_never_crashes(raw: str) -> None:
    try:
        result = normalise_phone(raw)
    except InvalidPhoneNumber:
        return
    assert result.startswith("+31") and result[1:].isdigit()


@pytest.mark.parametrize(
    "name", ["Anna", "Jan-Willem", "D'Angelo", "Zoë", "Mohammed Ali", "Ayşe", "Jan  Piet"]
)
def test_first_names(name: str) -> None:
    assert clean_first_name(name) == " ".join(name.split())


@pytest.mark.parametrize(
    "name", ["", "  ", "A" * 51, "Anna1", "<b>Anna</b>", "Robert'); DROP TABLE x;--", "a@b"]
)
def test_bad_first_names(name: str) -> None:
    with pytest.raises(ValueError):
        clean_first_name(name)


def test_email() -> None:
    assert clean_email(" Anna.Jansen@Voorbeeld.NL ") == "Anna.Jansen@voorbeeld.nl"
    for bad in ["", "anna", "anna@", "@x.nl", "anna@x", "a b@x.nl", "a@x.nl<script>", "a" * 300 + "@x.nl"]:
        with pytest.raises(ValueError):
            clean_email(bad)


def test_text_is_trimmed_limited_and_masked() -> None:
    assert clean_text(None, max_length=10, label="je vraag") is None
    assert clean_text("  \x00hoi\x07 ", max_length=10, label="je vraag") == "hoi"
    assert clean_text("<b>vet</b>", max_length=20, label="je vraag") == "<b>vet</b>"  # plain text, kept
    with pytest.raises(ValueError, match="te lang"):
        clean_text("x" * 11, max_length=10, label="je vraag")
    with pytest.raises(ValueError, match="Vul"):
        clean_text("  ", max_length=10, label="de reden", required=True)


def test_bsn_and_iban_are_masked() -> None:
    masked = mask_identifiers("bsn 123456782, 1234.56.782 en NL91ABNA0417164300; tel 0612345678")
    assert "123456782" not in masked and "56.782" not in masked and "NL91" not in masked
    assert "0612345678" in masked  # a 10-digit phone number is not a BSN


def test_booking_codes() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(code.startswith("VD-") and len(code) == 12 and code[7] == "-" for code in codes)
    assert all(char in ALPHABET for code in codes for char in code[3:7] + code[8:])
    assert len(codes) == 200
    assert not set("0O1IL2Z5S8BUV") & set(ALPHABET)
    assert normalise_code("vd 7k3p x9qa") == "VD-7K3P-X9QA"
    assert normalise_code("VD7K3PX9QA") == normalise_code(" vd-7k3p-x9qa ") == "VD-7K3P-X9QA"
    assert normalise_code("7K3P-X9QA") == "VD-7K3P-X9QA"
    # codes made before issue 20 (four characters) keep working
    assert normalise_code("vd 7k3p") == "VD-7K3P"
    assert normalise_code("7K3P") == "VD-7K3P"
    assert normalise_code("VD-7K3O") is None
    assert normalise_code("VD-7K3P-X9Q") is None and normalise_code("VD-7K3P-X9QAA") is None
    assert normalise_code("x" * 100) is None
