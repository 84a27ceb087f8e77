"""One resident across channels: one-time link codes and the links they make (issue 24).

A conversation asks for a code ("Verder op Telegram" in the widget, "verder op de website" on Telegram);
the resident brings it to the other channel (a Telegram deep link's start parameter, or typed in the
widget) and that conversation redeems it. Both conversations then share a `resident_key`, and the staff
page shows them as one resident. A code is valid `CODE_VALID` and works once; only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.backend.models import ConversationLink, LinkCode, MessageStatus, ScheduledMessage
from bot.backend.services.errors import Conflict, NotFound, ServiceError
from bot.backend.services.handovers import _checked, checked_conversation_id
from bot.backend.services.scheduled_messages import linked_conversation_ids
from bot.shared.link_codes import ALPHABET, LENGTH, normalise_link_code

CODE_VALID = timedelta(minutes=15)
_DIGITS = "".join(c for c in ALPHABET if c.isdigit())
_LETTERS = "".join(c for c in ALPHABET if c.isalpha())

UNKNOWN_TEXT = "Deze code ken ik niet. Kijk of je hem goed hebt overgenomen, of vraag een nieuwe code."
EXPIRED_TEXT = "Deze code is verlopen. Een code werkt 15 minuten. Vraag een nieuwe code."
USED_TEXT = "Deze code is al gebruikt. Een code werkt één keer. Vraag een nieuwe code."
SAME_TEXT = "Deze code hoort bij dit gesprek zelf. Gebruik hem in het andere kanaal."


class LinkCodeExpired(ServiceError):
    status = 410


@dataclass(frozen=True)
class NewCode:
    code: str  # compact, e.g. `K7PX9Q` (bot/shared/link_codes.py shows it as `K7P-X9Q`)
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    """The conversation the code came from, now linked to the one that redeemed it."""

    conversation_id: str
    channel: str
    resident_key: str


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _new_code() -> str:
    """Six characters with at least one letter and one digit (so no word or postcode looks like one)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if any(c in _DIGITS for c in code) and any(c in _LETTERS for c in code):
            return code


def create_link_code(*, session: Session, conversation_id: str, channel: str, now: datetime) -> NewCode:
    """A new code for `conversation_id`; earlier unused codes of that conversation stop working."""
    _checked(conversation_id, channel, None)
    session.execute(
        update(LinkCode)
        .where(LinkCode.conversation_id == conversation_id, LinkCode.used_at.is_(None))
        .values(expires_at=now)
    )
    code = _new_code()
    expires_at = now + CODE_VALID
    session.add(LinkCode(code_hash=code_hash(code), conversation_id=conversation_id, channel=channel,
                         expires_at=expires_at, created_at=now))  # fmt: skip
    session.flush()
    return NewCode(code=code, expires_at=expires_at)


def redeem_link_code(
    *, session: Session, code: str, conversation_id: str, channel: str, now: datetime
) -> Redeemed:
    """Use a code once and link the two conversations. Refused: unknown (404), expired (410), used
    or the conversation's own code (409). The use is one conditional UPDATE, so two redeems of one code
    at once link only one conversation."""
    _checked(conversation_id, channel, None)
    compact = normalise_link_code(code)
    row = (
        session.scalar(select(LinkCode).where(LinkCode.code_hash == code_hash(compact))) if compact else None
    )
    if row is None:
        raise NotFound("link_code_unknown", UNKNOWN_TEXT)
    if row.used_at is not None:
        raise Conflict("link_code_used", USED_TEXT)
    if row.expires_at <= now:
        raise LinkCodeExpired("link_code_expired", EXPIRED_TEXT)
    if row.conversation_id == conversation_id:
        raise Conflict("link_code_same_conversation", SAME_TEXT)
    claimed = session.execute(
        update(LinkCode)
        .where(LinkCode.id == row.id, LinkCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise Conflict("link_code_used", USED_TEXT)
    key = link_conversations(
        session=session,
        first=(row.conversation_id, row.channel),
        second=(conversation_id, channel),
        now=now,
    )
    return Redeemed(conversation_id=row.conversation_id, channel=row.channel, resident_key=key)


def link_conversations(
    *, session: Session, first: tuple[str, str], second: tuple[str, str], now: datetime
) -> str:
    """Give both conversations (id, channel) one resident key; two residents' groups become one."""
    ids = [first[0], second[0]]
    existing = {
        link.conversation_id: link
        for link in session.scalars(select(ConversationLink).where(ConversationLink.conversation_id.in_(ids)))
    }
    keys = [existing[i].resident_key for i in ids if i in existing]
    key = keys[0] if keys else uuid.uuid4().hex
    for other in set(keys) - {key}:
        session.execute(
            update(ConversationLink).where(ConversationLink.resident_key == other).values(resident_key=key)
        )
    for conversation_id, channel in (first, second):
        if conversation_id not in existing:
            session.add(ConversationLink(conversation_id=conversation_id, channel=channel, resident_key=key,
                                         linked_at=now))  # fmt: skip
    session.flush()
    return key


def linked_conversations(*, session: Session, conversation_id: str) -> list[tuple[str, str]]:
    """(conversation id, channel) of every conversation of the same resident, itself included, in the
    order they were linked; only itself (channel "") when it is linked to none."""
    key = select(ConversationLink.resident_key).where(ConversationLink.conversation_id == conversation_id)
    rows = session.execute(
        select(ConversationLink.conversation_id, ConversationLink.channel)
        .where(ConversationLink.resident_key == key.scalar_subquery())
        .order_by(ConversationLink.linked_at, ConversationLink.id)
    ).all()
    found = [(row[0], row[1]) for row in rows]
    return found or [(conversation_id, "")]


def other_channels(*, session: Session, conversation_ids: list[str]) -> dict[str, list[str]]:
    """For each of `conversation_ids` that is linked: the channels of its resident's other conversations
    (the inbox marks "ook via Telegram"). One query for the page."""
    if not conversation_ids:
        return {}
    mine = select(ConversationLink.conversation_id, ConversationLink.resident_key).where(
        ConversationLink.conversation_id.in_(conversation_ids)
    )
    keys = {row[0]: row[1] for row in session.execute(mine)}
    if not keys:
        return {}
    rows = session.execute(
        select(ConversationLink.resident_key, ConversationLink.conversation_id, ConversationLink.channel)
        .where(ConversationLink.resident_key.in_(set(keys.values())))
        .order_by(ConversationLink.linked_at, ConversationLink.id)
    )
    by_key: dict[str, list[tuple[str, str]]] = {}
    for key, conversation_id, channel in rows:
        by_key.setdefault(key, []).append((conversation_id, channel))
    return {
        conversation_id: [channel for other, channel in by_key.get(key, []) if other != conversation_id]
        for conversation_id, key in keys.items()
    }


@dataclass(frozen=True)
class Forgotten:
    links: int
    codes: int
    scheduled_messages: int


def forget_links(*, session: Session, conversation_id: str) -> Forgotten:
    """ "Verwijder mijn gegevens": remove the resident's links, the link codes and the pending scheduled
    messages of every linked conversation. A "stop berichten" (message_opt_outs) stays: it protects the
    resident, and a Telegram chat keeps its id after a new /start; retention removes it later."""
    checked_conversation_id(conversation_id)
    ids = linked_conversation_ids(session, conversation_id)
    messages = session.execute(
        delete(ScheduledMessage)
        .where(ScheduledMessage.conversation_id.in_(ids), ScheduledMessage.status == MessageStatus.PENDING)
        .execution_options(synchronize_session=False)
    )
    codes = session.execute(
        delete(LinkCode).where(LinkCode.conversation_id.in_(ids)).execution_options(synchronize_session=False)
    )
    links = session.execute(
        delete(ConversationLink)
        .where(ConversationLink.conversation_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return Forgotten(
        links=int(getattr(links, "rowcount", 0)),
        codes=int(getattr(codes, "rowcount", 0)),
        scheduled_messages=int(getattr(messages, "rowcount", 0)),
    )
