"""Malformed and hostile input to every endpoint: a 4xx with a Dutch JSON error, and nothing changes.

Wrong types, 50,000-character strings, unknown ids, SQL and HTML in fields, malformed JSON. Free-text
fields (a question, a summary) accept SQL or HTML as plain text: stored verbatim, never executed or
rendered; that is checked too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bot.backend.models import CaseStatus
from bot.backend.services.booking_lookup import lookup_booking
from bot.backend.services.bookings import book_slot
from bot.backend.services.callbacks import create_callback
from bot.backend.services.handovers import create_handover
from tests.app.backend_helpers import AUTH, World, snapshot

HUGE = "x" * 50_000
SQL = "Robert'); DROP TABLE bookings;--"
HTML = "<script>alert('x')</script>"
BAD_STRINGS: list[Any] = [HUGE, 12345, ["a"], {"a": 1}, True]
BAD_IDS: list[Any] = ["abc", "1; DROP TABLE slots", -1, 0, 2**63, 1.5, [1], {"id": 1}, True, HTML]
BAD_DATES: list[Any] = ["morgen", "2026-02-30", "30-12-2026", HUGE, 20261201, SQL]


@dataclass
class Ctx:
    slot: int
    code: str
    handover: int
    callback: int
    ticket: str


@pytest.fixture
def ctx(session: Session, world: World) -> Ctx:
    booking = book_slot(session=session, slot_id=world.slot.id, first_name="Anna", phone="0612345678")
    handover = create_handover(session=session, conversation_id="c-1", channel="website", reason="gevraagd")
    callback = create_callback(session=session, topic="schulden", first_name="Bo", phone="0612345678")
    opened = lookup_booking(session=session, code=booking.code, verification="5678", client="ctx")
    assert opened.ticket is not None
    session.commit()
    return Ctx(
        slot=world.second_slot.id,
        code=booking.code,
        handover=handover.id,
        callback=callback.id,
        ticket=opened.ticket,
    )


def booking_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "slot_id": ctx.slot,
        "first_name": "Anna",
        "phone": "0612345678",
        "email": "a@voorbeeld.nl",
        "question": "Vraag",
    }


CALLBACK = {
    "topic": "schulden",
    "first_name": "Anna",
    "phone": "0612345678",
    "preferred_part_of_day": "middag",
    "question": "Vraag",
    "urgent_reason": "ontruiming",
    "threat_date": "2030-01-01",
}
HANDOVER = {
    "conversation_id": "c-2",
    "channel": "telegram",
    "reason": "gevraagd",
    "topic": "schulden",
    "summary": "Samenvatting",
    "contact_request": "Bel me",
}

# (method, path, field kinds) of every endpoint with a JSON body.
BODY_ENDPOINTS: dict[str, tuple[str, str, dict[str, str]]] = {
    "create_booking": (
        "post",
        "/api/bookings",
        {"slot_id": "id", "first_name": "str", "phone": "str", "email": "str", "question": "str"},
    ),
    "lookup_booking": (
        "post",
        "/api/bookings/lookup",
        {"code": "str", "verification": "str", "client": "str"},
    ),
    "cancel_booking": ("post", "/api/bookings/{code}/cancel", {"ticket": "str"}),
    "move_booking": ("post", "/api/bookings/{code}/move", {"slot_id": "id", "ticket": "str"}),
    "create_callback": (
        "post",
        "/api/callbacks",
        {
            "topic": "str",
            "first_name": "str",
            "phone": "str",
            "preferred_part_of_day": "enum",
            "question": "str",
            "urgent_reason": "enum",
            "threat_date": "date",
        },
    ),
    "update_callback": ("patch", "/api/callbacks/{callback}", {"status": "enum"}),
    "create_handover": (
        "post",
        "/api/handovers",
        {
            "conversation_id": "str",
            "channel": "str",
            "reason": "str",
            "topic": "str",
            "summary": "str",
            "contact_request": "str",
        },
    ),
    "update_handover": (
        "patch",
        "/api/handovers/{handover}",
        {"status": "enum", "assignee_id": "id", "note": "str"},
    ),
}


def valid_body(name: str, ctx: Ctx) -> dict[str, Any]:
    return {
        "create_booking": booking_body(ctx),
        "lookup_booking": {"code": ctx.code, "verification": "5678", "client": "ctx"},
        "cancel_booking": {"ticket": ctx.ticket},
        "move_booking": {"slot_id": ctx.slot, "ticket": ctx.ticket},
        "create_callback": dict(CALLBACK),
        "update_callback": {"status": "afgerond"},
        "create_handover": dict(HANDOVER),
        "update_handover": {"status": "afgerond", "note": "Klaar"},
    }[name]


def field_cases() -> list[Any]:
    cases = []
    for name, (_method, _path, fields) in BODY_ENDPOINTS.items():
        for field, kind in fields.items():
            bad = {
                "id": BAD_IDS,
                "str": BAD_STRINGS,
                "enum": ["onbekend", HTML, HUGE, 1, ["open"]],
                "date": BAD_DATES,
            }[kind]
            for index, value in enumerate(bad):
                cases.append(pytest.param(name, field, value, id=f"{name}-{field}-{index}"))
        cases.append(pytest.param(name, "unexpected_field", "x", id=f"{name}-extra"))
    # Validated fields refuse SQL and HTML; (free-text fields accept them as text, see below).
    for name, field in [
        ("create_booking", "first_name"),
        ("create_booking", "phone"),
        ("create_booking", "email"),
        ("create_callback", "first_name"),
        ("create_callback", "phone"),
        ("create_callback", "topic"),
        ("create_handover", "conversation_id"),
        ("create_handover", "channel"),
        ("create_handover", "topic"),
    ]:
        for value in (SQL, HTML):
            cases.append(
                pytest.param(name, field, value, id=f"{name}-{field}-{'sql' if value is SQL else 'html'}")
            )
    for name in ("create_booking", "create_callback", "create_handover"):
        cases.append(
            pytest.param(
                name,
                "first_name" if name != "create_handover" else "reason",
                None,
                id=f"{name}-required-null",
            )
        )
    return cases


def request(client: TestClient, method: str, path: str, ctx: Ctx, **kwargs: Any) -> Any:
    return client.request(
        method,
        path.format(code=ctx.code, callback=ctx.callback, handover=ctx.handover),
        headers={**AUTH, **kwargs.pop("headers", {})},
        **kwargs,
    )


def assert_refused(response: Any, status: int | None = None) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    if status is not None:
        assert response.status_code == status, response.text[:300]
    error = response.json()["error"]
    assert error["code"] and isinstance(error["message"], str) and error["message"]
    assert len(response.content) < 5000  # a huge value is not echoed back
    return error


@pytest.mark.parametrize(("name", "field", "value"), field_cases())
def test_bad_field_values_are_refused(
    client: TestClient, session: Session, ctx: Ctx, name: str, field: str, value: Any
) -> None:
    method, path, _fields = BODY_ENDPOINTS[name]
    body = valid_body(name, ctx)
    body[field] = value
    before = snapshot(session)
    response = request(client, method, path, ctx, json=body)
    error = assert_refused(response)
    assert error["code"] in {"invalid_input", "invalid_json"} or response.status_code in (404, 409)
    assert snapshot(session) == before


MALFORMED = [
    b'{"slot_id": 1,',
    b"not json",
    b"[]",
    b"null",
    b'"text"',
    b"[" * 50_000,
    b"{" * 10_000,
    b"\xff\xfe\x00",
    b"",
]


@pytest.mark.parametrize("name", list(BODY_ENDPOINTS))
@pytest.mark.parametrize("payload", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_json_is_refused(
    client: TestClient, session: Session, ctx: Ctx, name: str, payload: bytes
) -> None:
    method, path, _fields = BODY_ENDPOINTS[name]
    before = snapshot(session)
    response = request(
        client, method, path, ctx, content=payload, headers={"Content-Type": "application/json"}
    )
    assert_refused(response)
    assert response.status_code in (400, 422)  # 400: nested too deep to parse
    assert snapshot(session) == before


@pytest.mark.parametrize("name", ["create_booking", "create_callback", "create_handover"])
def test_form_data_instead_of_json_is_refused(
    client: TestClient, session: Session, ctx: Ctx, name: str
) -> None:
    method, path, _fields = BODY_ENDPOINTS[name]
    before = snapshot(session)
    response = request(client, method, path, ctx, data={"first_name": "Anna"})
    assert_refused(response, 422)
    assert snapshot(session) == before


UNKNOWN = [
    ("get", "/api/locations/999999", None),
    ("get", "/api/bookings/VD-AAAA", None),
    ("post", "/api/bookings/VD-AAAA/cancel", {"ticket": "x"}),
    ("post", "/api/bookings/VD-AAAA/move", {"slot_id": 1, "ticket": "x"}),
    ("post", "/api/bookings/{code}/move", {"slot_id": 999999, "ticket": "{ticket}"}),
    ("post", "/api/bookings", {"slot_id": 999999, "first_name": "Anna", "phone": "0612345678"}),
    ("get", "/api/callbacks/999999", None),
    ("patch", "/api/callbacks/999999", {"status": "afgerond"}),
    ("get", "/api/handovers/999999", None),
    ("patch", "/api/handovers/999999", {"status": "afgerond"}),
    ("patch", "/api/handovers/{handover}", {"assignee_id": 999999}),
    ("get", "/api/nowhere", None),
    ("delete", "/api/bookings/{code}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), UNKNOWN, ids=[f"{m} {p}" for m, p, _ in UNKNOWN])
def test_unknown_ids_give_404(
    client: TestClient, session: Session, ctx: Ctx, method: str, path: str, body: Any
) -> None:
    before = snapshot(session)
    if isinstance(body, dict) and body.get("ticket") == "{ticket}":
        body = {**body, "ticket": ctx.ticket}
    response = request(client, method, path, ctx, json=body)
    assert_refused(response)
    assert response.status_code in (404, 405)
    assert snapshot(session) == before


BAD_PATHS_AND_QUERIES = [
    ("get", "/api/bookings/" + "A" * 50_000),
    ("post", "/api/bookings/" + "A" * 50_000 + "/cancel"),
    ("post", "/api/bookings/' OR '1'='1/cancel"),
    ("get", "/api/bookings/%3Cscript%3E"),
    ("get", "/api/locations/abc"),
    ("get", "/api/locations/-1"),
    ("get", "/api/locations/99999999999999999999"),
    ("get", "/api/handovers/1%20OR%201=1"),
    ("get", "/api/callbacks/1.5"),
    ("get", "/api/slots?date_from=morgen"),
    ("get", "/api/slots?date_from=2026-02-30"),
    ("get", "/api/slots?limit=-1"),
    ("get", "/api/slots?limit=1000000"),
    ("get", "/api/slots?location_id=1%20OR%201=1"),
    ("get", "/api/slots?topic=" + "x" * 50_000),
    ("get", "/api/slots?topic=%3Cscript%3E"),
    ("get", "/api/slots?wijk=" + "x" * 50_000),
    ("get", "/api/slots?date_from=2026-01-01&date_to=2030-01-01"),
    ("get", "/api/locations?wijk=" + "x" * 50_000),
    ("get", "/api/callbacks?status=weg"),
    ("get", "/api/callbacks?urgent=misschien"),
    ("get", "/api/handovers?status=%27;DROP%20TABLE%20handovers;--"),
    ("get", "/api/handovers?conversation_id=" + "x" * 50_000),
]


@pytest.mark.parametrize(
    ("method", "path"), BAD_PATHS_AND_QUERIES, ids=[p[:60] for _, p in BAD_PATHS_AND_QUERIES]
)
def test_bad_paths_and_queries_are_refused(
    client: TestClient, session: Session, ctx: Ctx, method: str, path: str
) -> None:
    before = snapshot(session)
    assert_refused(request(client, method, path, ctx))
    assert snapshot(session) == before


def test_free_text_keeps_sql_and_html_as_plain_text(client: TestClient, session: Session, ctx: Ctx) -> None:
    body = booking_body(ctx) | {"question": f"{SQL} {HTML}"}
    response = request(client, "post", "/api/bookings", ctx, json=body)
    assert response.status_code == 201
    assert response.json()["question"] == f"{SQL} {HTML}"
    handover = request(
        client, "post", "/api/handovers", ctx, json=HANDOVER | {"summary": HTML, "reason": SQL}
    )
    assert handover.status_code == 201 and handover.json()["summary"] == HTML
    assert snapshot(session)["bookings"]  # the bookings table is still there


def test_a_refused_update_does_not_half_apply(client: TestClient, session: Session, ctx: Ctx) -> None:
    """Status is valid but the assignee is unknown: the status must not change either."""
    before = snapshot(session)
    response = request(
        client,
        "patch",
        "/api/handovers/{handover}",
        ctx,
        json={"status": "afgerond", "assignee_id": 999999, "note": "x"},
    )
    assert_refused(response, 404)
    assert snapshot(session) == before
    assert snapshot(session)["handovers"][0][1] is CaseStatus.OPEN


def test_json_error_shape_for_validation(client: TestClient, ctx: Ctx) -> None:
    response = request(client, "post", "/api/bookings", ctx, json={"slot_id": "abc"})
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert {item["field"] for item in error["fields"]} == {"slot_id", "first_name"}
    assert "Tijdstip moet een heel getal zijn." in error["message"]
    json.dumps(error)
