"""Feedback on answers (issue 23): which answers the bot showed, and whether they helped.

The action server reports each answer it shows (`record_shown`) and the resident's "Ja" or "Nee" to
"Heeft dit geholpen?" (`record_verdict`), then perhaps the short remark after "Wat miste je?"
(`record_remark`). A verdict or remark belongs to the latest showing of that answer in that
conversation; the conversation is kept only as a hash. The review page reads `answer_stats` and
`recent_remarks`, for the municipalities of the person who reads it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.backend.models import AnswerFeedback, Municipality
from bot.backend.services.errors import invalid
from bot.backend.services.handovers import _checked
from bot.backend.services.municipalities import resolve
from bot.shared.privacy import mask_identifiers

#: The longest remark kept (a longer one is cut): "one short question".
REMARK_MAX = 300
ANSWER_ID = re.compile(r"^(plan:)?[a-z][a-z0-9_]{0,90}$")
CONTENT_VERSION = re.compile(r"^[A-Za-z0-9._\-]{1,40}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def conversation_key(conversation_id: str) -> str:
    """What is kept of a conversation id: its SHA-256 (enough to find the showing, nothing to read)."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()


def clean_remark(text: str) -> str | None:
    """The remark as kept: control characters out, spaces folded, identifiers masked, at most REMARK_MAX."""
    flat = " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", text)).split())
    if not flat:
        return None
    masked = mask_identifiers(flat, phone=True)
    return masked if len(masked) <= REMARK_MAX else masked[: REMARK_MAX - 1].rstrip() + "…"


def record_shown(
    *,
    session: Session,
    conversation_id: str,
    answer_id: str,
    channel: str,
    content_version: str,
    municipality: str | None = None,
) -> AnswerFeedback:
    """One showing of an answer (the municipality: the one named, else the default)."""
    _checked(conversation_id, channel, None)
    if not ANSWER_ID.match(answer_id):
        raise invalid("answer_id", "Dit antwoord-id klopt niet.")
    if not CONTENT_VERSION.match(content_version):
        raise invalid("content_version", "Deze inhoudsversie klopt niet.")
    row = AnswerFeedback(
        answer_id=answer_id,
        municipality_id=resolve(session=session, slug=municipality).id,
        content_version=content_version,
        channel=channel,
        conversation_key=conversation_key(conversation_id),
    )
    session.add(row)
    session.flush()
    return row


def _latest(session: Session, conversation_id: str, answer_id: str | None) -> AnswerFeedback | None:
    query = select(AnswerFeedback).where(AnswerFeedback.conversation_key == conversation_key(conversation_id))
    if answer_id is not None:
        query = query.where(AnswerFeedback.answer_id == answer_id)
    return session.scalars(query.order_by(AnswerFeedback.id.desc()).limit(1)).first()


def record_verdict(
    *,
    session: Session,
    conversation_id: str,
    answer_id: str,
    helped: bool,
    channel: str,
    content_version: str,
    municipality: str | None = None,
) -> AnswerFeedback:
    """The resident's "Ja" or "Nee": on the latest showing of the answer in this conversation (a showing
    that was not reported, e.g. the backend was down then, is recorded now). A second verdict replaces the
    first."""
    _checked(conversation_id, channel, None)
    if municipality is not None:
        resolve(session=session, slug=municipality)  # an unknown one is refused, also on an update
    if not ANSWER_ID.match(answer_id):
        raise invalid("answer_id", "Dit antwoord-id klopt niet.")
    row = _latest(session, conversation_id, answer_id)
    if row is None:
        row = record_shown(session=session, conversation_id=conversation_id, answer_id=answer_id,
                           channel=channel, content_version=content_version,
                           municipality=municipality)  # fmt: skip
    row.helped = helped
    row.answered_at = datetime.now(UTC)
    session.flush()
    return row


def record_remark(
    *, session: Session, conversation_id: str, text: str, answer_id: str | None = None
) -> AnswerFeedback | None:
    """The answer to "Wat miste je?": on the latest "Nee" of this conversation (of `answer_id` when
    given); None when there is no such "Nee" or the remark is empty."""
    _checked(conversation_id, "api", None)
    if answer_id is not None and not ANSWER_ID.match(answer_id):
        raise invalid("answer_id", "Dit antwoord-id klopt niet.")
    row = _latest(session, conversation_id, answer_id)
    remark = clean_remark(text)
    if row is None or row.helped is not False or remark is None:
        return None
    row.remark = remark
    session.flush()
    return row


@dataclass(frozen=True)
class AnswerStats:
    answer_id: str
    shown: int
    yes: int
    no: int

    @property
    def answered(self) -> int:
        return self.yes + self.no

    @property
    def yes_share(self) -> int | None:
        """The share of "ja" among the answers given, in whole percents; None when nobody answered."""
        return round(100 * self.yes / self.answered) if self.answered else None


def answer_stats(*, session: Session, scope: frozenset[int]) -> list[AnswerStats]:
    """Per answer: times shown, "ja" and "nee", within the municipalities of `scope`; most shown first."""
    yes = func.sum(case((AnswerFeedback.helped.is_(True), 1), else_=0))
    no = func.sum(case((AnswerFeedback.helped.is_(False), 1), else_=0))
    rows = session.execute(
        select(AnswerFeedback.answer_id, func.count(), yes, no)
        .where(AnswerFeedback.municipality_id.in_(sorted(scope)))
        .group_by(AnswerFeedback.answer_id)
        .order_by(func.count().desc(), AnswerFeedback.answer_id)
    ).tuples()
    return [AnswerStats(answer, int(shown), int(y or 0), int(n or 0)) for answer, shown, y, n in rows]


@dataclass(frozen=True)
class Remark:
    answer_id: str
    text: str
    municipality: str
    content_version: str
    at: datetime


def recent_remarks(*, session: Session, scope: frozenset[int], limit: int = 30) -> list[Remark]:
    """The newest "wat miste je" remarks within the municipalities of `scope`."""
    rows = session.execute(
        select(AnswerFeedback, Municipality.name)
        .join(Municipality, Municipality.id == AnswerFeedback.municipality_id)
        .where(AnswerFeedback.municipality_id.in_(sorted(scope)), AnswerFeedback.remark.is_not(None))
        .order_by(AnswerFeedback.answered_at.desc(), AnswerFeedback.id.desc())
        .limit(limit)
    ).tuples()
    return [
        Remark(row.answer_id, row.remark or "", name, row.content_version, row.answered_at or row.shown_at)
        for row, name in rows
    ]
