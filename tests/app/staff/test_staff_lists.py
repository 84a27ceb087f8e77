"""The long staff lists (issue 21): every booking and the audit log, paged with true counts, filters and a
search; the one paging macro of all lists. SQLite and PostgreSQL (tests/app/conftest.py)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session
from staff_helpers import Accounts, login

from bot.backend.models import AuditEntry, Booking, BookingStatus, CaseStatus, Handover, Slot
from bot.backend.services.clock import local_today
from bot.backend.services.inbox import InboxFilter, inbox_page, inbox_query
from bot.backend.staff_web.pages import dutch_number
from tests.app.backend_helpers import Factory, default_municipality_id


def _ids(client: TestClient, url: str, attribute: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [int(x) for x in re.findall(rf'data-{attribute}="(\d+)"', response.text)]


def _bookings(client: TestClient, query: str = "") -> list[int]:
    return _ids(client, f"/staff/afspraken{query}", "booking")


def _book(
    session: Session,
    slot: Slot,
    code: str,
    first_name: str,
    *,
    question: str | None = None,
    email: str | None = None,
    status: BookingStatus = BookingStatus.CONFIRMED,
    done: bool = False,
    made_minutes_ago: int = 0,
) -> Booking:
    booking = Booking(
        code=code,
        slot_id=slot.id,
        topic=slot.schedule.topic,
        first_name=first_name,
        phone="+31612345678" if email is None else None,
        email=email,
        question=question,
        status=status,
        created_at=datetime.now(UTC) - timedelta(minutes=made_minutes_ago),
        cancelled_at=datetime.now(UTC) if status is BookingStatus.CANCELLED else None,
        done_at=datetime.now(UTC) if done else None,
    )
    session.add(booking)
    session.commit()
    return booking


class _Week:
    """Two locations with slots yesterday, today, tomorrow and in a week."""

    def __init__(self, make: Factory, today: date) -> None:
        self.noord = make.location("Wijkhuis Noord (test)")
        self.zuid = make.location("Wijkhuis Zuid (test)", wijk="Zuid")
        money = make.schedule(self.noord, topic="schulden", start=time(9, 0), end=time(10, 0), capacity=80)
        youth = make.schedule(self.zuid, topic="jeugdhulp", start=time(13, 0), end=time(14, 0), capacity=80,
                              title="Opvoedspreekuur")  # fmt: skip
        self.yesterday = make.slot(money, today - timedelta(days=1))
        self.today = make.slot(youth, today)
        self.tomorrow = make.slot(money, today + timedelta(days=1))
        self.next_week = make.slot(youth, today + timedelta(days=7))


def test_bookings_list_pages_every_booking_with_true_counts_in_the_order_of_its_period(
    client: TestClient, accounts: Accounts, session: Session, make: Factory, settings
) -> None:
    today = local_today(settings.tz)
    week = _Week(make, today)
    later = [
        _book(session, week.next_week, f"VD-N{n:03d}", f"Later{n}", made_minutes_ago=n + 10)
        for n in range(55)
    ]
    soon = _book(session, week.tomorrow, "VD-SOON", "Morgen", made_minutes_ago=500)
    now = _book(session, week.today, "VD-TDAY", "Vandaag", done=True, made_minutes_ago=400)
    past = _book(session, week.yesterday, "VD-PAST", "Gisteren", made_minutes_ago=900)
    cancelled = _book(session, week.tomorrow, "VD-CANC", "Afgezegd", status=BookingStatus.CANCELLED,
                      made_minutes_ago=1)  # fmt: skip
    login(client, "sanne")

    first = client.get("/staff/afspraken")
    assert first.status_code == 200
    assert "1–50 van 58 afspraken, pagina 1 van 2" in first.text  # from today on: not yesterday's
    assert "bevestigd: 56 · afgevinkt: 1 · geannuleerd: 1" in first.text
    assert _bookings(client)[:3] == [now.id, soon.id, cancelled.id]  # the first appointment first
    second = client.get("/staff/afspraken?pagina=2").text
    assert "51–58 van 58" in second and 'href="/staff/afspraken?pagina=1"' in second
    assert _bookings(client, "?pagina=2")[-1] == later[-1].id  # nothing drops off the end

    assert _bookings(client, "?periode=voorbij") == [past.id]
    everything = _bookings(client, "?periode=alle")
    assert everything[:2] == [cancelled.id, later[0].id]  # the most recently made first
    assert "1–50 van 59 afspraken" in client.get("/staff/afspraken?periode=alle").text
    assert _bookings(client, "?periode=alle&pagina=2")[-1] == past.id

    assert _bookings(client, "?status=geannuleerd") == [cancelled.id]
    assert _bookings(client, "?status=afgevinkt&periode=alle") == [now.id]
    assert _bookings(client, "?onderwerp=schulden") == [soon.id, cancelled.id]
    assert _bookings(client, f"?locatie={week.noord.id}&periode=alle") == [cancelled.id, soon.id, past.id]
    page = client.get(f"/staff/afspraken?locatie={week.zuid.id}&status=bevestigd").text
    assert "1–50 van 55 afspraken" in page and "bevestigd: 55 · afgevinkt: 1 · geannuleerd: 0" in page
    assert f'href="/staff/afspraken?status=bevestigd&amp;locatie={week.zuid.id}&amp;pagina=2"' in page
    row = first.text[first.text.index(f'data-booking="{cancelled.id}"') :].split("</tr>")[0]
    assert "Wijkhuis Noord (test)" in row and "Geldzaken en schulden" in row and "geannuleerd" in row


def test_bookings_search_finds_first_name_code_as_typed_and_text_and_drops_unknown_filters(
    client: TestClient, accounts: Accounts, session: Session, make: Factory, settings
) -> None:
    week = _Week(make, local_today(settings.tz))
    fatima = _book(
        session, week.tomorrow, "VD-7K3P-X9QA", "Fatima", question="Brief van de <b>deurwaarder</b>"
    )
    mail = _book(session, week.next_week, "VD-AAAA-CCCC", "Joost", email="joost@example.org",
                 question="100% zeker over de huur")  # fmt: skip
    anna = _book(session, week.today, "VD-DDDD-EEEE", "Anna_Maria", question="opvoeding")
    login(client, "sanne")
    for search, expected in [
        ("fatima", [fatima.id]),
        ("vd 7k3p x9qa", [fatima.id]),  # a code as a resident reads it out
        ("7K3P", [fatima.id]),
        ("deurwaarder", [fatima.id]),
        ("example.org", [mail.id]),
        ("100%", [mail.id]),
        ("  100%   zeker ", [mail.id]),
        ("%", [mail.id]),  # LIKE wildcards are plain characters
        ("a_m", [anna.id]),
        ("niemand", []),
    ]:
        assert _bookings(client, f"?zoek={search.replace('%', '%25')}") == expected, search
    escaped = client.get("/staff/afspraken?zoek=fatima").text
    assert "&lt;b&gt;deurwaarder&lt;/b&gt;" in escaped and "<b>deurwaarder" not in escaped
    assert 'value="fatima"' in escaped
    odd = client.get("/staff/afspraken?periode=morgen&status=<x>&onderwerp=ufo&locatie=1%20OR%201%3D1")
    assert odd.status_code == 200 and "onbekend filter" in odd.text and "<x>" not in odd.text
    assert len(re.findall(r'data-booking="', odd.text)) == 3


def test_the_audit_log_is_for_beheerders_newest_first_with_filters_search_and_true_counts(
    client: TestClient, other_client: TestClient, accounts: Accounts, session: Session
) -> None:
    start = datetime.now(UTC) - timedelta(days=3)
    rows = [
        {"at": start + timedelta(seconds=n), "actor": "api", "action": "conversation.create",
         "entity": "conversation", "entity_id": None, "details": {"channel": "socketio"}}
        for n in range(1005)
    ]  # fmt: skip
    session.execute(insert(AuditEntry), rows)
    session.add_all(
        [
            AuditEntry(at=start + timedelta(hours=1), actor="api", action="booking.create", entity="booking",
                       entity_id="VD-7K3P-X9QA", details={"slot_id": 7}),
            AuditEntry(at=start + timedelta(hours=2), actor="staff:sanne", action="handover.status",
                       entity="handover", entity_id="42", details={"old": "open", "new": "<b>afgerond</b>"}),
            AuditEntry(at=start + timedelta(hours=3), actor="login", action="staff.login_failed",
                       entity="staff_user", details={"username": "onbekend_1"}),
        ]
    )  # fmt: skip
    session.commit()
    login(other_client, "sanne")
    assert other_client.get("/staff/beheer/logboek").status_code == 403
    assert "/staff/beheer/logboek" not in other_client.get("/staff/afspraken").text

    login(client, "bea")
    page = client.get("/staff/beheer/logboek")
    assert page.status_code == 200 and "/staff/beheer/logboek" in page.text
    total = len(rows) + 3 + 2 + 2  # the rows above, two staff.create (accounts), sanne's and bea's logins
    assert f"1–50 van {dutch_number(total)} regels, pagina 1 van {-(-total // 50)}" in page.text
    newest = _ids(client, "/staff/beheer/logboek", "audit")
    assert len(newest) == 50
    shown = page.text[page.text.index(f'data-audit="{newest[0]}"') :].split("</tr>")[0]
    assert "staff:bea" in shown and "ingelogd" in shown  # bea's own login: the newest line
    last_page = client.get(f"/staff/beheer/logboek?pagina={-(-total // 50)}").text
    assert "Laatste" not in last_page and "Eerste" in last_page and 'rel="prev"' in last_page

    handover = client.get("/staff/beheer/logboek?soort=overdrachten").text
    assert "1–1 van 1 regel" in handover and "status van overdracht gewijzigd" in handover
    assert 'href="/staff/overdrachten/42"' in handover
    assert "was: open; nu: &lt;b&gt;afgerond&lt;/b&gt;" in handover  # in the order recorded
    booking = client.get("/staff/beheer/logboek?zoek=7k3p").text
    assert (
        "1–1 van 1 regel" in booking
        and 'href="/staff/afspraken?periode=alle&amp;zoek=VD-7K3P-X9QA"' in booking
    )
    assert "afspraak gemaakt" in booking
    sanne = client.get("/staff/beheer/logboek?zoek=sanne").text
    assert "staff:sanne" in sanne and "staff:bea" not in sanne.split("<tbody>")[1]
    failed = client.get("/staff/beheer/logboek?actie=staff.login_failed").text
    assert "inloggen mislukt" in failed and "gebruikersnaam: onbekend_1" in failed
    conversations = client.get("/staff/beheer/logboek?soort=gesprekken&pagina=2").text
    assert "51–100 van 1.005 regels" in conversations
    assert 'href="/staff/beheer/logboek?soort=gesprekken&amp;pagina=3"' in conversations
    assert 'href="/staff/beheer/logboek?soort=gesprekken&amp;pagina=21"' in conversations  # Laatste
    odd = client.get("/staff/beheer/logboek?soort=<x>&actie=drop table")
    assert odd.status_code == 200 and "onbekend filter" in odd.text and "<x>" not in odd.text


def test_every_list_uses_the_one_paging_macro_with_dutch_numbers(
    client: TestClient, accounts: Accounts, session: Session, make: Factory, settings
) -> None:
    assert dutch_number(1412) == "1.412" and dutch_number(100000) == "100.000" and dutch_number(7) == "7"
    week = _Week(make, local_today(settings.tz))
    session.execute(
        insert(Booking),
        [
            {"code": f"VD-B{n:05d}", "slot_id": week.next_week.id, "topic": "jeugdhulp", "first_name": "Bulk",
             "phone": "+31612345678", "status": BookingStatus.CONFIRMED}
            for n in range(1020)
        ],
    )  # fmt: skip
    session.commit()
    login(client, "sanne")
    page = client.get("/staff/afspraken?pagina=3").text
    assert "101–150 van 1.020 afspraken, pagina 3 van 21" in page
    nav = page[page.index('<nav class="paging"') :].split("</nav>")[0]
    assert [label for label in re.findall(r">(Eerste|Vorige|Volgende|Laatste)</a>", nav)] == [
        "Eerste", "Vorige", "Volgende", "Laatste"
    ]  # fmt: skip
    assert (
        'href="/staff/afspraken?pagina=21">Laatste' in nav
        and 'href="/staff/afspraken?pagina=1">Eerste' in nav
    )
    assert "bevestigd: 1.020" in page


def test_the_inbox_paged_per_status_gives_exactly_the_order_of_urgency(session: Session) -> None:
    """`inbox_page` cuts its pages from each status's own list (fast at volume); the pages together are
    `inbox_query`'s order, for every filter."""
    now = datetime.now(UTC)
    topics = ["schulden", "veiligheid", None, "huisvesting"]
    statuses = [CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.DONE, CaseStatus.DONE, CaseStatus.OPEN]
    for number in range(41):
        status = statuses[number % len(statuses)]
        session.add(
            Handover(
                conversation_id=f"order-{number}",
                channel="telegram" if number % 3 else "socketio",
                reason="vraagt iemand",
                topic=topics[number % len(topics)],
                summary=f"Voornaam: {'Fatima' if number % 4 == 0 else 'Joost'}.",
                status=status,
                created_at=now - timedelta(minutes=(number * 37) % 50),  # some at the same minute
                closed_at=now - timedelta(minutes=number % 6) if status is CaseStatus.DONE else None,
                municipality_id=default_municipality_id(session),
            )
        )
    session.commit()
    for status, topic, channel, search in [
        ("", "", "", ""),
        ("open", "", "", ""),
        ("afgerond", "", "", ""),
        ("", "veiligheid", "", ""),
        ("", "", "telegram", "fatima"),
        ("in_behandeling", "", "", "joost"),
    ]:
        filters, _ = InboxFilter.parse(status, topic, channel, search)
        expected = [handover.id for handover in session.scalars(inbox_query(filters))]
        paged: list[int] = []
        for number in range(1, 9):
            page = inbox_page(session=session, filters=filters, page=number, size=6)
            assert page.total == len(expected)
            if number <= page.pages:
                assert page.page == number and page.first == (number - 1) * 6 + 1
                paged += [handover.id for handover in page.items]
            else:
                assert page.page == page.pages  # past the end: the last page
        assert paged == expected, (status, topic, channel, search)
        assert len(expected) > 0


def test_the_list_indexes_exist_after_the_migration(session: Session) -> None:
    names = {
        index["name"]
        for table in ("handovers", "bookings", "callback_requests", "audit_log")
        for index in inspect(session.connection()).get_indexes(table)
    }
    expected = {
        "ix_handovers_created_at", "ix_handovers_channel", "ix_handovers_status_closed_at",
        "ix_bookings_created_at", "ix_callback_requests_created_at", "ix_callback_requests_queue",
        "ix_audit_log_entity_at", "ix_audit_log_action_at",
    }  # fmt: skip
    if session.get_bind().dialect.name == "postgresql":  # trigram indexes for the searches
        expected |= {"ix_handovers_summary_trgm", "ix_bookings_first_name_trgm", "ix_audit_log_actor_trgm"}
    assert expected <= names
