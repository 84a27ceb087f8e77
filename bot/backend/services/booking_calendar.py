"""The booking's calendar file (.ics) and its public link, and the team's phone number for the texts.

The link `GET /calendar/{token}.ics` needs no login: the token is the booking's id with an HMAC, so it
opens only the booking it was made for and cannot be guessed from a code. The file holds what the
confirmation shows (when, where, the code) and how to cancel; never the resident's name or contact.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.backend.models import Booking, BookingStatus
from bot.backend.services.errors import NotFound
from bot.backend.settings import BackendSettings
from bot.content_facts import LOCAL_FILE, municipality_files, parse_local, read_yaml
from bot.shared.topics import topic_label

#: Only for a development machine without any secret configured (settings refuse that elsewhere).
_DEVELOPMENT_KEY = "voordeur-development-calendar-key"
_MAC_LENGTH = 22  # characters of base64url (about 132 bits)
CALENDAR_GONE = "Deze afspraak bestaat niet meer of is geannuleerd."


def _key(settings: BackendSettings) -> bytes:
    secret = settings.calendar_secret or settings.backend_service_token or _DEVELOPMENT_KEY
    return hashlib.sha256(("calendar-link:" + secret).encode()).digest()


def _mac(settings: BackendSettings, booking_id: int) -> str:
    digest = hmac.new(_key(settings), str(booking_id).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:_MAC_LENGTH]


def calendar_token(settings: BackendSettings, booking_id: int) -> str:
    """`<id>-<mac>`: opens this booking's calendar file only."""
    return f"{booking_id}-{_mac(settings, booking_id)}"


def calendar_url(settings: BackendSettings, booking: Booking) -> str:
    return f"{settings.backend_public_url}/calendar/{calendar_token(settings, booking.id)}.ics"


def booking_id_of(settings: BackendSettings, token: str) -> int | None:
    """The booking id a token was made for, or None when the token is not one of ours."""
    number, _, mac = token.partition("-")
    if not number.isdigit() or len(number) > 10 or not mac:
        return None
    booking_id = int(number)
    return booking_id if hmac.compare_digest(mac, _mac(settings, booking_id)) else None


@lru_cache(maxsize=8)
def _phones(content_dir: Path, default: str) -> dict[str, str]:
    local = parse_local(read_yaml(content_dir / LOCAL_FILE))[0].values
    phones = {default: local.get("wijkteam_telefoon", "")}
    for slug, path in municipality_files(content_dir).items():
        values = {**local, **parse_local(read_yaml(path), slug)[0].values}
        phones.setdefault(slug, values.get("wijkteam_telefoon", ""))
    return phones


def team_phone(settings: BackendSettings, municipality_slug: str) -> str:
    """The wijkteam's number of a municipality (content/local/<slug>.yml, else content/local.yml)."""
    phones = _phones(settings.content_dir, settings.default_municipality)
    return phones.get(municipality_slug) or phones.get(settings.default_municipality, "")


def cancel_hint(settings: BackendSettings, booking: Booking) -> str:
    """How to cancel or move, in the resident's words."""
    phone = team_phone(settings, booking.slot.schedule.location.municipality.slug)
    text = f"Kun je niet komen? Zeg dan af in de chat met het wijkteam. Gebruik je code {booking.code}."
    return f"{text} Of bel het wijkteam: {phone}." if phone else text


def slot_times(booking: Booking, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The start and end of the booking's slot, as aware local times."""
    slot = booking.slot
    return (
        datetime.combine(slot.date, slot.start_time, tzinfo=tz),
        datetime.combine(slot.date, slot.end_time, tzinfo=tz),
    )


def booking_ics(settings: BackendSettings, booking: Booking, now: datetime | None = None) -> bytes:
    """The booking as an iCalendar file: local times with TZID and the zone's VTIMEZONE."""
    if booking.status is not BookingStatus.CONFIRMED:
        raise NotFound("booking_not_found", CALENDAR_GONE)
    location = booking.slot.schedule.location
    start, end = slot_times(booking, settings.tz)
    event = Event()
    event.add("uid", f"booking-{booking.id}@voordeur")
    event.add("dtstamp", now or datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", f"{booking.slot.schedule.title} (wijkteam, {topic_label(booking.topic)})")
    event.add("location", f"{location.name}, {location.address}")
    event.add(
        "description",
        f"Je afspraak bij het wijkteam.\nJe code is {booking.code}.\n{cancel_hint(settings, booking)}",
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Voordeur//Wijkteam spreekuur//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
