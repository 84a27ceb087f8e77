"""The logging filter of every process (bot/log_masking.py, issue 20 item 3) and the text cleaning
of the channels (bot/shared/text_input.py, item 5): unit tests on real `logging` handlers, and
`install()` in a fresh Python process (it changes process-wide logging state).
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.log_masking import MESSAGE_LIMIT, TEXT_LIMIT, MaskingFilter, scrub
from bot.shared.text_input import clean_control_characters

ROOT = Path(__file__).resolve().parents[2]
BSN = "111222333"
IBAN = "NL91ABNA0417164300"


def logged(emit: object, *, structured: bool = False) -> str:
    """What one handler with the filter writes for the records `emit(logger)` makes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"test.masking.{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    emit(logger)  # type: ignore[operator]
    return stream.getvalue()


def test_message_arguments_and_f_strings_are_masked() -> None:
    text = logged(
        lambda log: (
            log.info("message %s from %s", f"bsn 111-222-333 iban {IBAN}", "anna@voorbeeld.nl"),
            log.info(f"An exception occurred while handling user message 'bel 06-12345678, bsn {BSN}'."),
            log.info("dict args %(text)s", {"text": "NL 91 ABNA 0417 1643 00"}),
        )
    )
    for secret in ("111-222-333", "ABNA", "anna@", "12345678", BSN, "0417"):
        assert secret not in text
    assert text.count("[BSN verwijderd]") == 2 and "[telefoonnummer verwijderd]" in text


def test_an_exception_text_is_masked() -> None:
    def fail(log: logging.Logger) -> None:
        try:
            raise ValueError(f"cannot parse 'mijn bsn is 111 222 333' nor {IBAN}")
        except ValueError:
            log.exception("parsing failed")

    text = logged(fail)
    assert "Traceback" in text and "ValueError" in text
    assert "111 222 333" not in text and IBAN not in text and "[IBAN verwijderd]" in text


def test_a_structlog_json_line_is_masked_inside_its_strings_and_escapes() -> None:
    """Rasa renders JSON with ASCII escapes; structlog's tracebacks show locals as reprs."""
    event = {
        "event": "rest.message.received.failure",
        "text": "bsn 111\u200b222\u200b333, iban NL91\u00a0ABNA\u00a00417\u00a01643\u00a000",
        "exception": [{"frames": [{"locals": {"text": repr("bsn 111\t222\t333 " + "x" * 70)}}]}],
    }
    text = logged(lambda log: log.error(json.dumps(event)))
    line = json.loads(text.split(" ", 1)[1])
    assert line["text"] == "bsn [BSN verwijderd], iban [IBAN verwijderd]"
    assert "[BSN verwijderd]" in line["exception"][0]["frames"][0]["locals"]["text"]
    assert "333" not in text and "ABNA" not in text


def test_long_texts_are_shortened_and_identifiers_cut_off_with_them() -> None:
    huge = f"bsn {BSN} " + "schulden " * 1_200_000 + f"iban {IBAN}"
    text = logged(
        lambda log: (
            log.info("user said %s", huge),
            log.info(json.dumps({"event": "x", "text": huge})),
            log.info(huge),
        )
    )
    assert len(text) < 3 * (MESSAGE_LIMIT + 200)
    assert BSN not in text and IBAN not in text and "characters, shortened]" in text
    assert len(scrub("a" * 10_000)) < TEXT_LIMIT + 50


def test_a_lone_surrogate_does_not_break_the_handler(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # strict, like a log file
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "message %s", (f"\ud800 bsn {BSN}",), None)
    handler.handle(record)
    stream.flush()
    written = stream.buffer.getvalue().decode()  # type: ignore[attr-defined]
    assert "\ufffd bsn [BSN verwijderd]" in written
    assert "Logging error" not in capsys.readouterr().err


def masked_access_record(path: str) -> logging.LogRecord:
    """A uvicorn access-log record for `GET path`, after the filter."""
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200), None,
    )  # fmt: skip
    MaskingFilter().filter(record)
    return record


def test_access_log_arguments_keep_their_shape() -> None:
    """uvicorn's access formatter unpacks `record.args`: they stay a tuple, with the path masked."""
    record = masked_access_record("/api/x?email=anna@voorbeeld.nl")
    assert isinstance(record.args, tuple) and record.args[2] == "/api/x?email=[e-mail verwijderd]"
    assert record.args[4] == 200


def test_a_credential_in_a_query_string_is_masked() -> None:
    """A client that sends the Rasa token as `?token=` to the backend must not leave it in the access log."""
    record = masked_access_record("/api/locations?page=2&token=-s3cret-Value_x&q=1")
    assert record.args[2] == "/api/locations?page=2&token=[verwijderd]&q=1"  # type: ignore[index]
    assert "s3cret" not in logged(lambda log: log.info("GET /status?TOKEN=s3cret HTTP/1.1"))


def test_ordinary_log_lines_are_kept() -> None:
    line = (
        "Content from /srv/content: 41 answers, 12 plans at 2026-12-06 17:38:22,123 on port 5005 (0.974971)"
    )
    assert logged(lambda log: log.info(line)) == f"INFO {line}\n"


def test_install_covers_handlers_added_later_warnings_and_uncaught_exceptions(tmp_path: Path) -> None:
    script = f"""
import logging, sys, warnings, threading
from bot import log_masking
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(name)s %(message)s")
log_masking.install()
late = logging.getLogger("late")
late.propagate = False
late.addHandler(logging.StreamHandler(sys.stdout))  # added after install(): the record factory covers it
late.warning("late %s", "bsn {BSN}")
logging.getLogger("root-child").info("iban {IBAN}")
warnings.warn("warning about anna@voorbeeld.nl")
thread = threading.Thread(target=lambda: 1 / 0 if False else (_ for _ in ()).throw(ValueError("{BSN}")))
thread.start(); thread.join()
raise RuntimeError("uncaught with {IBAN}")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert output.count("[BSN verwijderd]") == 2 and output.count("[IBAN verwijderd]") == 2, output
    assert "[e-mail verwijderd]" in output and "Uncaught exception" in output
    assert BSN not in output and IBAN not in output and "anna@" not in output


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("hallo\ud800 daar", "hallo daar"),
        ("a\x00b\x1bc\x7fd\x85e\x9ff", "abcdef"),
        ("regel 1\r\nregel 2\rregel 3\tkolom", "regel 1\nregel 2\nregel 3\tkolom"),
        ("naam\u202egpj.exe", "naamgpj.exe"),
        ("\u2066x\u2067y\u2068z\u2069 \u202a\u202b\u202c\u202d", "xyz "),
        ("مرحبا שלום 🙂 café", "مرحبا שלום 🙂 café"),
    ],
)
def test_control_characters_surrogates_and_bidi_overrides_are_removed(raw: str, clean: str) -> None:
    assert clean_control_characters(raw) == clean
