"""Keep conversation ids out of log lines.

A conversation id is the widget's socket.io session id (or the REST `sender`): whoever knows it joins
that conversation's room and receives the resident's messages. The action server's HTTP client (httpx)
logs every call to the backend with its URL (`PUT /api/conversations/<id>`), and uvicorn's access log
shows the same paths and queries (`GET /api/handovers?conversation_id=<id>`). `SessionIdFilter`
replaces the id in such a record by `[id]`; `keep_session_ids_out_of(name)` installs it on a logger.
Standard library only: both environments use it.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[id]"
_IN_PATH = re.compile(r"(/conversations/)[^/?#\s\"']+")
_IN_QUERY = re.compile(r"(\b(?:conversation_id|sender_id|session_id|sender)=)[^&#\s\"']+")
_IN_JSON = re.compile(r"(\"(?:conversation_id|sender_id|session_id|sender)\"\s*:\s*\")[^\"]*")


def redact(text: str) -> str:
    """`text` with every conversation id in a URL path, a query or a JSON field replaced by [id]."""
    for pattern in (_IN_PATH, _IN_QUERY, _IN_JSON):
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


class SessionIdFilter(logging.Filter):
    """Redacts conversation ids in a record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted_argument(argument) for argument in record.args)
        return True


def _redacted_argument(argument: object) -> object:
    if isinstance(argument, (int, float)) or argument is None:
        return argument
    text = str(argument)  # e.g. the httpx.URL of a request
    redacted = redact(text)
    return argument if redacted == text else redacted


def keep_session_ids_out_of(*logger_names: str) -> None:
    """Install `SessionIdFilter` on the named loggers (once each)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, SessionIdFilter) for existing in logger.filters):
            logger.addFilter(SessionIdFilter())
