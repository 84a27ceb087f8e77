"""Fixtures of the Rasa-side tests: the trained model (trained once per run by scripts/test.sh)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.assistant.settings import rasa_side_settings
from tests.rasa.rasa_servers import REST_ONLY, REST_STACK_TOKEN, RestStack, rasa_stack

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "voordeur.tar.gz"

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


class Parser:
    """Parses text with the real trained model (NLU pipeline including the safety net)."""

    def __init__(self, agent: Any) -> None:
        self._agent = agent

    def __call__(self, text: str) -> dict[str, Any]:
        return asyncio.run(self._agent.parse_message(text))

    def intent(self, text: str) -> str:
        return self(text)["intent"]["name"]


@pytest.fixture(scope="session")
def model_path() -> Path:
    assert MODEL.exists(), f"no trained model at {MODEL}; run `make test` (it trains once per run)"
    return MODEL


@pytest.fixture(scope="session")
def agent(model_path: Path) -> Any:
    """Rasa's agent with the trained model, in-memory stores and no action server (loaded once)."""
    from rasa.core.agent import Agent

    return Agent.load(model_path=str(model_path))


@pytest.fixture(scope="session")
def parse(agent: Any) -> Parser:
    return Parser(agent)


@pytest.fixture(scope="session")
def rest_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestStack]:
    """One case backend, action server and Rasa (REST channel only) for the server tests that need nothing
    else: each start of the trio took 25-60 s of the run. The office is always open here; each module uses
    senders of its own, and reads only its own rows."""
    folder = tmp_path_factory.mktemp("rest-stack")
    with rasa_stack(folder, REST_ONLY, REST_STACK_TOKEN, OFFICE_HOURS="ma-zo 00:00-24:00") as (url, backend):
        yield RestStack(url, backend, folder)


@pytest.fixture(autouse=True)
def settings_of_this_test() -> Iterator[None]:
    """The settings are read once per process: each test reads them again from its own environment."""
    rasa_side_settings.cache_clear()
    yield
    rasa_side_settings.cache_clear()


@pytest.fixture(autouse=True)
async def conversation_reports_finish() -> Any:
    """Actions send conversation reports in the background: let them finish inside the test's loop."""
    from actions.backend_client import conversation_notes_sent

    yield
    await conversation_notes_sent()
