"""Typed settings of the case backend (app environment), read from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class BackendSettings(BaseSettings):
    """Everything the case backend needs; secrets have no usable default outside development."""

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    voordeur_env: str = "development"
    data_dir: Path = PROJECT_ROOT / "var" / "data"
    database_url: str = ""
    backend_host: str = "127.0.0.1"
    backend_port: int = 8000
    backend_service_token: str = ""

    @model_validator(mode="after")
    def _fill_defaults_and_refuse_weak_secrets(self) -> BackendSettings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'backend.db'}"
        if self.voordeur_env != "development" and len(self.backend_service_token) < 24:
            raise ValueError("BACKEND_SERVICE_TOKEN must be set (24+ characters) outside development")
        return self


@lru_cache
def get_settings() -> BackendSettings:
    return BackendSettings()
