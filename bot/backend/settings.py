"""Typed settings of the case backend (app environment), read from the environment and `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: The law (Wgs) asks debt help to start within 3 working days in a threatening situation.
LEGAL_MAX_URGENT_WORKING_DAYS = 3


class BackendSettings(BaseSettings):
    """Everything the case backend needs; secrets have no usable default outside development."""

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    voordeur_env: str = "development"
    data_dir: Path = PROJECT_ROOT / "var" / "data"
    database_url: str = ""
    backend_host: str = "127.0.0.1"
    backend_port: int = 8000
    backend_service_token: str = ""
    #: Rasa as a resident's browser reaches it (the widget's socket.io); default: this machine's RASA_PORT.
    rasa_public_url: str = ""

    #: Local time zone of the wijkteam: slot times, "today" and working days are counted in it.
    timezone: str = "Europe/Amsterdam"
    #: A callback request is due within this many working days.
    callback_working_days: int = Field(default=3, ge=0, le=20)
    #: ... and within this many when the resident reports an eviction date or a cut-off notice.
    callback_urgent_working_days: int = Field(default=1, ge=0, le=LEGAL_MAX_URGENT_WORKING_DAYS)
    #: How far ahead `seed`, `import-schedules` and `generate-slots` create slots.
    slot_horizon_days: int = Field(default=42, ge=1, le=366)

    @model_validator(mode="after")
    def _fill_defaults_and_refuse_weak_secrets(self) -> BackendSettings:
        if not self.data_dir.is_absolute():  # `DATA_DIR=var/data` means the project's folder, not the cwd's
            self.data_dir = PROJECT_ROOT / self.data_dir
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'backend.db'}"
        if not self.rasa_public_url:
            self.rasa_public_url = f"http://127.0.0.1:{os.environ.get('RASA_PORT') or 5005}"
        if self.voordeur_env != "development" and len(self.backend_service_token) < 24:
            raise ValueError("BACKEND_SERVICE_TOKEN must be set (24+ characters) outside development")
        if self.callback_urgent_working_days > self.callback_working_days:
            raise ValueError("CALLBACK_URGENT_WORKING_DAYS must not exceed CALLBACK_WORKING_DAYS")
        ZoneInfo(self.timezone)  # fails early on an unknown zone
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache
def get_settings() -> BackendSettings:
    return BackendSettings()
