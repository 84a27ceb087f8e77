"""endpoints.yml takes its values from the environment (Rasa expands ${VAR} only in plain scalars)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.utils import AvailableEndpoints

ROOT = Path(__file__).resolve().parents[2]


def test_endpoints_are_expanded_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:15055/webhook")
    monkeypatch.setenv("RASA_TRACKER_DB", str(tmp_path / "tracker.db"))
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    assert endpoints.action.url == "http://127.0.0.1:15055/webhook"
    assert endpoints.tracker_store.type == "bot.sqlite_tracker.SQLiteTrackerStore"
    assert endpoints.tracker_store.kwargs == {"db": str(tmp_path / "tracker.db")}
    assert endpoints.lock_store.type == "in_memory"
