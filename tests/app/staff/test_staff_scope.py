"""Scoped staff (issue 23): a medewerker of municipality A can neither read nor change B's cases, on every
staff route. The routes are enumerated from the app: a new route without an entry in ROUTES fails
`test_every_staff_route_has_a_scope_check`, a beheer route without an entry in BEHEER
`test_every_beheer_route_has_a_scope_check`. HTTP level, real database (SQLite and PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from staff_helpers import PASSWORD, login

from bot.backend.models import AuditEntry, CaseStatus, Municipality, Schedule, StaffRole, StaffUser
from bot.backend.services import inbox
from bot.backend.services.callbacks import create_callback
from bot.backend.services.clock import local_today
from bot.backend.services.conversations import upsert_conversation
from bot.backend.services.handovers import create_handover
from bot.backend.services.municipalities import resolve
from bot.backend.services.staff import create_staff_user
from tests.app.backend_helpers import Factory, snapshot

#: What each staff route is checked for: "public" (no case data), "list" (B's cases left out of A's page),
#: "detail" (GET of B's case: 404), "action" (POST on B's case: 404, nothing changed), "dashboard" (A's
#: figures only), "admin" (a medewerker is refused), "review" (the review page: a medewerker is refused; a
#: redacteur or beheerder of A sees and changes only A's feedback and messages: staff/test_review.py).
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/staff/"): "public",
    ("GET", "/staff/login"): "public",
    ("POST", "/staff/login"): "public",
    ("POST", "/staff/logout"): "public",
    ("GET", "/staff/static/{name}"): "public",
    ("GET", "/staff/overdrachten"): "list",
    ("GET", "/staff/overdrachten/{handover_id}"): "detail",
    ("GET", "/staff/overdrachten/{handover_id}/gesprek"): "detail",
    ("POST", "/staff/overdrachten/{handover_id}/oppakken"): "action",
    ("POST", "/staff/overdrachten/{handover_id}/notitie"): "action",
    ("POST", "/staff/overdrachten/{handover_id}/antwoord"): "action",
    ("POST", "/staff/overdrachten/{handover_id}/afronden"): "action",
    ("GET", "/staff/vandaag"): "list",
    ("GET", "/staff/afspraken"): "list",
    ("POST", "/staff/afspraken/{booking_id}/klaar"): "action",
    ("POST", "/staff/terugbellen/{callback_id}/klaar"): "action",
    ("GET", "/staff/dashboard"): "dashboard",
    ("GET", "/staff/beheer/logboek"): "admin",
    ("GET", "/staff/beheer/medewerkers"): "admin",
    ("POST", "/staff/beheer/medewerkers"): "admin",
    ("POST", "/staff/beheer/medewerkers/{user_id}/{change}"): "admin",
    ("GET", "/staff/beheer/spreekuren"): "admin",
    ("GET", "/staff/beheer/spreekuren/nieuw"): "admin",
    ("POST", "/staff/beheer/spreekuren"): "admin",
    ("GET", "/staff/beheer/spreekuren/{schedule_id}"): "admin",
    ("POST", "/staff/beheer/spreekuren/{schedule_id}"): "admin",
    ("POST", "/staff/beheer/spreekuren/{schedule_id}/stoppen"): "admin",
    ("GET", "/staff/redactie"): "review",
    ("POST", "/staff/redactie/berichten/{message_id}/voorbeeld"): "review",
}
#: What each beheer route is checked for with a beheerder of A only ("beheer-a"): "list" (B's spreekuren,
#: locations and accounts left out), "detail" (B's spreekuur: 404), "action" (a change of B's spreekuur or
#: account: 404, nothing changed), "create" (a spreekuur at B's location or an account for B: 422), "log"
#: (the audit log: only the lines about A's things; test_the_audit_log_of_a_beheerder_of_a).
BEHEER: dict[tuple[str, str], str] = {
    ("GET", "/staff/beheer/logboek"): "log",
    ("GET", "/staff/beheer/medewerkers"): "list",
    ("POST", "/staff/beheer/medewerkers"): "create",
    ("POST", "/staff/beheer/medewerkers/{user_id}/{change}"): "action",
    ("GET", "/staff/beheer/spreekuren"): "list",
    ("GET", "/staff/beheer/spreekuren/nieuw"): "list",
    ("POST", "/staff/beheer/spreekuren"): "create",
    ("GET", "/staff/beheer/spreekuren/{schedule_id}"): "detail",
    ("POST", "/staff/beheer/spreekuren/{schedule_id}"): "action",
    ("POST", "/staff/beheer/spreekuren/{schedule_id}/stoppen"): "action",
}
#: Words only B's cases contain (the pages of A's medewerker must not show them).
B_WORDS = ("Heidezaak", "Bertha", "Berend")
#: What only B's spreekuren, locations and accounts show on the beheer pages (B's location, its spreekuur,
#: B's medewerker's account, B's name in the municipality column).
B_BEHEER_WORDS = ("Huis Heideveen", "Heidespreekuur", "<td>bob</td>", "Heideveen")


def staff_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) under /staff, also of routers included into routers."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        items: Any = contexts() if callable(contexts) else (contexts or [route])
        for item in items:
            path = getattr(item, "path", "")
            methods = getattr(getattr(item, "original_route", item), "methods", None) or set()
            if path.startswith("/staff"):
                found |= {(method, path) for method in methods if method != "HEAD"}
    return found


@dataclass
class Towns:
    a: Municipality
    b: Municipality
    ids: dict[str, int]  # B's handover, booking, callback, schedule, location and medewerker account


@pytest.fixture
def towns(session: Session, make: Factory) -> Towns:
    a = resolve(session=session, slug=None)
    b = make.municipality("heideveen", "Heideveen")
    today = local_today()
    cases = {}
    for town, first, word in ((a, "Anton", "Antonzaak"), (b, "Bertha", "Heidezaak")):
        location = make.location(f"Huis {town.name} (test)", "Midden", town)
        title = "Heidespreekuur" if town is b else "Inloopspreekuur Geldzaken"
        schedule = make.schedule(location, weekday=today.weekday(), capacity=5, title=title)
        booking = make.booking(make.slot(schedule, today), first, "0612345678")
        callback = create_callback(session=session, topic="schulden", first_name=first.replace("tha", "end"),
                                   phone="0612345678", municipality=town.slug)  # fmt: skip
        handover = create_handover(session=session, conversation_id=f"c-{town.slug}", channel="socketio",
                                   reason="vraagt iemand", summary=word, municipality=town.slug)  # fmt: skip
        upsert_conversation(session=session, conversation_id=f"c-{town.slug}", channel="socketio",
                            topic="schulden", municipality=town.slug)  # fmt: skip
        upsert_conversation(session=session, conversation_id=f"c2-{town.slug}", channel="socketio",
                            topic="schulden", municipality=town.slug)  # fmt: skip
        cases[town.slug] = {"handover_id": handover.id, "booking_id": booking.id, "callback_id": callback.id,
                            "schedule_id": schedule.id, "location_id": location.id}  # fmt: skip
    upsert_conversation(session=session, conversation_id="c3-heideveen", channel="socketio", topic=None,
                        municipality="heideveen")  # fmt: skip
    users = {}
    for username, role, slugs in (("anna", StaffRole.STAFF, [a.slug]), ("bob", StaffRole.STAFF, [b.slug]),
                                  ("regio", StaffRole.ADMIN, [a.slug, b.slug]),
                                  ("beheer-a", StaffRole.ADMIN, [a.slug])):  # fmt: skip
        account = create_staff_user(session=session, username=username, display_name=username.title(),
                                    password=PASSWORD, role=role, municipalities=slugs)  # fmt: skip
        users[username] = account.id
    session.commit()
    return Towns(a, b, {**cases["heideveen"], "user_id": users["bob"]})


def _url(path: str, ids: dict[str, int]) -> str:
    return path.format(**{**ids, "name": "staff.css", "change": "rol", "message_id": 1})


def test_every_staff_route_has_a_scope_check(app: FastAPI) -> None:
    assert staff_routes(app) == set(ROUTES), "a staff route without a scope check in ROUTES (or one gone)"


def test_every_beheer_route_has_a_scope_check() -> None:
    assert set(BEHEER) == {route for route, kind in ROUTES.items() if kind == "admin"}


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_a_medewerker_of_a_cannot_read_or_change_bs_cases(
    client: TestClient, other_client: TestClient, session: Session, towns: Towns, method: str, path: str
) -> None:
    kind = ROUTES[(method, path)]
    csrf = login(client, "anna")
    url = _url(path, towns.ids)
    before = snapshot(session)
    if kind == "public":
        return  # no case data: nothing of B's to read or change
    if kind in ("admin", "review"):
        answer = (
            client.get(url)
            if method == "GET"
            else client.post(url, data={"csrf_token": csrf, "role": "beheerder"})
        )
        assert answer.status_code == 403
    elif kind == "detail":
        assert client.get(url).status_code == 404
        login(other_client, "bob")
        seen = other_client.get(url)
        assert seen.status_code == 200  # the same URL works for B's own medewerker
    elif kind == "action":
        answer = client.post(url, data={"csrf_token": csrf, "tekst": "Hallo"})
        assert answer.status_code == 404, answer.text[:300]
        assert "bestaat niet" in answer.text
    elif kind == "list":
        # Searches for parts of B's words (the search box shows the query again, never the whole word).
        for query in ("", "?zoek=eidezaa", "?zoek=ertha", "?zoek=eren", "?periode=alle", "?status=afgerond"):
            page = client.get(url + query)
            assert page.status_code == 200
            assert not any(word in page.text for word in B_WORDS), url + query
        login(other_client, "bob")
        assert any(word in other_client.get(url + "?periode=alle").text for word in B_WORDS)
    elif kind == "dashboard":
        page = client.get(url)
        assert 'id="n-conversations">2<' in page.text and "Gemeente: Voorbeeldstad" in page.text
        login(other_client, "bob")
        assert 'id="n-conversations">3<' in other_client.get(url).text
        assert (
            'id="n-conversations">2<' in client.get(f"{url}?gemeente={towns.b.id}").text
        )  # not A's: ignored
    session.expire_all()
    after = snapshot(session)
    if kind in ("detail", "list", "dashboard"):  # B's medewerker logged in and looked: only that is new
        for name in ("audit_log", "staff_sessions"):
            before.pop(name), after.pop(name)
    assert after == before


def test_the_counts_of_a_scoped_inbox_are_its_own(client: TestClient, session: Session, towns: Towns) -> None:
    scoped = inbox.InboxFilter().within(frozenset({towns.a.id}))
    assert inbox.status_counts(session=session, filters=scoped)[CaseStatus.OPEN] == 1
    assert inbox.status_counts(session=session, filters=inbox.InboxFilter())[CaseStatus.OPEN] == 2
    login(client, "anna")
    page = client.get("/staff/overdrachten")
    assert "Antonzaak" in page.text and "Voorbeeldstad" in page.text


def test_a_regional_beheerder_sees_both_together_and_each_alone(client: TestClient, towns: Towns) -> None:
    login(client, "regio")
    together = client.get("/staff/dashboard")
    assert 'id="n-conversations">5<' in together.text and "(samen)" in together.text
    alone = client.get(f"/staff/dashboard?gemeente={towns.b.id}")
    assert 'id="n-conversations">3<' in alone.text and "Gemeente: Heideveen" in alone.text
    inbox = client.get("/staff/overdrachten").text
    assert "Antonzaak" in inbox and "Heidezaak" in inbox
    handover = client.get(f"/staff/overdrachten/{towns.ids['handover_id']}")
    assert handover.status_code == 200 and "Heideveen" in handover.text


def test_a_beheerder_hands_out_only_their_own_municipalities(
    client: TestClient, other_client: TestClient, session: Session, towns: Towns
) -> None:
    anna = session.scalars(select(StaffUser).where(StaffUser.username == "anna")).one()
    csrf = login(client, "beheer-a")
    refused = client.post(f"/staff/beheer/medewerkers/{anna.id}/gemeenten",
                          data={"csrf_token": csrf, "gemeente": "heideveen"})  # fmt: skip
    assert refused.status_code == 422 and "zelf voor werkt" in refused.text
    csrf = login(other_client, "regio")
    moved = other_client.post(f"/staff/beheer/medewerkers/{anna.id}/gemeenten",
                              data={"csrf_token": csrf, "gemeente": "heideveen"})  # fmt: skip
    assert moved.status_code == 303
    both = {"csrf_token": csrf, "gemeente": ["heideveen", "voorbeeldstad"]}
    two = other_client.post(f"/staff/beheer/medewerkers/{anna.id}/gemeenten", data=both)
    assert two.status_code == 422 and "een gemeente" in two.text  # a medewerker works for one
    session.expire_all()
    assert [place.slug for place in anna.municipalities] == ["heideveen"]
    login(client, "anna")  # a new session reads the new scope
    assert client.get(f"/staff/overdrachten/{towns.ids['handover_id']}").status_code == 200


def _beheer_state(session: Session, towns: Towns) -> tuple[Any, ...]:
    """What a beheer action on B's things would change: B's spreekuur and B's medewerker's account."""
    session.expire_all()
    schedule = session.get(Schedule, towns.ids["schedule_id"])
    bob = session.get(StaffUser, towns.ids["user_id"])
    assert schedule is not None and bob is not None
    places = [place.slug for place in bob.municipalities]
    return (schedule.title, schedule.capacity, schedule.valid_from, schedule.valid_until, bob.role,
            bob.active, bob.password_hash, places)  # fmt: skip


@pytest.mark.parametrize(("method", "path"), sorted(BEHEER))
def test_a_beheerder_of_a_cannot_read_or_change_bs_spreekuren_and_accounts(
    client: TestClient, other_client: TestClient, session: Session, towns: Towns, method: str, path: str
) -> None:
    kind = BEHEER[(method, path)]
    csrf = login(client, "beheer-a")
    url = _url(path, towns.ids)
    before, state = snapshot(session), _beheer_state(session, towns)
    form = {"csrf_token": csrf, "title": "Overgenomen", "capacity": "9", "valid_until": "",
            "role": "beheerder", "password": "nieuw-wachtwoord-1", "gemeente": "voorbeeldstad"}  # fmt: skip
    if kind == "list":
        page = client.get(url)
        assert page.status_code == 200
        assert not any(word in page.text for word in B_BEHEER_WORDS), url
        login(other_client, "regio")
        assert any(
            word in other_client.get(url).text for word in B_BEHEER_WORDS[:3]
        )  # the regional one sees B's
    elif kind == "detail":
        assert client.get(url).status_code == 404
        login(other_client, "regio")
        assert other_client.get(url).status_code == 200
    elif kind == "action":
        answer = client.post(url, data=form)
        assert answer.status_code == 404, answer.text[:300]
        assert "bestaat niet" in answer.text
    elif kind == "create":
        if "spreekuren" in path:
            spreekuur = {"location_id": str(towns.ids["location_id"]), "topic": "schulden", "weekday": "1",
                         "start": "09:00", "end": "10:00", "capacity": "2", "title": "Nieuw"}  # fmt: skip
            answer = client.post(url, data={**form, **spreekuur})
            assert answer.status_code == 422 and "Kies een locatie" in answer.text
        else:
            account = {
                "username": "nieuw",
                "display_name": "Nieuw",
                "role": "medewerker",
                "gemeente": "heideveen",
            }
            answer = client.post(url, data={**form, **account})
            assert answer.status_code == 422 and "zelf voor werkt" in answer.text
    elif kind == "log":
        page = client.get(url)
        assert page.status_code == 200 and "data-audit=" in page.text
    after = snapshot(session)
    if kind in ("list", "detail"):  # the regional beheerder logged in and looked: only that is new
        for name in ("audit_log", "staff_sessions"):
            before.pop(name), after.pop(name)
    assert after == before and _beheer_state(session, towns) == state


def _lines_about(session: Session, entity: str, entity_id: object) -> list[int]:
    query = select(AuditEntry.id).where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
    return list(session.scalars(query))


def test_the_audit_log_of_a_beheerder_of_a(
    client: TestClient, other_client: TestClient, session: Session, towns: Towns
) -> None:
    """Only the lines about A's things (handovers, callbacks, bookings, accounts); the regional one all."""
    a_handover = session.scalars(select(AuditEntry.entity_id).where(AuditEntry.entity == "handover")).all()
    a_ids = [number for number in a_handover if number != str(towns.ids["handover_id"])]
    assert a_ids
    b_lines = [
        *_lines_about(session, "handover", towns.ids["handover_id"]),
        *_lines_about(session, "callback", towns.ids["callback_id"]),
        *_lines_about(session, "staff_user", towns.ids["user_id"]),
        *_lines_about(session, "municipality", "heideveen"),
    ]
    a_lines = _lines_about(session, "handover", a_ids[0])
    anna = session.scalars(select(StaffUser.id).where(StaffUser.username == "anna")).one()
    a_lines += _lines_about(session, "staff_user", anna)
    assert len(b_lines) >= 4 and len(a_lines) >= 2
    login(client, "beheer-a")
    login(other_client, "regio")
    for query in ("", "?soort=overdrachten", "?soort=accounts", "?zoek=" + str(towns.ids["handover_id"])):
        mine = client.get("/staff/beheer/logboek" + query).text
        assert not any(f'data-audit="{line}"' in mine for line in b_lines), query
    mine = client.get("/staff/beheer/logboek").text
    assert all(f'data-audit="{line}"' in mine for line in a_lines)
    everything = other_client.get("/staff/beheer/logboek").text
    assert all(f'data-audit="{line}"' in everything for line in b_lines + a_lines)


def test_the_handover_page_shows_only_the_scopes_bookings_and_callbacks(
    client: TestClient, other_client: TestClient, session: Session, make: Factory, towns: Towns
) -> None:
    """A conversation in which the resident first chose B and then A: the handover (A's) names A's booking
    and callback only for A's medewerker; the regional beheerder sees B's too."""
    today = local_today()
    handover = create_handover(session=session, conversation_id="c-both", channel="socketio",
                               reason="vraagt iemand", summary="Antonzaak",
                               municipality=towns.a.slug)  # fmt: skip
    for town, first in ((towns.a, "Annemiek"), (towns.b, "Bertha")):
        location = make.location(f"Tweede huis {town.name}", "Midden", town)
        booking = make.booking(
            make.slot(make.schedule(location, weekday=today.weekday()), today), first, "0611111111"
        )
        booking.conversation_id = "c-both"
        create_callback(session=session, topic="schulden", first_name=f"{first}bel", phone="0612345678",
                        municipality=town.slug, conversation_id="c-both")  # fmt: skip
    session.commit()
    login(client, "anna")
    page = client.get(f"/staff/overdrachten/{handover.id}").text
    assert "Annemiek" in page and "Annemiekbel" in page
    assert "Bertha" not in page and "Berthabel" not in page
    inbox_page = client.get("/staff/overdrachten").text  # the first name next to the handover: A's
    assert "Bertha" not in inbox_page
    login(other_client, "regio")
    both = other_client.get(f"/staff/overdrachten/{handover.id}").text
    assert "Annemiek" in both and "Bertha" in both and "Berthabel" in both
