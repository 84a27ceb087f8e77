"""Schema-shaped fuzzing with hypothesis: whatever arrives, the API answers < 500 in the error shape."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.app.backend_helpers import AUTH, World

FUZZ = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=80),
    st.sampled_from(
        ["", "0612345678", "VD-7K3P", "<script>", "' OR 1=1 --", "2026-12-01", "open", "schulden"]
    ),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


def body_for(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={name: json_value for name in fields})


def check(response: Any) -> None:
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str)


@FUZZ
@given(body=body_for(["slot_id", "first_name", "phone", "email", "question", "extra"]))
def test_fuzz_create_booking(client: TestClient, world: World, body: dict[str, Any]) -> None:
    check(client.post("/api/bookings", json=body, headers=AUTH))


@FUZZ
@given(
    body=body_for(
        ["topic", "first_name", "phone", "preferred_part_of_day", "question", "urgent_reason", "threat_date"]
    )
)
def test_fuzz_create_callback(client: TestClient, body: dict[str, Any]) -> None:
    check(client.post("/api/callbacks", json=body, headers=AUTH))


@FUZZ
@given(
    body=body_for(["conversation_id", "channel", "reason", "topic", "summary", "contact_request"]),
    update=body_for(["status", "assignee_id", "unassign", "note"]),
)
def test_fuzz_handovers(client: TestClient, body: dict[str, Any], update: dict[str, Any]) -> None:
    check(client.post("/api/handovers", json=body, headers=AUTH))
    check(client.patch("/api/handovers/1", json=update, headers=AUTH))


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["topic", "location_id", "wijk", "date_from", "date_to", "limit"]),
        st.text(max_size=30),
        max_size=6,
    ),
    code=st.text(max_size=30),
)
def test_fuzz_queries_and_codes(client: TestClient, world: World, params: dict[str, str], code: str) -> None:
    check(client.get("/api/slots", params=params, headers=AUTH))
    if code.strip(".") and "/" not in code:
        quoted = quote(code, safe="")
        lookup = {"code": code, "verification": "1234", "client": "fuzz"}
        check(client.post("/api/bookings/lookup", json=lookup, headers=AUTH))
        check(client.post(f"/api/bookings/{quoted}/cancel", json={"ticket": code or "x"}, headers=AUTH))
