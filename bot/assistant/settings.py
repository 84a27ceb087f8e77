"""Typed settings of the Rasa side (actions, channels), read from the environment.

No pydantic, because the Rasa environment pins an old one (stdlib, and PyYAML through
bot/content_facts.py for the demo guard). The case backend has its own settings object
(bot/backend/settings.py); the two sides share nothing but HTTP and the content files.

A process reads its settings once, through `rasa_side_settings()`. Tests that change the
environment call `rasa_side_settings.cache_clear()` (tests/rasa/conftest.py does it around each test).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.content_facts import ContentFileError, content_dir_from_env, demo_refusal

DEVELOPMENT = "development"
ADDRESS_FORMS = ("je", "u")
MIN_SECRET_LENGTH = 24


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
    #: The municipality whose values content/local.yml holds: used while the resident's is unknown.
    default_municipality: str = "voorbeeldstad"
    #: The Telegram bot's username (without @) for "Verder op Telegram" deep links; empty: not offered.
    telegram_bot_username: str = ""
    #: After how many working days a follow-up check-in comes (the backend plans it; the offer names it).
    checkin_working_days: int = 5

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RasaSideSettings:
        env = os.environ if environ is None else environ
        settings = cls(
            voordeur_env=env.get("VOORDEUR_ENV", DEVELOPMENT),
            backend_url=env.get("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/"),
            backend_service_token=env.get("BACKEND_SERVICE_TOKEN", ""),
            rasa_auth_token=env.get("RASA_AUTH_TOKEN", ""),
            content_dir=content_dir_from_env(env),
            address_form=env.get("ADDRESS_FORM", "je").strip().lower(),
            backend_timeout=float(env.get("BACKEND_TIMEOUT_SECONDS", "5") or 5),
            default_municipality=(env.get("DEFAULT_MUNICIPALITY") or "voorbeeldstad").strip().lower(),
            telegram_bot_username=(env.get("TELEGRAM_BOT_USERNAME") or "").strip().lstrip("@"),
            checkin_working_days=int(env.get("CHECKIN_WORKING_DAYS", "5") or 5),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse unknown values; outside development also missing or short secrets, and demo values."""
        if self.address_form not in ADDRESS_FORMS:
            raise SettingsError(f"ADDRESS_FORM must be one of {', '.join(ADDRESS_FORMS)}")
        if not re.match(r"^[a-z0-9][a-z0-9-]{0,62}$", self.default_municipality):
            raise SettingsError("DEFAULT_MUNICIPALITY must be a municipality's slug (a-z, 0-9, -)")
        if not 1 <= self.checkin_working_days <= 30:
            raise SettingsError("CHECKIN_WORKING_DAYS must be between 1 and 30")
        if not 0 < self.backend_timeout <= 60:
            raise SettingsError("BACKEND_TIMEOUT_SECONDS must be between 0 and 60")
        if not (self.content_dir / "local.yml").exists():
            raise SettingsError(f"CONTENT_DIR {self.content_dir} has no local.yml")
        if self.voordeur_env == DEVELOPMENT:
            return
        for name in ("backend_service_token", "rasa_auth_token"):
            if len(getattr(self, name)) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    f"{name.upper()} must be set ({MIN_SECRET_LENGTH}+ characters) outside development"
                )
        try:
            refusal = demo_refusal(self.content_dir, self.voordeur_env)
        except ContentFileError as error:
            raise SettingsError(f"CONTENT_DIR: {error}") from error
        if refusal:
            raise SettingsError(refusal)


@cache
def rasa_side_settings() -> RasaSideSettings:
    """This process's settings, read from the environment on first use (a refusal is not cached)."""
    return RasaSideSettings.from_env()
