"""endpoints.yml takes its values from the environment (Rasa expands ${VAR} only in plain scalars)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.utils import AvailableEndpoints
from rasa.shared.exceptions import RasaException

ROOT = Path(__file__).resolve().parents[2]


def test_endpoints_are_expanded_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:15055/webhook")
    monkeypatch.setenv("RASA_TRACKER_DB", str(tmp_path / "tracker.db"))
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "the-action-server-secret")
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    assert endpoints.action.url == "http://127.0.0.1:15055/webhook"
    assert endpoints.action.headers == {"Authorization": "Bearer the-action-server-secret"}
    assert endpoints.tracker_store.type == "bot.assistant.sqlite_tracker.SQLiteTrackerStore"
    assert endpoints.tracker_store.kwargs == {"db": str(tmp_path / "tracker.db")}
    assert endpoints.lock_store.type == "in_memory"


@pytest.mark.parametrize("name", ["endpoints.yml", "endpoints.production.yml"])
def test_rasa_refuses_to_start_without_the_action_server_secret(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Without ACTION_SERVER_TOKEN the endpoints cannot be read, so Rasa never calls the actions unsigned."""
    for variable in ("ACTION_ENDPOINT_URL", "RASA_TRACKER_DB", "RASA_DB_HOST", "RASA_DB_PORT", "RASA_DB_NAME",
                     "RASA_DB_USER", "RASA_DB_PASSWORD", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD",
                     "RASA_LOCK_STORE_DB", "RASA_LOCK_KEY_PREFIX"):  # fmt: skip
        monkeypatch.setenv(variable, "1")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "the-action-server-secret")
    assert AvailableEndpoints.read_endpoints(str(ROOT / name)).action.headers  # all else is set
    monkeypatch.delenv("ACTION_SERVER_TOKEN")
    with pytest.raises(RasaException, match="ACTION_SERVER_TOKEN"):
        AvailableEndpoints.read_endpoints(str(ROOT / name))
