"""Typed settings of the Rasa side (actions, channels), read from the environment.

Stdlib only, because the Rasa environment pins an old pydantic. The case backend has its own
settings object (bot/backend/settings.py); the two sides share nothing but HTTP.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEVELOPMENT = "development"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
ADDRESS_FORMS = ("je", "u")
_MIN_SECRET_LENGTH = 24


class SettingsError(ValueError):
    """A setting is missing or unsafe for this environment."""


@dataclass(frozen=True)
class RasaSideSettings:
    voordeur_env: str
    backend_url: str
    backend_service_token: str
    rasa_auth_token: str
    content_dir: Path
    address_form: str
    backend_timeout: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RasaSideSettings:
        env = os.environ if environ is None else environ
        settings = cls(
            voordeur_env=env.get("VOORDEUR_ENV", DEVELOPMENT),
            backend_url=env.get("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/"),
            backend_service_token=env.get("BACKEND_SERVICE_TOKEN", ""),
            rasa_auth_token=env.get("RASA_AUTH_TOKEN", ""),
            content_dir=Path(env.get("CONTENT_DIR") or PROJECT_ROOT / "content").resolve(),
            address_form=env.get("ADDRESS_FORM", "je").strip().lower(),
            backend_timeout=float(env.get("BACKEND_TIMEOUT_SECONDS", "5") or 5),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse unknown values, and missing or short secrets outside development."""
        if self.address_form not in ADDRESS_FORMS:
            raise SettingsError(f"ADDRESS_FORM must be one of {', '.join(ADDRESS_FORMS)}")
        if not 0 < self.backend_timeout <= 60:
            raise SettingsError("BACKEND_TIMEOUT_SECONDS must be between 0 and 60")
        if not (self.content_dir / "local.yml").exists():
            raise SettingsError(f"CONTENT_DIR {self.content_dir} has no local.yml")
        if self.voordeur_env == DEVELOPMENT:
            return
        for name in ("backend_service_token", "rasa_auth_token"):
            if len(getattr(self, name)) < _MIN_SECRET_LENGTH:
                raise SettingsError(
                    f"{name.upper()} must be set ({_MIN_SECRET_LENGTH}+ characters) outside development"
                )
