"""Rasa-side settings: development works without secrets, anything else refuses weak ones."""

from __future__ import annotations

import pytest

from bot.settings import RasaSideSettings, SettingsError


def test_development_needs_no_secrets() -> None:
    settings = RasaSideSettings.from_env({})
    assert settings.voordeur_env == "development"
    assert settings.backend_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize("token", ["", "short", "change-me"])
def test_production_refuses_missing_or_short_secrets(token: str) -> None:
    with pytest.raises(SettingsError):
        RasaSideSettings.from_env(
            {"VOORDEUR_ENV": "production", "BACKEND_SERVICE_TOKEN": token, "RASA_AUTH_TOKEN": "x" * 32}
        )


def test_production_accepts_real_secrets() -> None:
    settings = RasaSideSettings.from_env(
        {"VOORDEUR_ENV": "production", "BACKEND_SERVICE_TOKEN": "s" * 32, "RASA_AUTH_TOKEN": "r" * 32,
         "BACKEND_URL": "https://backend.example/"}
    )
    assert settings.backend_url == "https://backend.example"
