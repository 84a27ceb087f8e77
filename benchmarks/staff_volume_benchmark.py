"""Staff pages at volume: every staff page's response time on PostgreSQL with 100,000 handovers, callback
requests and bookings (issue 21 item 2).

1. Creates a throw-away PostgreSQL database on 127.0.0.1:5432 (`VOORDEUR_TEST_POSTGRES_URL`, as the
   tests) and migrates it with Alembic.
2. Fills it with `--rows` handovers, callback requests and bookings (default 100,000 each), bulk-loaded
   with COPY: a year of them with a realistic spread of statuses (most long done, a few thousand open),
   topics, channels, urgency, dates and first names; summaries shaped like the bot's; a conversation per
   handover plus as many settled without a person; locations, spreekuren and slots for the bookings
   (a year back and six weeks ahead); an audit line per made item and per staff action on it. Then
   VACUUM ANALYZE, as autovacuum would have done. Two municipalities (issue 23): the default one and
   Heideveen share the rows (about 60/40), each with its own locations; the medewerkers work for one each.
3. Starts the case backend as production does (`python -m bot.backend serve`, `VOORDEUR_ENV=production`)
   against it, with a small stand-in for Rasa's tracker API (the handover page reads the transcript).
4. Logs in as a regional beheerder (both municipalities) through the login form and requests every staff
   page `--requests` times (30) after `--warmup` requests, one at a time with httpx, and takes p50, p95 and
   the slowest; the inbox and the dashboard also as a medewerker of the default municipality only (the
   scoped inbox, and the dashboard counted live because the kept day summaries are of all together).
5. Prints the table, saves it as JSON (`--label`, in benchmarks/results/staff_volume/) and writes
   docs/staff-volume-benchmark.md with the command, machine, date, table, a before column
   (`--baseline` JSON) and the notes of benchmarks/staff-volume-notes.md (what was slow, what was done).
   Drops the database afterwards (`--keep` leaves it and prints its URL).

Target: every page under 300 ms p95. A measurement, not a test (tests/app/test_staff_volume_benchmark.py
runs it with 200 rows to check that it works).

Usage (the app environment; PostgreSQL on 127.0.0.1:5432):
    .venv/app/bin/python benchmarks/staff_volume_benchmark.py [--rows 100000] [--requests 30] \
        [--label current] [--baseline benchmarks/results/staff_volume/before.json] [--report PATH] [--keep]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's backend, and the port picking shared with the tests
from benchmarks.machine import machine  # noqa: E402
from bot.backend.db import build_engine  # noqa: E402
from bot.backend.migrate import upgrade  # noqa: E402
from bot.backend.models import (  # noqa: E402
    AuditEntry,
    Base,
    Booking,
    CallbackRequest,
    Conversation,
    Handover,
    Location,
    Municipality,
    Schedule,
    Slot,
    StaffMunicipality,
    StaffRole,
    StaffUser,
)
from bot.backend.services.codes import new_code  # noqa: E402
from bot.backend.services.municipalities import get_or_create  # noqa: E402
from bot.backend.services.staff import create_staff_user  # noqa: E402
from tests.app.backend_helpers import ThrowAwayPostgres  # noqa: E402
from tests.ports import free_port  # noqa: E402

REPORT = ROOT / "docs" / "staff-volume-benchmark.md"
NOTES = ROOT / "benchmarks" / "staff-volume-notes.md"
RESULTS = ROOT / "benchmarks" / "results" / "staff_volume"
TARGET_P95_MS = 300.0
COOKIE = "voordeur_staff"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# --- The data ---------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Fatima",
    "Sanne",
    "Mohamed",
    "Anouk",
    "Daan",
    "Emma",
    "Yusuf",
    "Noor",
    "Lucas",
    "Aisha",
    "Sem",
    "Julia",
    "Mehmet",
    "Lotte",
    "Kevin",
    "Priya",
    "Bram",
    "Zeynep",
    "Ricardo",
    "Ingrid",
    "Tom",
    "Sara",
    "Hamza",
    "Femke",
    "Jan",
    "Marieke",
    "Ahmed",
    "Esther",
    "Dewi",
    "Sven",
    "Naima",
    "Rik",
    "Olga",
    "Joost",
    "Layla",
    "Wim",
    "Chantal",
    "Omar",
    "Iris",
    "Kofi",
)
TOPIC_WEIGHTS = {"schulden": 38, "huisvesting": 26, "jeugdhulp": 16, "algemeen": 12, "veiligheid": 4}
TOPIC_LABELS = {
    "schulden": "Geldzaken en schulden",
    "huisvesting": "Wonen en huisvesting",
    "jeugdhulp": "Opvoeden en jeugdhulp",
    "algemeen": "Algemene vragen",
    "veiligheid": "Veiligheid thuis",
}
QUESTIONS = {
    "schulden": (
        "Ik heb een brief van de deurwaarder gekregen over beslag op mijn loon",
        "Ik kan mijn rekeningen deze maand niet betalen",
        "Hoe vraag ik een betalingsregeling aan bij de belastingdienst?",
        "Mijn zorgverzekering wordt opgezegd omdat ik achter loop",
        "Ik krijg steeds aanmaningen en weet niet meer waar ik moet beginnen",
        "Kan ik schuldhulp krijgen als ik een eigen bedrijf heb?",
    ),
    "huisvesting": (
        "Ik heb een huurachterstand en de verhuurder dreigt met ontruiming",
        "Mijn huis is vochtig en de verhuurder doet niets",
        "Hoe lang is de wachttijd voor een sociale huurwoning?",
        "We zitten straks op straat, wat kan ik doen?",
        "Kan ik huurtoeslag krijgen met een bijstandsuitkering?",
    ),
    "jeugdhulp": (
        "Mijn zoon van 14 gaat niet meer naar school",
        "Ik maak me zorgen over mijn dochter, ze blowt veel",
        "Waar kan ik terecht voor opvoedondersteuning?",
        "Ons kind heeft een indicatie nodig voor jeugdhulp",
    ),
    "algemeen": (
        "Wat zijn de openingstijden van het wijkteam?",
        "Ik wil iemand spreken over mijn situatie",
        "Kan ik langskomen zonder afspraak?",
    ),
    "veiligheid": (
        "Mijn partner wordt boos en ik voel me thuis niet veilig",
        "Ik maak me zorgen over de buurvrouw, er is vaak geschreeuw",
    ),
}
REASONS = (
    ("De bewoner vroeg om een medewerker.", 70),
    ("De assistent begreep de bewoner twee keer niet.", 15),
    ("Het stappenplan hielp de bewoner niet genoeg.", 12),
    ("Na een crisisbericht: de bewoner wil iemand spreken.", 3),
)
CHANNELS = (("socketio", 72), ("telegram", 25), ("rest", 3))
LOCATIONS = (
    ("Wijkcentrum De Linde", "Lindelaan 4", "Noord"),
    ("Buurthuis Het Anker", "Havenstraat 12", "Centrum"),
    ("Wijkhuis De Brug", "Brugweg 88", "Oost"),
    ("Ontmoetingscentrum Zuidhoek", "Zuidplein 3", "Zuid"),
    ("Buurtkamer De Vonk", "Vonkstraat 21", "West"),
    ("Stadsdeelkantoor Oost", "Oostersingel 150", "Oost"),
    ("Wijkcentrum Kleurrijk", "Regenboogpad 7", "Noord"),
    ("Bibliotheek Centrum (spreekuurruimte)", "Marktplein 1", "Centrum"),
)
STAFF = ("sanne", "joris", "fatma", "pieter", "linda", "youssef", "marloes", "henk", "ayse", "bart")
#: The second municipality next to the default one (the demo's Heideveen); its share of the rows.
SECOND_MUNICIPALITY = ("heideveen", "Heideveen")
SECOND_SHARE = 0.4


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def topic_of(rng: random.Random) -> str:
    return weighted(rng, list(TOPIC_WEIGHTS.items()))


def phone(rng: random.Random) -> str:
    return f"+316{rng.randrange(10_000_000, 99_999_999)}"


def moment(rng: random.Random, now: datetime, days_back: float) -> datetime:
    """A time in the last `days_back` days; more in office hours, more recent ones a little denser."""
    days = days_back * rng.random() ** 1.15
    stamp = now - timedelta(days=days)
    if rng.random() < 0.8:  # mostly in office hours (local 9-17 is about 8-16 UTC)
        stamp = stamp.replace(hour=rng.randrange(8, 16), minute=rng.randrange(60))
    return min(stamp, now - timedelta(minutes=1))


def summary(rng: random.Random, topic: str | None, reason: str, name: str | None, code: str | None) -> str:
    """Shaped like the bot's (actions/handover.py, `conversation_summary`)."""
    lines = [reason]
    if topic:
        lines.append(f"Onderwerp: {TOPIC_LABELS[topic]}.")
    if name:
        lines.append(f"Voornaam: {name}.")
    if code:
        lines.append(f"Afspraakcode: {code}.")
    pool = QUESTIONS[topic or "algemeen"]
    lines.append("De bewoner schreef (laatste berichten):")
    lines += [f"- {line}" for line in rng.sample(pool, k=min(len(pool), rng.choice((1, 2, 3))))]
    return "\n".join(lines)


@dataclass
class Volume:
    """What was written, for the report and for choosing the pages' parameters."""

    rows: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    handover_ids: list[int] = field(default_factory=list)
    code_in_summary: str = ""
    name_in_summary: str = ""
    open_topic: str = ""
    open_channel: str = ""
    booking_code: str = ""
    booking_name: str = ""
    cancelled_location: int = 0
    #: The municipalities' ids: the default one first.
    municipalities: list[int] = field(default_factory=list)


class Loader:
    """COPY rows into the tables, in the columns the models have now (fails loudly on a new NOT NULL one)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def copy(self, table: Table, rows: Iterable[dict[str, Any]], *, own_ids: bool = True) -> int:
        """COPY `rows`; with `own_ids` False the database numbers them (the table already has rows)."""
        columns = [column.name for column in table.columns if own_ids or not column.primary_key]
        count = 0
        raw = self.engine.raw_connection()
        try:
            connection: psycopg.Connection = raw.driver_connection  # type: ignore[assignment]
            names = ", ".join(columns)
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row([self._value(table, name, row) for name in columns])
                    count += 1
            connection.commit()
        finally:
            raw.close()
        return count

    @staticmethod
    def _value(table: Table, name: str, row: dict[str, Any]) -> Any:
        if name in row:
            value = row[name]
            return json.dumps(value) if isinstance(value, dict) else value
        column = table.columns[name]
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            return default.arg  # type: ignore[attr-defined]
        if column.nullable:
            return None
        raise SystemExit(f"staff_volume_benchmark: no value for {table.name}.{name}; teach fill() about it")


def municipality_ids(engine: Engine) -> list[int]:
    """The default municipality (made by migration 0010) and the second one (made here), in that order."""
    with Session(engine) as session, session.begin():
        default = session.scalars(select(Municipality.id).order_by(Municipality.id)).first()
        second = get_or_create(session=session, slug=SECOND_MUNICIPALITY[0], name=SECOND_MUNICIPALITY[1],
                               actor="benchmark").id  # fmt: skip
    assert default is not None, "migration 0010 makes the default municipality"
    return [default, second] if default != second else [default]


def fill(engine: Engine, rows: int, seed: int = 21) -> Volume:
    """Write the whole volume; see the module's docstring."""
    started = time.monotonic()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    today = now.date()
    volume = Volume(rows)
    volume.municipalities = towns = municipality_ids(engine)

    def town(rng: random.Random) -> int:
        """A municipality for a new row: the second one for about SECOND_SHARE of them."""
        return towns[-1] if rng.random() < SECOND_SHARE else towns[0]

    loader = Loader(engine)
    tables = {
        model.__tablename__: Base.metadata.tables[model.__tablename__]
        for model in (
            Location,
            Schedule,
            Slot,
            Booking,
            CallbackRequest,
            Handover,
            Conversation,
            AuditEntry,
            StaffUser,
        )
    }
    audit: list[tuple[datetime, str, str, str, str | None, dict[str, Any]]] = []

    def log(at: datetime, actor: str, action: str, entity: str, entity_id: object, **details: Any) -> None:
        """An audit line; kept as a tuple (a year of them is about ten lines per handover)."""
        audit.append((at, actor, action, entity, None if entity_id is None else str(entity_id), details))

    # Staff (the benchmark's own beheerder is made with the service, with a real password hash).
    staff_rows: list[dict[str, Any]] = [
        {
            "id": 1000 + index,
            "username": name,
            "display_name": name.capitalize(),
            "role": StaffRole.STAFF.value,
            "password_hash": "!benchmark",
            "active": True,
            "created_at": now - timedelta(days=400),
        }
        for index, name in enumerate(STAFF)
    ]
    loader.copy(tables["staff_users"], staff_rows)
    staff_ids = [row["id"] for row in staff_rows]
    links = Base.metadata.tables[StaffMunicipality.__tablename__]
    loader.copy(links, ({"staff_user_id": staff_id, "municipality_id": towns[index % len(towns)]}
                        for index, staff_id in enumerate(staff_ids)))  # fmt: skip

    # Locations (the first half the default municipality's, the rest the second one's), spreekuren (3 per
    # location, on different weekdays) and their slots.
    loader.copy(
        tables["locations"],
        (
            {
                "id": index + 1,
                "name": name,
                "address": address,
                "wijk": wijk,
                "directions": "",
                "municipality_id": towns[-1] if index >= len(LOCATIONS) // 2 else towns[0],
                "created_at": now,
            }
            for index, (name, address, wijk) in enumerate(LOCATIONS)
        ),
    )
    schedules = []
    for index in range(len(LOCATIONS) * 3):
        spreekuur_topic = ("schulden", "huisvesting", "jeugdhulp")[index % 3]
        schedules.append(
            {
                "id": index + 1,
                "location_id": index // 3 + 1,
                "topic": spreekuur_topic,
                "title": f"Inloopspreekuur {TOPIC_LABELS[spreekuur_topic]}",
                "weekday": (index * 2) % 5,
                "start_time": clock_time(9, 0),
                "end_time": clock_time(12, 0),
                "slot_minutes": 30,
                "capacity": 1,
                "valid_from": today - timedelta(days=400),
                "valid_until": None,
                "created_at": now,
            }
        )
    loader.copy(tables["schedules"], schedules)
    slot_rows: list[dict[str, Any]] = []
    for day_offset in range(-365, 43):
        day = today + timedelta(days=day_offset)
        for schedule in schedules:
            if schedule["weekday"] != day.weekday():
                continue
            for half_hour in range(6):
                start = clock_time(9 + half_hour // 2, 30 * (half_hour % 2))
                end = clock_time(9 + (half_hour + 1) // 2, 30 * ((half_hour + 1) % 2))
                slot_rows.append(
                    {
                        "id": len(slot_rows) + 1,
                        "schedule_id": schedule["id"],
                        "date": day,
                        "start_time": start,
                        "end_time": end,
                        "capacity": 1,
                        "booked": 0,
                    }
                )
    # Spread the bookings over the slots: a place per booking, so `capacity` grows with the volume.
    per_slot = max(1, math.ceil(rows * 1.05 / len(slot_rows)))
    for slot in slot_rows:
        slot["capacity"] = per_slot

    # Conversations (one per handover, as many settled without a person) and handovers.
    conversations: list[dict[str, Any]] = []
    handovers: list[dict[str, Any]] = []
    for number in range(1, rows + 1):
        created = moment(rng, now, 365)
        age = now - created
        topic = topic_of(rng) if rng.random() > 0.06 else None
        conversation_id = uuid.UUID(int=rng.getrandbits(128)).hex
        channel = weighted(rng, CHANNELS)
        if age < timedelta(days=2):
            status = weighted(rng, (("open", 55), ("in_behandeling", 35), ("afgerond", 10)))
        else:
            status = weighted(rng, (("open", 2), ("in_behandeling", 2), ("afgerond", 96)))
        reason = weighted(rng, REASONS)
        name = rng.choice(FIRST_NAMES) if rng.random() < 0.6 else None
        code = new_code() if rng.random() < 0.15 else None
        assignee = rng.choice(staff_ids) if status != "open" else None
        closed = created + timedelta(hours=rng.uniform(0.2, 72)) if status == "afgerond" else None
        closed = min(closed, now) if closed else None
        place = town(rng)
        handovers.append(
            {
                "id": number,
                "conversation_id": conversation_id,
                "channel": channel,
                "reason": reason,
                "topic": topic,
                "summary": summary(rng, topic, reason, name, code),
                "contact_request": f"Bel me terug op {phone(rng)[3:]}" if rng.random() < 0.3 else None,
                "status": status,
                "assignee_id": assignee,
                "municipality_id": place,
                "created_at": created,
                "updated_at": closed or created,
                "closed_at": closed,
            }
        )
        conversations.append(
            {
                "id": number,
                "conversation_id": conversation_id,
                "channel": channel,
                "topic": topic,
                "handed_over": True,
                "misunderstood": reason.startswith("De assistent"),
                "municipality_id": place,
                "first_seen_at": created - timedelta(minutes=4),
                "last_seen_at": created,
            }
        )
        log(created, "api", "handover.create", "handover", number, channel=channel)
        if assignee:
            actor = f"staff:{STAFF[assignee - 1000]}"
            taken = created + timedelta(minutes=rng.uniform(2, 240))
            log(taken, actor, "handover.view", "handover", number)
            log(taken, actor, "handover.assign", "handover", number, assignee_id=assignee)
            log(taken, actor, "handover.status", "handover", number, old="open", new="in_behandeling")
            if closed:
                log(
                    closed, actor, "handover.status", "handover", number, old="in_behandeling", new="afgerond"
                )
                log(closed, actor, "handover.hand_back", "handover", number)
    for number in range(rows + 1, 2 * rows + 1):
        created = moment(rng, now, 365)
        topic = topic_of(rng) if rng.random() > 0.1 else None
        conversations.append(
            {
                "id": number,
                "conversation_id": uuid.UUID(int=rng.getrandbits(128)).hex,
                "channel": weighted(rng, CHANNELS),
                "topic": topic,
                "handed_over": False,
                "misunderstood": topic is None and rng.random() < 0.5,
                "municipality_id": town(rng),
                "first_seen_at": created,
                "last_seen_at": created + timedelta(minutes=3),
            }
        )
        log(created, "api", "conversation.create", "conversation", None)
    loader.copy(tables["conversations"], conversations)
    loader.copy(tables["handovers"], handovers)
    del handovers

    # Callback requests.
    callbacks = []
    for number in range(1, rows + 1):
        created = moment(rng, now, 365)
        urgent = rng.random() < 0.1
        due = (created + timedelta(days=1 if urgent else rng.choice((3, 4, 5)))).date()
        if due < today:
            status = weighted(rng, (("afgerond", 97), ("open", 2), ("in_behandeling", 1)))
        else:
            status = weighted(rng, (("open", 80), ("in_behandeling", 12), ("afgerond", 8)))
        callbacks.append(
            {
                "id": number,
                "topic": topic_of(rng),
                "first_name": rng.choice(FIRST_NAMES),
                "phone": phone(rng),
                "preferred_part_of_day": rng.choice(("ochtend", "middag", None)),
                "question": rng.choice(QUESTIONS["schulden"]) if rng.random() < 0.7 else None,
                "urgent": urgent,
                "urgent_reason": rng.choice(("ontruiming", "afsluiting", "zorgverzekering"))
                if urgent
                else None,
                "threat_date": due + timedelta(days=5) if urgent else None,
                "due_date": due,
                "status": status,
                "conversation_id": conversations[rng.randrange(rows)]["conversation_id"],
                "municipality_id": town(rng),
                "created_at": created,
            }
        )
        log(created, "api", "callback.create", "callback", number, urgent=urgent)
        if status == "afgerond":
            log(
                created + timedelta(days=1),
                f"staff:{rng.choice(STAFF)}",
                "callback.status",
                "callback",
                number,
                old="open",
                new="afgerond",
            )
    loader.copy(tables["callback_requests"], callbacks)
    del callbacks

    # Bookings: a slot each (past ones most; six weeks ahead fewer), some cancelled, most past ones done.
    bookings = []
    taken_codes: set[str] = set()
    slots_by_index = slot_rows
    future_from = next(index for index, slot in enumerate(slot_rows) if slot["date"] >= today)
    for number in range(1, rows + 1):
        future = rng.random() < 0.2
        index = rng.randrange(future_from, len(slot_rows)) if future else rng.randrange(0, future_from)
        slot = slots_by_index[index]
        if slot["booked"] >= slot["capacity"]:
            slot = next(
                candidate
                for candidate in slot_rows[index:] + slot_rows[:index]
                if candidate["booked"] < candidate["capacity"]
            )
        slot_day = datetime.combine(slot["date"], slot["start_time"], UTC)
        created = min(now - timedelta(minutes=1), slot_day - timedelta(days=rng.uniform(0.5, 20)))
        cancelled = rng.random() < 0.12
        code = new_code()
        while code in taken_codes:
            code = new_code()
        taken_codes.add(code)
        schedule = schedules[slot["schedule_id"] - 1]
        email = rng.random() < 0.25
        done = not cancelled and slot["date"] < today and rng.random() < 0.8
        if not cancelled:
            slot["booked"] += 1
        bookings.append(
            {
                "id": number,
                "code": code,
                "slot_id": slot["id"],
                "topic": schedule["topic"],
                "first_name": rng.choice(FIRST_NAMES),
                "phone": None if email else phone(rng),
                "email": f"bewoner{number}@example.org" if email else None,
                "question": rng.choice(QUESTIONS[schedule["topic"]]) if rng.random() < 0.6 else None,
                "conversation_id": conversations[rng.randrange(2 * rows)]["conversation_id"]
                if rng.random() < 0.8
                else None,
                "status": "geannuleerd" if cancelled else "bevestigd",
                "created_at": created,
                "cancelled_at": created + timedelta(hours=5) if cancelled else None,
                "done_at": slot_day + timedelta(minutes=40) if done else None,
            }
        )
        log(created, "api", "booking.create", "booking", code, slot_id=slot["id"])
        if cancelled:
            log(created + timedelta(hours=5), "api", "booking.cancel", "booking", code, slot_id=slot["id"])
        if done:
            log(
                slot_day + timedelta(minutes=40),
                f"staff:{rng.choice(STAFF)}",
                "booking.done",
                "booking",
                number,
            )
    loader.copy(tables["slots"], slot_rows)
    loader.copy(tables["bookings"], bookings)
    del bookings, conversations

    # Staff logins, and the audit log in time order (as it grows).
    for days_ago in range(365):
        for name in rng.sample(STAFF, k=6):
            log(
                now - timedelta(days=days_ago, hours=rng.uniform(0, 8)),
                f"staff:{name}",
                "staff.login",
                "staff_user",
                1000 + STAFF.index(name),
            )
    audit.sort(key=lambda row: row[0])
    keys = ("at", "actor", "action", "entity", "entity_id", "details")
    lines = (dict(zip(keys, row, strict=True)) for row in audit)
    loader.copy(tables["audit_log"], lines, own_ids=False)  # after the benchmark account's staff.create
    audit.clear()

    with engine.connect() as connection:
        for table in tables.values():
            if "id" in table.columns:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                    )
                )
        connection.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    with Session(engine) as session:
        for name, table in tables.items():
            volume.counts[name] = session.scalar(select(func.count()).select_from(table)) or 0
    volume.seconds = time.monotonic() - started
    return volume


def choose(engine: Engine, volume: Volume) -> None:
    """The pages' parameters, read from the data: what a medewerker would look for finds something."""
    with Session(engine) as session:
        if not volume.counts:
            for model in (Handover, CallbackRequest, Booking, Conversation, AuditEntry):
                volume.counts[model.__tablename__] = (
                    session.scalar(select(func.count()).select_from(model)) or 0
                )
        not_done = select(Handover.id).where(Handover.status != "afgerond").order_by(Handover.id).limit(15)
        volume.handover_ids = [*session.scalars(not_done), *session.scalars(select(Handover.id).limit(15))]
        coded = session.scalar(select(Handover.summary).where(Handover.summary.contains("Afspraakcode: VD-")))
        volume.code_in_summary = coded.split("Afspraakcode: ", 1)[1].split(".\n", 1)[0] if coded else "VD-"
        named = session.scalar(select(Handover.summary).where(Handover.summary.contains("Voornaam: ")))
        volume.name_in_summary = named.split("Voornaam: ", 1)[1].split(".", 1)[0] if named else "a"
        some_open = session.execute(
            select(Handover.topic, Handover.channel).where(
                Handover.status == "open", Handover.topic.is_not(None)
            )
        ).first()
        open_topic, open_channel = some_open or ("", "")
        volume.open_topic, volume.open_channel = open_topic or "", open_channel
        middle = select(Booking).order_by(Booking.id).offset(volume.counts["bookings"] // 3).limit(1)
        booking = session.scalar(middle)
        volume.booking_code, volume.booking_name = (booking.code, booking.first_name) if booking else ("", "")
        volume.cancelled_location = (
            session.scalar(
                select(Schedule.location_id)
                .join(Slot, Slot.schedule_id == Schedule.id)
                .join(Booking, Booking.slot_id == Slot.id)
                .where(Booking.status == "geannuleerd", Slot.date < datetime.now(UTC).date())
                .limit(1)
            )
            or 0
        )


# --- A stand-in for Rasa's tracker API --------------------------------------------------------------------


def _tracker(conversation_id: str) -> dict[str, Any]:
    """A conversation of about 20 events: greeting, a question, buttons, the handover."""
    start = time.time() - 600
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_session_start", "timestamp": start}]
    texts = [
        ("bot", "Hoi! Ik ben de digitale assistent van het wijkteam. Ik ben een computer, geen mens."),
        ("user", "Ik heb een brief van de deurwaarder gekregen"),
        ("bot", "Wat vervelend. Wil je weten wat je nu kunt doen?"),
        ("user", "/schulden_deurwaarder"),
        ("bot", "Stap 1 van 4: lees de brief goed. Staat er een datum in?"),
        ("user", "ja over twee weken"),
        ("bot", "Wil je dat een medewerker van het wijkteam met je meekijkt?"),
        ("user", "ja graag"),
        ("bot", "Ik heb je vraag doorgegeven. Een medewerker neemt contact op."),
    ]
    for index, (sender, message) in enumerate(texts):
        event: dict[str, Any] = {"event": sender, "text": message, "timestamp": start + 20 * index}
        if sender == "bot" and index == 2:
            event["data"] = {
                "buttons": [
                    {"title": "Ja, wat moet ik doen?", "payload": "/schulden_deurwaarder"},
                    {"title": "Iemand spreken", "payload": "/handover"},
                ]
            }
        events += [event, {"event": "action", "name": "action_listen", "timestamp": start + 20 * index + 1}]
    return {"sender_id": conversation_id, "events": events, "paused": False}


class _RasaHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        match = re.match(r"^/conversations/([^/?]+)/tracker", self.path)
        body = json.dumps(_tracker(match.group(1)) if match else {}).encode()
        self.send_response(200 if match else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        return


@contextmanager
def stand_in_rasa() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RasaHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --- The backend, the login and the measurements ----------------------------------------------------------


@contextmanager
def running_backend(database_url: str, rasa_url: str, log: Path) -> Iterator[str]:
    """`python -m bot.backend serve` as production runs it, on a free port; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "VOORDEUR_ENV": "production",
        "DATABASE_URL": database_url,
        "BACKEND_SERVICE_TOKEN": secrets.token_urlsafe(32),
        "STAFF_SESSION_SECRET": secrets.token_urlsafe(48),
        "RASA_URL": rasa_url,
        "RASA_AUTH_TOKEN": "benchmark",
        "DATA_DIR": str(log.parent),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.backend", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the backend did not start:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def log_in(client: httpx.Client, username: str, password: str) -> None:
    """Through the login form. The cookie is `Secure` (production), so httpx would not send it over plain
    HTTP to 127.0.0.1: it is copied into the client's headers."""
    page = client.get("/staff/login")
    token = CSRF.search(page.text)
    assert token, "no CSRF token on the login page"
    set_cookie = page.headers.get("set-cookie", "")
    cookie = re.search(rf"{COOKIE}=([^;]+)", set_cookie)
    headers = {"Cookie": f"{COOKIE}={cookie.group(1)}"} if cookie else {}
    response = client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        headers=headers,
    )
    session = re.search(rf"{COOKIE}=([^;]+)", response.headers.get("set-cookie", ""))
    if response.status_code != 303 or session is None:
        raise SystemExit(f"login failed: {response.status_code} {response.text[:500]}")
    client.headers["Cookie"] = f"{COOKIE}={session.group(1)}"


MEDEWERKER = "medewerker"


@dataclass(frozen=True)
class PageSpec:
    name: str
    path: str
    marker: str  # text the answer must contain (the list is not empty, the page is the real one)
    user: str = "beheerder"  # who asks: the regional beheerder, or "medewerker" (one municipality)


def pages(volume: Volume) -> list[PageSpec]:
    """Every staff page, in the brief's order; `{handover}` is replaced by a handover id per request."""
    inbox_pages = max(1, volume.rows // 50)
    return [
        PageSpec("Overdrachten, eerste pagina", "/staff/overdrachten", "data-handover="),
        PageSpec(
            "Overdrachten, pagina in het midden",
            f"/staff/overdrachten?pagina={inbox_pages // 2}",
            "data-handover=",
        ),
        PageSpec("Overdrachten, zoeken op tekst", "/staff/overdrachten?zoek=deurwaarder", "data-handover="),
        PageSpec(
            "Overdrachten, zoeken op voornaam",
            f"/staff/overdrachten?zoek={volume.name_in_summary}",
            "data-handover=",
        ),
        PageSpec(
            "Overdrachten, zoeken op afspraakcode",
            f"/staff/overdrachten?zoek={volume.code_in_summary}",
            "data-handover=",
        ),
        PageSpec(
            "Overdrachten, filter open + onderwerp + kanaal",
            f"/staff/overdrachten?status=open&onderwerp={volume.open_topic}&kanaal={volume.open_channel}",
            "data-handover=",
        ),
        PageSpec("Eén overdracht (met gesprek)", "/staff/overdrachten/{handover}", "Interne notities"),
        PageSpec("Vandaag + terugbellijst", "/staff/vandaag", "data-callback="),
        PageSpec("Terugbellijst, laatste pagina", "/staff/vandaag?pagina=999999", "data-callback="),
        PageSpec("Afspraken, vanaf vandaag", "/staff/afspraken", "data-booking="),
        PageSpec(
            "Afspraken, alle, pagina in het midden",
            f"/staff/afspraken?periode=alle&pagina={inbox_pages // 2}",
            "data-booking=",
        ),
        PageSpec(
            "Afspraken, zoeken op code",
            f"/staff/afspraken?periode=alle&zoek={volume.booking_code}",
            "data-booking=",
        ),
        PageSpec(
            "Afspraken, zoeken op voornaam",
            f"/staff/afspraken?periode=alle&zoek={volume.booking_name}",
            "data-booking=",
        ),
        PageSpec(
            "Afspraken, filter voorbij + geannuleerd + locatie",
            f"/staff/afspraken?periode=voorbij&status=geannuleerd&locatie={volume.cancelled_location}",
            "data-booking=",
        ),
        PageSpec("Logboek, eerste pagina", "/staff/beheer/logboek", "data-audit="),
        PageSpec(
            "Logboek, pagina in het midden", f"/staff/beheer/logboek?pagina={inbox_pages * 3}", "data-audit="
        ),
        PageSpec("Logboek, filter afspraken", "/staff/beheer/logboek?soort=afspraken", "data-audit="),
        PageSpec("Logboek, zoeken op medewerker", "/staff/beheer/logboek?zoek=staff:joris", "data-audit="),
        PageSpec("Dashboard, 14 dagen", "/staff/dashboard", "<svg"),
        PageSpec("Dashboard, 90 dagen", "/staff/dashboard?dagen=90", "<svg"),
        PageSpec(
            "Overdrachten, medewerker van één gemeente", "/staff/overdrachten", "data-handover=", MEDEWERKER
        ),
        PageSpec("Dashboard, medewerker van één gemeente (live)", "/staff/dashboard", "<svg", MEDEWERKER),
    ]


@dataclass
class Measurement:
    name: str
    path: str
    latencies_ms: list[float]
    total: str = ""  # the list's true total as the page says it ("van 100.000"), when it says one

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        return self.percentile(95)


def measure(client: httpx.Client, spec: PageSpec, volume: Volume, requests: int, warmup: int) -> Measurement:
    latencies = []
    total = ""
    for number in range(warmup + requests):
        handover = volume.handover_ids[number % len(volume.handover_ids)] if volume.handover_ids else 1
        path = spec.path.replace("{handover}", str(handover))
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or spec.marker not in response.text:
            raise SystemExit(f"{spec.name}: {path} answered {response.status_code} without {spec.marker!r}")
        if number >= warmup:
            latencies.append(elapsed)
        found = re.search(r"<caption>[^<]*? van ([\d.]+) ", response.text)
        total = found.group(1) if found else ""
    return Measurement(spec.name, spec.path, latencies, total)


# --- The report -------------------------------------------------------------------------------------------


def session_count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def postgres_version(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text("SHOW server_version")).scalar())


def report_lines(
    results: list[Measurement],
    volume: Volume,
    command: str,
    machine_text: str,
    server: str,
    baseline: dict[str, dict[str, float]] | None = None,
    notes: str = "",
) -> list[str]:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    slow = [result.name for result in results if result.p95 >= TARGET_P95_MS]
    lines = [
        "# Staff pages at volume (PostgreSQL)",
        "",
        f"Measured {when} with `{command}` (`benchmarks/staff_volume_benchmark.py`) on {machine_text}; "
        f"PostgreSQL {server} on 127.0.0.1 with its default settings, load average at the start "
        f"{' / '.join(f'{value:.2f}' for value in os.getloadavg())}.",
        "",
        f"The database held {', '.join(f'{count:,} {name}' for name, count in volume.counts.items())} "
        f"(loaded with COPY in {volume.seconds:.0f} s, then VACUUM ANALYZE): a year of handovers, callback "
        "requests and bookings with most of them long done and a few thousand open, bookings a year back and "
        "six weeks ahead, an audit line per made item and per staff action on it. (Retention would delete "
        "most of this in a real deployment: bookings and conversations after 30 days, closed handovers "
        "after 90; the volume is the worst case, not the usual one.)",
        "",
        "The backend ran as in production (`python -m bot.backend serve`, `VOORDEUR_ENV=production`), with a "
        "stand-in for Rasa's tracker API on the same machine; a beheerder logged in through the form and "
        f"requested each page {len(results[0].latencies_ms) if results else 0} times one after the other "
        "with httpx (after a few warm-up requests); the time is the whole answer as the client saw it. "
        f"Target: every page under {TARGET_P95_MS:.0f} ms p95.",
        "",
    ]
    before = " | before p95 ms" if baseline else ""
    target = f"under {TARGET_P95_MS:.0f} ms"
    lines += [
        f"| page | path | rows in the list | p50 ms | p95 ms | slowest ms{before} | {target} |",
        "| --- | --- | --- | --- | --- | --- |" + (" --- |" if baseline else "") + " --- |",
    ]
    for result in results:
        earlier = ""
        if baseline:
            value = baseline.get(result.name, {}).get("p95")
            earlier = f" | {value:.0f}" if value is not None else " | -"
        lines.append(
            f"| {result.name} | `{result.path}` | {result.total or '-'} | {result.p50:.0f} "
            f"| {result.p95:.0f} | {max(result.latencies_ms):.0f}{earlier} "
            f"| {'yes' if result.p95 < TARGET_P95_MS else '**no**'} |"
        )
    lines += [
        "",
        (
            f"**Every page under {TARGET_P95_MS:.0f} ms p95.**"
            if not slow
            else f"**Over {TARGET_P95_MS:.0f} ms p95: {', '.join(slow)}.**"
        ),
        "",
    ]
    if notes:
        lines += [notes.strip(), ""]
    return lines


def results_json(results: list[Measurement], volume: Volume) -> dict[str, Any]:
    return {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": volume.rows,
        "counts": volume.counts,
        "pages": {
            r.name: {"path": r.path, "p50": r.p50, "p95": r.p95, "max": max(r.latencies_ms)} for r in results
        },
    }


def run(args: argparse.Namespace) -> int:
    databases = ThrowAwayPostgres()
    url = args.database or databases.create()
    print(
        f"[staff-volume] {'database' if args.database else 'throw-away database'} {url.rsplit('/', 1)[1]}",
        flush=True,
    )
    engine = build_engine(url)
    try:
        started = time.monotonic()
        upgrade(url)
        migrated = time.monotonic() - started
        username, password = f"benchmark-{secrets.token_hex(3)}", secrets.token_urlsafe(18)
        towns = municipality_ids(engine)
        with Session(engine) as session, session.begin():
            slugs = list(session.scalars(select(Municipality.slug).where(Municipality.id.in_(towns))))
            default_slug = session.scalars(select(Municipality.slug).where(Municipality.id == towns[0])).one()
            for name, role, places in (
                (username, StaffRole.ADMIN, slugs),
                (f"{username}-mw", StaffRole.STAFF, [default_slug]),
            ):
                create_staff_user(
                    session=session,
                    username=name,
                    display_name="Benchmark",
                    password=password,
                    role=role,
                    actor="benchmark",
                    municipalities=places,
                )
        if args.database:
            volume = Volume(rows=session_count(engine, Handover))
            print(
                f"[staff-volume] migrated in {migrated:.0f} s; measuring the data already there", flush=True
            )
        else:
            volume = fill(engine, args.rows, seed=args.seed)
            print(f"[staff-volume] filled in {volume.seconds:.0f} s: {volume.counts}", flush=True)
        choose(engine, volume)
        results = []
        with tempfile.TemporaryDirectory(prefix="staff-volume-") as folder, stand_in_rasa() as rasa_url:
            with running_backend(url, rasa_url, Path(folder) / "backend.log") as base:
                with (
                    httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client,
                    httpx.Client(base_url=base, timeout=60, follow_redirects=False) as scoped,
                ):
                    log_in(client, username, password)
                    log_in(scoped, f"{username}-mw", password)
                    for spec in pages(volume):
                        asking = scoped if spec.user == MEDEWERKER else client
                        result = measure(asking, spec, volume, args.requests, args.warmup)
                        results.append(result)
                        print(
                            f"[staff-volume] {result.name:<50} p50 {result.p50:5.0f} ms  "
                            f"p95 {result.p95:5.0f} ms"
                            f"  ({result.total or '-'})",
                            flush=True,
                        )
        baseline = None
        if args.baseline:
            baseline = json.loads(Path(args.baseline).read_text())["pages"]
        data = results_json(results, volume)
        if args.label:
            Path(args.results).mkdir(parents=True, exist_ok=True)
            (Path(args.results) / f"{args.label}.json").write_text(json.dumps(data, indent=1) + "\n")
        notes = Path(args.notes).read_text() if args.notes and Path(args.notes).is_file() else ""
        command = args.command or " ".join(["benchmarks/staff_volume_benchmark.py", *args.argv])
        lines = report_lines(results, volume, command, machine(), postgres_version(engine), baseline, notes)
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text("\n".join(lines))
        print(f"[staff-volume] wrote {args.report}")
        return 0 if all(result.p95 < TARGET_P95_MS for result in results) else 1
    finally:
        engine.dispose()
        if args.keep or args.database:
            print(f"[staff-volume] kept the database: {url}")
        else:
            databases.drop(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="handovers, callbacks and bookings each")
    parser.add_argument("--requests", type=int, default=30, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per page first")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument(
        "--label", default="current", help="save the figures as results/staff_volume/LABEL.json"
    )
    parser.add_argument("--results", default=str(RESULTS), help="the folder for LABEL.json")
    parser.add_argument("--baseline", default=None, help="an earlier run's JSON, shown as 'before'")
    parser.add_argument("--report", default=str(REPORT))
    parser.add_argument("--notes", default=str(NOTES), help="markdown added under the table")
    parser.add_argument("--command", default=None, help="the command named in the report")
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    parser.add_argument(
        "--database",
        default=None,
        help="measure a database kept by an earlier run (migrated first; not filled, not dropped)",
    )
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    if args.rows < 50:
        parser.error("--rows must be 50 or more")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
