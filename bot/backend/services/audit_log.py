"""The audit log as beheerders read it: newest first, a page at a time, with filters and a search.

Filters: the kind of thing (overdrachten, afspraken, ...) and one action, both with Dutch labels; a
search finds who did it (`staff:sanne`, or just `sanne`) and the id or booking code it was about (on
PostgreSQL with trigram indexes, migration 0007). The log holds no message texts (docs/staff.md), so
neither does the page.

A beheerder who works for some of the municipalities only (issue 23) reads the lines about their things:
handovers, callbacks, bookings, conversations, spreekuren, locations and review-page messages of those
municipalities, and the accounts that work within them. Lines about something gone (deleted after the
retention period) or about the whole installation (retention, demo data, imports) are left out for them; a
beheerder of every municipality reads everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, or_, select, union_all
from sqlalchemy.orm import Session

from bot.backend.models import (
    AuditEntry,
    Booking,
    CallbackRequest,
    Conversation,
    Handover,
    Location,
    MissedMessage,
    Municipality,
    Schedule,
    Slot,
    StaffMunicipality,
)
from bot.backend.services.paging import PAGE_SIZE, Page, clean_search, contains_any, page_of

#: Every action the services write (grep `audit.record`), with what the page calls it.
ACTIONS: dict[str, str] = {
    "handover.create": "overdracht gemaakt",
    "handover.view": "overdracht bekeken",
    "handover.assign": "overdracht opgepakt",
    "handover.unassign": "overdracht losgelaten",
    "handover.status": "status van overdracht gewijzigd",
    "handover.note": "notitie bij overdracht",
    "handover.reply": "antwoord aan bewoner",
    "handover.reply_failed": "antwoord niet verstuurd",
    "handover.hand_back": "teruggegeven aan de assistent",
    "booking.create": "afspraak gemaakt",
    "booking.cancel": "afspraak geannuleerd",
    "booking.move": "afspraak verzet",
    "booking.done": "afspraak afgevinkt",
    "booking.lookup_failed": "afspraak openen mislukt",
    "booking.lookup_refused": "afspraak openen geweigerd (te vaak)",
    "callback.create": "terugbelverzoek gemaakt",
    "callback.status": "status van terugbelverzoek gewijzigd",
    "conversation.create": "gesprek gestart",
    "checkin.schedule": "check-in gepland (met toestemming)",
    "checkin.answer": "antwoord op check-in",
    "messages.stop": "bewoner wil geen berichten meer",
    "staff.login": "ingelogd",
    "staff.login_failed": "inloggen mislukt",
    "staff.login_locked": "inloggen geblokkeerd (account)",
    "staff.login_throttled": "inloggen geblokkeerd (apparaat)",
    "staff.logout": "uitgelogd",
    "staff.create": "account gemaakt",
    "staff.role": "rol gewijzigd",
    "staff.activate": "account aangezet",
    "staff.deactivate": "account uitgezet",
    "staff.password_reset": "nieuw wachtwoord gezet",
    "staff.municipalities": "gemeenten van account gewijzigd",
    "municipality.create": "gemeente gemaakt",
    "municipality.office_hours": "openingstijden van gemeente gewijzigd",
    "schedule.create": "spreekuur gemaakt",
    "schedule.update": "spreekuur gewijzigd",
    "schedule.deactivate": "spreekuur gestopt",
    "schedules.import": "spreekuren ingelezen",
    "review.example": "bericht toegevoegd als voorbeeld",
    "review.export": "voorbeelden geëxporteerd",
    "seed.demo": "demogegevens geladen",
    "retention.purge": "oude gegevens verwijderd",
}
#: Kind filter: value in the URL -> (label, the `entity` values it covers).
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "overdrachten": ("overdrachten", ("handover",)),
    "afspraken": ("afspraken", ("booking", "booking_lookup")),
    "terugbellen": ("terugbelverzoeken", ("callback",)),
    "gesprekken": ("gesprekken", ("conversation",)),
    "checkins": ("check-ins en berichten", ("scheduled_message",)),
    "accounts": ("inloggen en accounts", ("staff_user",)),
    "spreekuren": ("spreekuren", ("schedule", "location")),
    "bewaartermijn": ("bewaartermijnen", ("retention",)),
    "redactie": ("redactie", ("missed_message", "reviewed_example")),
}
#: How the page names a detail's key; keys not listed are shown as they are.
DETAIL_LABELS: dict[str, str] = {
    "old": "was",
    "new": "nu",
    "channel": "kanaal",
    "urgent": "spoed",
    "role": "rol",
    "reason": "reden",
    "username": "gebruikersnaam",
    "client": "apparaat",
    "assignee_id": "medewerker-id",
    "slot_id": "tijd-id",
    "from_slot_id": "van tijd-id",
    "to_slot_id": "naar tijd-id",
    "intent": "vraag (intent)",
    "example_id": "voorbeeld-id",
    "count": "aantal",
    "rows": "regels",
    "rejected": "afgewezen",
    "source": "na",
    "source_id": "van id",
    "outcome": "antwoord",
    "cancelled": "geannuleerd",
}


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


def detail_items(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The details as (label, value) pairs in the order they were recorded; nested values as short text."""
    items = []
    for key, value in (details or {}).items():
        if isinstance(value, bool):
            text = "ja" if value else "nee"
        elif isinstance(value, dict):
            text = ", ".join(f"{inner}: {part}" for inner, part in value.items())
        elif isinstance(value, list):
            text = ", ".join(map(str, value))
        else:
            text = str(value)
        items.append((DETAIL_LABELS.get(key, key), text[:200]))
    return items


def _text(column: Any) -> Any:
    return cast(column, String)


def within(scope: frozenset[int]) -> ColumnElement[bool]:
    """The lines about things of the municipalities in `scope` (ids); see the module's docstring."""
    ids = sorted(scope)
    scoped_bookings = (
        select(Booking.id, Booking.code)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .join(Location, Location.id == Schedule.location_id)
        .where(Location.municipality_id.in_(ids))
        .subquery()
    )
    booking_keys = union_all(select(_text(scoped_bookings.c.id)), select(scoped_bookings.c.code))
    elsewhere = select(StaffMunicipality.staff_user_id).where(StaffMunicipality.municipality_id.not_in(ids))
    accounts = select(_text(StaffMunicipality.staff_user_id)).where(
        StaffMunicipality.staff_user_id.not_in(elsewhere)
    )
    keys: dict[str, Any] = {
        "handover": select(_text(Handover.id)).where(Handover.municipality_id.in_(ids)),
        "callback": select(_text(CallbackRequest.id)).where(CallbackRequest.municipality_id.in_(ids)),
        "conversation": select(_text(Conversation.id)).where(Conversation.municipality_id.in_(ids)),
        "location": select(_text(Location.id)).where(Location.municipality_id.in_(ids)),
        "schedule": select(_text(Schedule.id))
        .join(Location, Location.id == Schedule.location_id)
        .where(Location.municipality_id.in_(ids)),
        "municipality": select(Municipality.slug).where(Municipality.id.in_(ids)),
        "missed_message": select(_text(MissedMessage.id)).where(MissedMessage.municipality_id.in_(ids)),
        "staff_user": accounts,
    }
    parts = [
        and_(AuditEntry.entity == entity, AuditEntry.entity_id.in_(query)) for entity, query in keys.items()
    ]
    parts.append(
        and_(AuditEntry.entity.in_(("booking", "booking_lookup")), AuditEntry.entity_id.in_(booking_keys))
    )
    return or_(*parts)


@dataclass(frozen=True)
class AuditFilter:
    kind: str | None = None
    action: str | None = None
    search: str | None = None
    #: The municipalities (ids) of a beheerder who does not work for all of them; None: every line.
    scope: frozenset[int] | None = None

    @classmethod
    def parse(cls, kind: str = "", action: str = "", search: str = "") -> tuple[AuditFilter, bool]:
        """From query strings; unknown values are dropped. Returns the filter and whether one was dropped."""
        dropped = False
        if kind and kind not in KINDS:
            kind, dropped = "", True
        if action and action not in ACTIONS:
            action, dropped = "", True
        return cls(kind or None, action or None, clean_search(search)), dropped

    def query_string(self) -> dict[str, str]:
        values = {"soort": self.kind or "", "actie": self.action or "", "zoek": self.search or ""}
        return {key: value for key, value in values.items() if value}

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.kind is not None:
            query = query.where(AuditEntry.entity.in_(KINDS[self.kind][1]))
        if self.action is not None:
            query = query.where(AuditEntry.action == self.action)
        if self.search is not None:
            query = query.where(contains_any((AuditEntry.actor, AuditEntry.entity_id), self.search))
        if self.scope is not None:
            query = query.where(within(self.scope))
        return query


def audit_page(
    *, session: Session, filters: AuditFilter, page: int = 1, size: int = PAGE_SIZE
) -> Page[AuditEntry]:
    """One page of the log, newest first, with the true number of matching entries."""
    query = filters.apply(select(AuditEntry)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return page_of(session, query, page, size, count_query=filters.apply(select(AuditEntry.id)))
