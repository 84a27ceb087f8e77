"""Scoped staff (issue 23): a medewerker of municipality A can neither read nor change B's cases, on every
staff route. The routes are enumerated from the app: a new route without an entry in ROUTES fails
`test_every_staff_route_has_a_scope_check`. HTTP level, real database (SQLite and PostgreSQL).
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

from bot.backend.models import CaseStatus, Municipality, StaffRole, StaffUser
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
#: figures only), "admin" (a medewerker is refused).
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
}
#: Words only B's cases contain (the pages of A's medewerker must not show them).
B_WORDS = ("Heidezaak", "Bertha", "Berend")


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
    ids: dict[str, int]  # B's handover, booking, callback; and A's schedule (for the admin routes)


@pytest.fixture
def towns(session: Session, make: Factory) -> Towns:
    a = resolve(session=session, slug=None)
    b = make.municipality("heideveen", "Heideveen")
    today = local_today()
    cases = {}
    for town, first, word in ((a, "Anton", "Antonzaak"), (b, "Bertha", "Heidezaak")):
        location = make.location(f"Huis {town.name} (test)", "Midden", town)
        schedule = make.schedule(location, weekday=today.weekday(), capacity=5)
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
                            "schedule_id": schedule.id}  # fmt: skip
    upsert_conversation(session=session, conversation_id="c3-heideveen", channel="socketio", topic=None,
                        municipality="heideveen")  # fmt: skip
    for username, role, slugs in (("anna", StaffRole.STAFF, [a.slug]), ("bob", StaffRole.STAFF, [b.slug]),
                                  ("regio", StaffRole.ADMIN, [a.slug, b.slug]),
                                  ("beheer-a", StaffRole.ADMIN, [a.slug])):  # fmt: skip
        create_staff_user(session=session, username=username, display_name=username.title(),
                          password=PASSWORD, role=role, municipalities=slugs)  # fmt: skip
    session.commit()
    return Towns(a, b, {**cases["heideveen"], "user_id": 1, "schedule_id": cases[a.slug]["schedule_id"]})


def _url(path: str, ids: dict[str, int]) -> str:
    return path.format(**{**ids, "name": "staff.css", "change": "rol"})


def test_every_staff_route_has_a_scope_check(app: FastAPI) -> None:
    assert staff_routes(app) == set(ROUTES), "a staff route without a scope check in ROUTES (or one gone)"


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
    if kind == "admin":
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
