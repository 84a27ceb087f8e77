"""Municipalities: list them, find one by a place name or postcode, resolve the slug a request names,
set their office hours.

A slug is lowercase ascii (`voorbeeldstad`, `heideveen`). A request that names none gets the default
municipality (`DEFAULT_MUNICIPALITY`); one that names an unknown slug is refused with 422. A municipality
without office hours of its own (NULL) has the `OFFICE_HOURS` setting's.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import Municipality, MunicipalityPlace, PlaceKind
from bot.backend.services import audit
from bot.backend.services.errors import NotFound, invalid
from bot.backend.services.office_hours import OfficeHoursError, parse_office_hours

SLUG_PATTERN = r"^[a-z][a-z0-9-]{0,39}$"
_SLUG = re.compile(SLUG_PATTERN)
#: "1234", "1234AB", "1234 ab": a Dutch postcode or its four digits (only the digits are looked up).
_POSTCODE = re.compile(r"^\s*([0-9]{4})\s*(?:[a-zA-Z]{2})?\s*$")
QUERY_MAX = 100
#: The longest office hours text a municipality keeps (a week with several periods a day fits easily).
OFFICE_HOURS_MAX = 500
OFFICE_HOURS_HELP = "Schrijf ze zo: ma-vr 09:00-17:00, za 10:00-12:00 (dagen: ma di wo do vr za zo)."


def place_key(text: str) -> str:
    """A place name as looked up: no accents, no case, only letters and digits ("Oud-Heide" -> "oudheide")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum() and not unicodedata.combining(char))


def postcode_key(text: str) -> str | None:
    """The four digits of a postcode, or None when `text` is no postcode."""
    match = _POSTCODE.match(text)
    return match.group(1) if match else None


def name_of(slug: str) -> str:
    """A readable name for a slug nobody named yet ("oud-heide" -> "Oud Heide")."""
    return " ".join(part.capitalize() for part in slug.split("-"))


def list_municipalities(*, session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.name, Municipality.slug)))


def find_by_slug(*, session: Session, slug: str) -> Municipality | None:
    return session.scalars(select(Municipality).where(Municipality.slug == slug)).first()


def get_or_create(
    *, session: Session, slug: str, name: str | None = None, actor: str = "cli"
) -> Municipality:
    """The municipality with this slug; made (and audited) when it does not exist yet."""
    if not _SLUG.match(slug):
        raise invalid("municipality", "Een gemeente-code heeft kleine letters, cijfers of een streepje.")
    found = find_by_slug(session=session, slug=slug)
    if found is not None:
        return found
    municipality = Municipality(slug=slug, name=name or name_of(slug))
    session.add(municipality)
    session.flush()
    audit.record(session=session, actor=actor, action="municipality.create", entity="municipality",
                 entity_id=municipality.slug)  # fmt: skip
    return municipality


def resolve(*, session: Session, slug: str | None, default: str | None = None) -> Municipality:
    """The municipality a request names, or the default one when it names none (made when missing, so a
    changed `DEFAULT_MUNICIPALITY` works at once); an unknown slug is refused (422)."""
    if slug is None:
        if default is None:
            from bot.backend.settings import get_settings  # the running app's settings (services' default)

            default = get_settings().default_municipality
        return get_or_create(session=session, slug=default, actor="default")
    found = find_by_slug(session=session, slug=slug) if _SLUG.match(slug) else None
    if found is None:
        raise invalid("municipality", "Deze gemeente kennen we niet. Kies een gemeente uit de lijst.")
    return found


def lookup(*, session: Session, query: str) -> Municipality:
    """The municipality of a place name or postcode (also its own name); 404 when none matches."""
    text = query[:QUERY_MAX]
    postcode = postcode_key(text)
    kind, key = (PlaceKind.POSTCODE, postcode) if postcode else (PlaceKind.PLACE, place_key(text))
    found = None
    if key:
        found = session.scalars(
            select(Municipality)
            .join(MunicipalityPlace, MunicipalityPlace.municipality_id == Municipality.id)
            .where(MunicipalityPlace.kind == kind, MunicipalityPlace.key == key)
        ).first()
        if found is None and kind is PlaceKind.PLACE:
            found = next(
                (item for item in list_municipalities(session=session)
                 if key in (place_key(item.name), place_key(item.slug))),
                None,
            )  # fmt: skip
    if found is None:
        raise NotFound(
            "municipality_not_found",
            "Deze plaats of postcode kennen we niet. Kies je gemeente uit de lijst.",
        )
    return found


def office_hours_of(municipality: Municipality, setting: str) -> str:
    """The municipality's office hours text, or `setting` (`OFFICE_HOURS`) when it has none of its own."""
    return setting if municipality.office_hours is None else municipality.office_hours


def set_office_hours(*, session: Session, slug: str, hours: str | None, actor: str = "cli") -> Municipality:
    """Give a municipality its own office hours (as `OFFICE_HOURS`), or None: the setting again; audited.

    Unreadable or empty hours and an unknown slug are refused (422, in Dutch).
    """
    municipality = resolve(session=session, slug=slug)
    text = None if hours is None else " ".join(hours.split())
    if text is not None:
        if not text:
            raise invalid("office_hours", f"Geef openingstijden op. {OFFICE_HOURS_HELP}")
        if len(text) > OFFICE_HOURS_MAX:
            raise invalid(
                "office_hours", f"Deze openingstijden zijn te lang (meer dan {OFFICE_HOURS_MAX} tekens)."
            )
        try:
            parse_office_hours(text)
        except OfficeHoursError as error:
            raise invalid(
                "office_hours", f"Deze openingstijden kunnen we niet lezen. {OFFICE_HOURS_HELP}"
            ) from error
    old = municipality.office_hours
    if old != text:
        municipality.office_hours = text
        audit.record(
            session=session, actor=actor, action="municipality.office_hours", entity="municipality",
            entity_id=municipality.slug, old=old or "instelling", new=text or "instelling",
        )  # fmt: skip
    return municipality
