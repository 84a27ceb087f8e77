"""Clearly fictional demo data: two municipalities, "Voorbeeldstad" (three locations) and "Heideveen" (two,
with other days and times, and its own office hours), their spreekuren and slots, and their postcodes and
place names (`bot/backend/demo/places.csv`, fictional).

The demo locations are recognised by their names and addresses below, and by "(demo)" in a name, so
the backend can refuse to serve them outside development (`find_demo_locations`, `serve`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.backend.models import Closure, Location, Schedule
from bot.backend.services import audit
from bot.backend.services.municipalities import get_or_create, set_office_hours
from bot.backend.services.place_import import import_places, read_place_rows
from bot.backend.services.slots import generate_slots

#: The demo municipalities (slug, name); the first is the default of `.env.example`.
DEMO_MUNICIPALITIES = (("voorbeeldstad", "Voorbeeldstad"), ("heideveen", "Heideveen"))
#: Their own office hours; Voorbeeldstad has none, so the `OFFICE_HOURS` setting's (ma-vr 09:00-17:00).
DEMO_OFFICE_HOURS = {"heideveen": "ma-do 08:30-16:30"}
#: Their fictional postcodes (starting with 0, which no Dutch postcode does, or the demo's 9999) and places.
DEMO_PLACES_CSV = Path(__file__).resolve().parents[1] / "demo" / "places.csv"

# (name, address, wijk, directions, municipality slug)
DEMO_LOCATIONS = (
    ("Buurthuis De Voorbeeldhoek (demo)", "Voorbeeldstraat 1, 9999 XX Voorbeeldstad", "Noord",
     "Bus 99 tot halte Voorbeeldplein, dan 2 minuten lopen. Ingang naast de bibliotheek (demo).",
     "voorbeeldstad"),
    ("Wijkcentrum Het Fictieve Plein (demo)", "Fictieplein 12, 9999 XY Voorbeeldstad", "Centrum",
     "5 minuten lopen vanaf station Voorbeeldstad Centraal. Rolstoeltoegankelijk (demo).", "voorbeeldstad"),
    ("Ontmoetingsplek De Proefboom (demo)", "Proeflaan 7, 9999 XZ Voorbeeldstad", "Zuid",
     "Tram 0 tot halte Proeflaan. Fietsenstalling aan de achterkant (demo).", "voorbeeldstad"),
    ("Dorpshuis De Heidebloem (demo)", "Heideweg 3, 0201 HB Heideveen", "Heideveen-Dorp",
     "Buurtbus 0 tot halte Kerkplein Heideveen. Gratis parkeren naast het dorpshuis (demo).", "heideveen"),
    ("Steunpunt Oud-Heide (demo)", "Molenpad 8, 0203 OH Oud-Heide", "Oud-Heide",
     "Tegenover de molen. Ingang met hellingbaan aan de zijkant (demo).", "heideveen"),
)  # fmt: skip

#: Marks a demo location's name; a location whose name contains it is never served outside development.
DEMO_MARK = "(demo)"

# (location index, topic, title, weekday, start, end, slot minutes, capacity)
DEMO_SCHEDULES = (
    (0, "schulden", "Inloopspreekuur Geldzaken", 4, time(9, 0), time(10, 30), None, 6),
    (0, "huisvesting", "Spreekuur Wonen", 1, time(13, 30), time(15, 30), 30, 1),
    (1, "schulden", "Afspraakspreekuur Schulden", 2, time(9, 0), time(12, 0), 30, 2),
    (1, "algemeen", "Inloopspreekuur Wijkteam", 0, time(10, 0), time(12, 0), None, 8),
    (1, "jeugdhulp", "Spreekuur Opvoeden en Opgroeien", 3, time(14, 0), time(16, 0), 40, 1),
    (2, "algemeen", "Inloopspreekuur Wijkteam", 3, time(9, 30), time(11, 30), None, 8),
    (2, "schulden", "Avondspreekuur Geldzaken", 1, time(18, 30), time(20, 0), 30, 1),
    # Heideveen: other days and times than Voorbeeldstad.
    (3, "schulden", "Spreekuur Geld en Schulden", 0, time(13, 0), time(15, 0), 30, 1),
    (3, "algemeen", "Inloop Sociaal Team Heideveen", 2, time(9, 0), time(10, 0), None, 5),
    (3, "jeugdhulp", "Spreekuur Gezin en Opvoeden", 4, time(13, 30), time(15, 0), 45, 1),
    (4, "huisvesting", "Spreekuur Wonen Oud-Heide", 3, time(10, 0), time(12, 0), 30, 1),
    (4, "schulden", "Avondinloop Geldzaken", 2, time(19, 0), time(20, 30), None, 4),
)


@dataclass
class SeedReport:
    seeded: bool
    slots_created: int


def seed_demo_data(*, session: Session, today: date, horizon_days: int, actor: str = "cli") -> SeedReport:
    """Add the demo data when there are no locations yet; always top up slots for the coming weeks."""
    seeded = False
    if not session.scalar(select(func.count()).select_from(Location)):
        places = {
            slug: get_or_create(session=session, slug=slug, name=name, actor=actor)
            for slug, name in DEMO_MUNICIPALITIES
        }
        for slug, hours in DEMO_OFFICE_HOURS.items():
            if places[slug].office_hours is None:
                set_office_hours(session=session, slug=slug, hours=hours, actor=actor)
        locations = [
            Location(name=name, address=address, wijk=wijk, directions=directions,
                     municipality_id=places[slug].id)
            for name, address, wijk, directions, slug in DEMO_LOCATIONS
        ]  # fmt: skip
        session.add_all(locations)
        session.flush()
        for index, topic, title, weekday, start, end, minutes, capacity in DEMO_SCHEDULES:
            session.add(
                Schedule(location_id=locations[index].id, topic=topic, title=title, weekday=weekday,
                         start_time=start, end_time=end, slot_minutes=minutes, capacity=capacity,
                         valid_from=today - timedelta(days=today.weekday()), valid_until=None)
            )  # fmt: skip
        for holiday, reason in _general_holidays(today):
            session.add(Closure(location_id=None, date_from=holiday, date_to=holiday, reason=reason))
        session.flush()
        import_places(session=session, rows=read_place_rows(DEMO_PLACES_CSV), actor=actor)
        audit.record(session=session, actor=actor, action="seed.demo", entity="location")
        seeded = True
    created = generate_slots(session=session, start=today, end=today + timedelta(days=horizon_days))
    return SeedReport(seeded=seeded, slots_created=created)


def find_demo_locations(*, session: Session) -> list[str]:
    """Names of locations that are (or were seeded as) demo locations: by name, address or "(demo)"."""
    names = [name for name, *_ in DEMO_LOCATIONS]
    addresses = [address for _, address, *_ in DEMO_LOCATIONS]
    query = select(Location.name).where(
        or_(Location.name.in_(names), Location.address.in_(addresses), Location.name.contains(DEMO_MARK))
    )
    return sorted(session.scalars(query))


def _general_holidays(today: date) -> list[tuple[date, str]]:
    """Fixed-date public holidays of this and next year (Easter-based ones belong in the CSV import)."""
    days = []
    for year in (today.year, today.year + 1):
        days += [
            (date(year, 1, 1), "Nieuwjaarsdag"),
            (date(year, 4, 26 if date(year, 4, 27).weekday() == 6 else 27), "Koningsdag"),
            (date(year, 12, 25), "Eerste Kerstdag"),
            (date(year, 12, 26), "Tweede Kerstdag"),
        ]
    return [(day, reason) for day, reason in days if day >= today]
