"""The OpenAPI spec tells the truth (issue 20, item 9): schemathesis against the running backend.

A real uvicorn server over a seeded SQLite database; the schemathesis CLI (pinned in requirements/app.lock)
runs its coverage, fuzzing and stateful phases with a bounded number of examples per operation and a fixed
seed, once with the service token and once without. Its default checks apply (no 5xx, every status and
header documented, responses match their schemas, schema-violating input refused), except
`positive_data_acceptance`: the services refuse with 422 what no JSON Schema can say (a Dutch phone
number, a name of letters, "a phone number or an e-mail address"); see docs/security.md.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.backend.__main__ import main
from bot.backend.app import create_app
from tests.app.backend_helpers import AUTH, TOKEN, make_settings, running_app
from tests.ports import free_port

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES = 15


@pytest.fixture(scope="module")
def live_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("openapi")
    settings = make_settings(data, f"sqlite:///{data / 'backend.db'}")
    assert main(["migrate"], settings=settings) == 0
    assert main(["seed"], settings=settings) == 0
    with running_app(create_app(settings), free_port()) as base_url:
        yield base_url


def _schemathesis(base_url: str, tmp_path: Path, *headers: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCHEMATHESIS), "run", f"{base_url}/openapi.json", "--max-examples", str(EXAMPLES), "--seed", "20",
        "--workers", "1", "--generation-database", "none", "--exclude-checks", "positive_data_acceptance",
        "--no-color", "--report", "junit", "--report-dir", str(tmp_path), *headers,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=tmp_path)


@pytest.mark.parametrize("with_token", [True, False], ids=["with-token", "without-token"])
def test_schemathesis_finds_nothing(live_backend: str, tmp_path: Path, with_token: bool) -> None:
    headers = ("-H", f"Authorization: Bearer {TOKEN}") if with_token else ()
    result = _schemathesis(live_backend, tmp_path, *headers)
    report = result.stdout[-6000:]
    assert result.returncode == 0, report
    assert "Tested: 34" in result.stdout and " passed" in result.stdout, report
    assert "failures" not in result.stdout.split("SUMMARY")[-1].lower(), report


def test_the_spec_lists_every_error_answer_enums_and_patterns(live_backend: str) -> None:
    spec = httpx.get(f"{live_backend}/openapi.json").json()
    operations = [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()]
    api = [(path, method, op) for path, method, op in operations if path.startswith("/api/")]
    assert len(api) == 32  # issue 24: check-ins (3) on top of the rest
    for path, method, op in api:
        assert {"401", "422", "503"} <= set(op["responses"]), (method, path)
        schema = op["responses"]["401"]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith("/ErrorOut"), (method, path)
        # PUT /api/conversations/{id} creates the record.
        if "{" in path and method != "put":
            assert "404" in op["responses"], (method, path)
        if "requestBody" in op:
            assert "400" in op["responses"], (method, path)
    assert "409" in spec["paths"]["/api/bookings"]["post"]["responses"]
    schemas = spec["components"]["schemas"]
    assert set(schemas["CallbackCreate"]["properties"]["topic"]["enum"]) >= {"schulden", "veiligheid"}
    assert schemas["HandoverCreate"]["properties"]["channel"]["pattern"] == r"^[a-z][a-z0-9_\-]{0,29}$"
    assert schemas["CallbackUpdate"]["properties"]["status"]["$ref"].endswith("/CaseStatus")
    office = {p["name"]: p for p in spec["paths"]["/api/office-hours"]["get"]["parameters"]}
    at = office["at"]["schema"]["anyOf"][0]
    assert at["format"] == "date-time" and at["pattern"].startswith("^(20")
    # Office hours per municipality (issue 23): an optional slug, as the slots' and locations' filter.
    assert set(office) == {"at", "municipality"} and not office["municipality"]["required"]
    assert office["municipality"]["schema"]["pattern"] == r"^[a-z][a-z0-9-]{0,39}$"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/office-hours", {"at": "9.47e-269"}),
        ("/api/office-hours", {"at": "1700000000"}),
        ("/api/office-hours", {"at": "0001-01-01T00:00:00"}),
        ("/api/office-hours", {"at": "9999-12-31T23:59:59Z"}),
        ("/api/slots", {"date_from": "9.47e-269"}),
        ("/api/slots", {"date_to": "0"}),
        ("/api/slots", {"date_from": "1899-12-31"}),
    ],
)
def test_timestamps_outside_iso_text_or_the_sane_range_are_refused(
    live_backend: str, path: str, params: dict[str, str]
) -> None:
    response = httpx.get(f"{live_backend}{path}", params=params, headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_input"


def test_a_number_as_threat_date_is_refused_and_an_iso_date_accepted(live_backend: str) -> None:
    body = {"topic": "schulden", "first_name": "Anna", "phone": "0612345678"}
    for wrong in (9.47e-269, 0, "9.47e-269", "2201-01-01"):
        response = httpx.post(
            f"{live_backend}/api/callbacks", json={**body, "threat_date": wrong}, headers=AUTH
        )
        assert response.status_code == 422, (wrong, response.text)
        assert response.json()["error"]["fields"][0]["field"] == "threat_date"
    assert httpx.get(
        f"{live_backend}/api/office-hours", params={"at": "2026-12-07T10:00"}, headers=AUTH
    ).is_success


def test_405_names_every_method_of_the_path(live_backend: str) -> None:
    response = httpx.request("DELETE", f"{live_backend}/api/handovers/1", headers=AUTH)
    assert response.status_code == 405 and response.headers["allow"] == "GET, PATCH"
