"""One logging filter for every process: nothing personal in any log line, and no huge log lines.

`MaskingFilter` masks BSN, IBAN, e-mail addresses and phone numbers (bot/shared/privacy.py, with
`phone=True`) and credentials in query strings (`?token=...`) in a log record's message, its arguments,
its exception text and its stack, replaces lone surrogates (which would make the handler fail and print the
raw record to stderr), and shortens long texts: each argument and each string in a JSON message (Rasa logs
JSON through structlog) to `TEXT_LIMIT` characters, a whole message to `MESSAGE_LIMIT`, a traceback to
`TRACEBACK_LIMIT`.
Escapes such as `\\u200b` or `\\t` in reprs (structlog's tracebacks show local variables) are read as
the characters they stand for first, so an identifier cannot hide behind them.

`install()` puts the filter on every handler that exists (the root logger's first), wraps the log
record factory so that a record is masked when it is made (also for handlers added later, such as
Sanic's or uvicorn's), sends warnings through logging and logs uncaught exceptions the same way. Called
by each process: the Rasa server (the message pipeline of its channels,
bot/assistant/channels/message_pipeline.py), the action server (bot/assistant/action_server.py;
actions/startup.py too, for rasa-sdk's own server) and the case backend (bot/backend/__main__.py, with
uvicorn's handlers from bot/backend/logs.py). Standard library only: both environments import it.

Usage::

    from bot import log_masking
    log_masking.install()
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from typing import Any

from bot.shared.privacy import mask_identifiers

__all__ = ["MESSAGE_LIMIT", "TEXT_LIMIT", "TRACEBACK_LIMIT", "MaskingFilter", "install", "scrub"]

TEXT_LIMIT = 500
MESSAGE_LIMIT = 2000
TRACEBACK_LIMIT = 8000
_MARK = "_voordeur_masked"
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})|(t))")
#: A credential in a query string ("/conversations/x/tracker?token=..."): access logs print the whole path.
_QUERY_CREDENTIAL = re.compile(
    r"([?&](?:token|access_token|api_key|apikey|key|secret|password|auth)=)[^&\s\"']+", re.IGNORECASE
)
_installed = False


def _unescape(match: re.Match[str]) -> str:
    if match.group(4):
        return "\t"
    code = int(match.group(1) or match.group(2) or match.group(3), 16)
    return chr(code) if code <= 0x10FFFF else match.group()


def scrub(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` with identifiers masked, escapes read, lone surrogates replaced, at most about `limit` long."""
    length = len(text)
    if length > limit + 200:
        text = text[: limit + 200]  # identifiers further on are cut off with the rest
    if "\\" in text:
        text = _ESCAPE.sub(_unescape, text)
    text = _SURROGATE.sub("\ufffd", text)
    text = mask_identifiers(text, phone=True)
    text = _QUERY_CREDENTIAL.sub(r"\1[verwijderd]", text)
    if length > limit or len(text) > limit:
        text = f"{text[:limit]}… [{length} characters, shortened]"
    return text


def _scrub_json(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_json(item) for item in value]
    if isinstance(value, dict):
        return {scrub(str(key), 100): _scrub_json(item) for key, item in value.items()}
    return value


def _scrub_message(message: str) -> str:
    stripped = message.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            message = json.dumps(_scrub_json(parsed))
    return scrub(message, MESSAGE_LIMIT)


def _scrub_arg(arg: Any) -> Any:
    if arg is None or isinstance(arg, (bool, int, float)):
        return arg
    return scrub(arg if isinstance(arg, str) else str(arg))


class MaskingFilter(logging.Filter):
    """Masks and shortens a record in place; never drops one. A record is handled once."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _MARK, False):
            return True
        setattr(record, _MARK, True)
        try:
            self._mask(record)
        except Exception:  # never lose a log line over masking: keep only what is safe
            record.msg, record.args = f"(log message of {record.name} withheld: it could not be masked)", None
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True

    @staticmethod
    def _mask(record: logging.LogRecord) -> None:
        msg = record.msg if isinstance(record.msg, str) else str(record.msg)
        args = record.args
        if isinstance(args, tuple):
            args = tuple(_scrub_arg(arg) for arg in args)
        elif isinstance(args, dict):
            args = {key: _scrub_arg(value) for key, value in args.items()}
        record.msg, record.args = _scrub_message(msg), args or None
        if args:
            # Keep the arguments (some formatters read them, e.g. uvicorn's access log) unless the whole
            # message still shows an identifier once formatted.
            try:
                formatted = record.getMessage()
            except Exception:
                formatted = None
            if formatted is None or _scrub_message(formatted) != formatted:
                record.msg, record.args = _scrub_message(formatted or msg), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _scrub_traceback(record.exc_text)
        if record.stack_info:
            record.stack_info = _scrub_traceback(record.stack_info)


def _scrub_traceback(text: str) -> str:
    """Mask a traceback line by line; a long one keeps its start and its end (the exception itself)."""
    if len(text) > TRACEBACK_LIMIT:
        half = TRACEBACK_LIMIT // 2
        text = f"{text[:half]}\n… [{len(text)} characters, shortened] …\n{text[-half:]}"
    return "\n".join(scrub(line, MESSAGE_LIMIT) for line in text.split("\n"))


def _handlers() -> list[logging.Handler]:
    handlers = list(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            handlers.extend(logger.handlers)
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    return handlers


def install() -> None:
    """Mask every log record of this process (see the module's docstring). Safe to call again: it then
    also covers the handlers added since."""
    global _installed
    masking = MaskingFilter()
    for handler in _handlers():
        if not any(isinstance(existing, MaskingFilter) for existing in handler.filters):
            handler.addFilter(masking)
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        masking.filter(record)
        return record

    logging.setLogRecordFactory(masked_record)
    logging.captureWarnings(True)
    uncaught = logging.getLogger("voordeur.uncaught")

    def log_uncaught(kind: type[BaseException], error: BaseException, trace: Any) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        uncaught.critical("Uncaught exception", exc_info=(kind, error, trace))

    def log_uncaught_in_thread(hook: threading.ExceptHookArgs) -> None:
        if hook.exc_type is SystemExit or hook.exc_value is None:
            return
        uncaught.error(
            "Uncaught exception in thread %s", getattr(hook.thread, "name", "?"),
            exc_info=(hook.exc_type, hook.exc_value, hook.exc_traceback),
        )  # fmt: skip

    sys.excepthook = log_uncaught
    threading.excepthook = log_uncaught_in_thread
