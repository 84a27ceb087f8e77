"""Opening a booking to change it: its code and a second factor, with limits on failed attempts.

The second factor is what the resident gave at booking: the last 4 digits of the phone number (a whole
number works too) or the e-mail address. An unknown code and a wrong factor get the same answer, so
trying codes tells nothing about which exist. Failed attempts are counted per client (the conversation,
stored only as a hash) and per code, each over its own time window; past a limit every lookup is refused
with a kind message until the window has passed. Every failed or refused lookup is in the audit log.

A successful lookup returns a ticket: a random string, valid for `TICKET_MINUTES`, stored only as a hash.
Cancelling or moving the booking needs it (`check_ticket`), so the API never changes a booking on its
code alone (issue 20).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import QueryableAttribute, Session

from bot.backend.models import Booking, BookingLookup
from bot.backend.services import audit
from bot.backend.services.codes import normalise_code
from bot.backend.services.errors import NotFound, ServiceError

CLIENT_MAX_FAILURES = 5
CLIENT_WINDOW = timedelta(minutes=30)
CODE_MAX_FAILURES = 10
CODE_WINDOW = timedelta(hours=24)
TICKET_MINUTES = 30
#: How long attempts are kept (retention.py deletes older ones); longer than every window and ticket.
KEEP_ATTEMPTS = timedelta(days=7)
VERIFICATION_MAX_LENGTH = 254

NOT_VERIFIED_MESSAGE = (
    "De code en de gegevens horen niet bij elkaar. Kijk nog eens in de bevestiging van je afspraak."
)
TOO_MANY_MESSAGE = (
    "Je hebt het te vaak geprobeerd. Probeer het later nog eens, of bel het wijkteam. Zij helpen je graag."
)
NO_TICKET_MESSAGE = "Controleer eerst je afspraak met de code en je telefoonnummer of e-mailadres."


class TooManyLookups(ServiceError):
    status = 429


class TicketRefused(ServiceError):
    status = 403


@dataclass(frozen=True)
class LookupResult:
    """Either the booking and its change ticket, or the refusal to raise after the transaction."""

    booking: Booking | None = None
    ticket: str | None = None
    refusal: ServiceError | None = None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def client_key(client: str) -> str:
    """The stored form of a client (a conversation id): a hash, so the table holds no ids."""
    return _digest("booking-lookup-client:" + client.strip()[:200])


def _failures(session: Session, column: QueryableAttribute[str | None], value: str, since: datetime) -> int:
    query = select(func.count(BookingLookup.id)).where(
        column == value, BookingLookup.succeeded.is_(False), BookingLookup.created_at >= since
    )
    return int(session.scalar(query) or 0)


def _phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def factor_matches(booking: Booking, verification: str) -> bool:
    """The last 4 digits of the booking's phone number, or its e-mail address (any case)."""
    given = verification.strip()
    if not given or len(given) > VERIFICATION_MAX_LENGTH:
        return False
    if "@" in given:
        return booking.email is not None and hmac.compare_digest(
            given.lower().encode(), booking.email.strip().lower().encode()
        )
    digits = _phone_digits(given)
    if booking.phone is None or len(digits) < 4 or re.search(r"[^\d\s\-+()]", given):
        return False
    return hmac.compare_digest(digits[-4:].encode(), _phone_digits(booking.phone)[-4:].encode())


def lookup_booking(
    *,
    session: Session,
    code: str,
    verification: str,
    client: str,
    actor: str = "api",
    now: datetime | None = None,
) -> LookupResult:
    """Open a booking with its code and second factor.

    Records the attempt and, when it fails, an audit entry, in the caller's transaction; the refusal is
    returned rather than raised, so the caller commits those records first and raises afterwards.
    """
    now = now or datetime.now(UTC)
    key = client_key(client)
    normalised = normalise_code(code)
    if _failures(session, BookingLookup.client, key, now - CLIENT_WINDOW) >= CLIENT_MAX_FAILURES or (
        normalised is not None
        and _failures(session, BookingLookup.code, normalised, now - CODE_WINDOW) >= CODE_MAX_FAILURES
    ):
        audit.record(session=session, actor=actor, action="booking.lookup_refused", entity="booking_lookup",
                     entity_id=normalised, client=key[:16])  # fmt: skip
        return LookupResult(refusal=TooManyLookups("too_many_lookups", TOO_MANY_MESSAGE))
    booking = None
    if normalised is not None:
        booking = session.scalars(select(Booking).where(Booking.code == normalised)).first()
    if booking is None or not factor_matches(booking, verification):
        session.add(BookingLookup(client=key, code=normalised, succeeded=False, created_at=now))
        reason = "unknown_code" if booking is None else "wrong_factor"
        audit.record(session=session, actor=actor, action="booking.lookup_failed", entity="booking_lookup",
                     entity_id=normalised, client=key[:16], reason=reason)  # fmt: skip
        session.flush()
        return LookupResult(refusal=NotFound("booking_not_verified", NOT_VERIFIED_MESSAGE))
    return LookupResult(
        booking=booking, ticket=issue_ticket(session=session, booking=booking, client=client, now=now)
    )


def issue_ticket(*, session: Session, booking: Booking, client: str, now: datetime | None = None) -> str:
    """A change ticket for a booking whose owner is known: after a lookup with the second factor, or an
    answer to the reminder from the booking's own conversation (services/reminder_answers.py)."""
    now = now or datetime.now(UTC)
    ticket = secrets.token_urlsafe(32)
    session.add(
        BookingLookup(
            client=client_key(client),
            code=booking.code,
            booking_id=booking.id,
            succeeded=True,
            ticket_hash=_digest(ticket),
            created_at=now,
            expires_at=now + timedelta(minutes=TICKET_MINUTES),
        )
    )
    session.flush()
    return ticket


def check_ticket(*, session: Session, code: str, ticket: str, now: datetime | None = None) -> None:
    """Raise TicketRefused unless `ticket` came from a lookup of this booking that has not expired."""
    now = now or datetime.now(UTC)
    normalised = normalise_code(code)
    if normalised is None or not ticket or len(ticket) > 100:
        raise TicketRefused("ticket_refused", NO_TICKET_MESSAGE)
    booking_id = session.scalar(select(Booking.id).where(Booking.code == normalised))
    if booking_id is None:
        raise NotFound("booking_not_found", NOT_VERIFIED_MESSAGE)
    found = session.scalar(
        select(BookingLookup.id).where(
            BookingLookup.ticket_hash == _digest(ticket),
            BookingLookup.booking_id == booking_id,
            BookingLookup.succeeded.is_(True),
            BookingLookup.expires_at > now,
        )
    )
    if found is None:
        raise TicketRefused("ticket_refused", NO_TICKET_MESSAGE)
