"""Typed settings of the case backend (app environment), read from the environment and `.env`."""

from __future__ import annotations

import os
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from bot.backend.services.quiet_hours import QuietHours

PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: The law (Wgs) asks debt help to start within 3 working days in a threatening situation.
LEGAL_MAX_URGENT_WORKING_DAYS = 3


class BackendSettings(BaseSettings):
    """Everything the case backend needs; secrets have no usable default outside development."""

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    voordeur_env: str = "development"
    data_dir: Path = PROJECT_ROOT / "var" / "data"
    #: The municipality's content (as on the Rasa side); the dashboard lists its dated facts that expire.
    content_dir: Path = PROJECT_ROOT / "content"
    database_url: str = ""
    backend_host: str = "127.0.0.1"
    backend_port: int = 8000
    backend_service_token: str = ""
    #: Rasa as a resident's browser reaches it (the widget's socket.io); default: this machine's RASA_PORT.
    rasa_public_url: str = ""

    #: The municipality (its slug) of a case whose municipality nobody named (docs/backend.md,
    #: "Municipalities"); migration 0010 creates it and gives it the rows made before.
    default_municipality: str = Field(default="voorbeeldstad", pattern=r"^[a-z][a-z0-9-]{0,39}$")
    #: Local time zone of the wijkteam: slot times, "today" and working days are counted in it.
    timezone: str = "Europe/Amsterdam"
    #: A callback request is due within this many working days.
    callback_working_days: int = Field(default=3, ge=0, le=20)
    #: ... and within this many when the resident reports an eviction date or a cut-off notice.
    callback_urgent_working_days: int = Field(default=1, ge=0, le=LEGAL_MAX_URGENT_WORKING_DAYS)
    #: A follow-up check-in (issue 24, with the resident's consent) comes this many working days later, at
    #: `checkin_time` local time (the Rasa side reads CHECKIN_WORKING_DAYS too, to name it in the question).
    checkin_working_days: int = Field(default=5, ge=1, le=30)
    checkin_time: str = Field(default="10:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    #: How far ahead `seed`, `import-schedules` and `generate-slots` create slots.
    slot_horizon_days: int = Field(default=42, ge=1, le=366)

    #: Booking reminders (issue 24, docs/reminders.md): the day before the spreekuur at this local time
    #: (moved back out of the quiet hours), on Telegram and, when the booking has one, by e-mail.
    reminder_time: str = Field(default="10:00", pattern=r"^\d{2}:\d{2}$")
    #: E-mail reminders go out over SMTP; an empty SMTP_HOST switches them off (said once in the log).
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "Wijkteam <noreply@wijkteam.example>"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    #: Where residents reach this backend (the .ics calendar link in the booking confirmation); default:
    #: this machine's BACKEND_PORT.
    backend_public_url: str = ""
    #: Signs the calendar links; empty: derived from BACKEND_SERVICE_TOKEN.
    calendar_secret: str = ""
    #: When a staff member answers handed-over chats, e.g. "ma-do 09:00-17:00, vr 09:00-12:30" (local
    #: time; days not named are closed). Holidays are closures without a location. See docs/handover.md.
    office_hours: str = "ma-vr 09:00-17:00"

    #: Rasa's HTTP API for the staff pages (transcripts, replies); default: this machine's RASA_PORT.
    rasa_url: str = ""
    #: The token Rasa was started with (`--auth-token`); sent as `?token=`.
    rasa_auth_token: str = ""
    #: Signs the staff session cookie. Empty in development: a random secret per process (log in again
    #: after a restart). Outside development it must be 32+ characters; when empty the staff pages are off.
    staff_session_secret: str = ""
    #: A staff session ends this many minutes after logging in.
    staff_session_minutes: int = Field(default=480, ge=5, le=24 * 60)
    #: Lock-out: this many failed logins in a row lock the username for `staff_lockout_minutes`.
    staff_lockout_failures: int = Field(default=5, ge=1, le=100)
    staff_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    #: Per-client throttle: this many failed logins from one address (IPv6: one /64) within the window
    #: refuse that client's logins until the window ends, whatever username is typed.
    staff_login_client_failures: int = Field(default=20, ge=1, le=1000)
    staff_login_client_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    #: Development only: `python -m bot.backend.staff_web.bootstrap` creates this beheerder when there is
    #: no staff account yet (the set-up generates the password into .env).
    staff_bootstrap_username: str = "beheerder"
    staff_bootstrap_password: str = ""

    #: Retention (`python -m bot.backend purge`, docs/privacy.md): conversation rows last seen, bookings
    #: whose spreekuur date was, and closed handovers and callback requests more than this many days ago.
    retention_conversation_days: int = Field(default=30, ge=1, le=3650)
    retention_booking_days: int = Field(default=30, ge=1, le=3650)
    retention_handover_days: int = Field(default=90, ge=1, le=3650)

    #: Abuse limits of the public channels (docs/security.md, "Abuse limits"): new conversations and new
    #: handovers per client address (hashed by the channel) per hour; 0 switches a limit off.
    limit_conversations_per_client_hour: int = Field(default=30, ge=0, le=100_000)
    limit_handovers_per_client_hour: int = Field(default=10, ge=0, le=100_000)
    #: Where those counts live: empty = this process's memory (one backend); `redis://host:port/db` when
    #: several backends run (`VOORDEUR_STORES=production` sets it from REDIS_*).
    limits_storage_url: str = ""

    #: The job queue of later work (reminders, check-ins; docs/keep-in-touch.md): empty = a SQLite file
    #: `jobs.db` in DATA_DIR (one worker); `redis://host:port/db` when several workers run
    #: (`VOORDEUR_STORES=production` sets it from REDIS_*).
    jobs_url: str = ""
    #: The queue's name (its Redis keys); tests give each queue its own.
    jobs_queue: str = Field(default="voordeur", pattern=r"^[a-z][a-z0-9-]{0,39}$")
    #: No message to a resident in these hours (local time, from-to across midnight) nor on Sundays.
    quiet_hours: str = Field(default="20:00-09:00", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
    #: A claimed message whose sending did not finish within this many minutes is claimed again (a worker
    #: that died mid-send); a message is given up after `message_max_attempts` tries.
    message_claim_minutes: int = Field(default=10, ge=1, le=24 * 60)
    message_max_attempts: int = Field(default=5, ge=1, le=50)

    @model_validator(mode="after")
    def _fill_defaults_and_refuse_weak_secrets(self) -> BackendSettings:
        if not self.data_dir.is_absolute():  # `DATA_DIR=var/data` means the project's folder, not the cwd's
            self.data_dir = PROJECT_ROOT / self.data_dir
        if not self.content_dir.is_absolute():  # the same rule as on the Rasa side (bot/content_facts.py)
            self.content_dir = PROJECT_ROOT / self.content_dir
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'backend.db'}"
        if not self.rasa_public_url:
            self.rasa_public_url = f"http://127.0.0.1:{os.environ.get('RASA_PORT') or 5005}"
        if not self.backend_public_url:
            self.backend_public_url = f"http://127.0.0.1:{self.backend_port}"
        self.backend_public_url = self.backend_public_url.rstrip("/")
        time.fromisoformat(self.reminder_time)  # fails early on an impossible time
        if not self.rasa_url:
            self.rasa_url = f"http://127.0.0.1:{os.environ.get('RASA_PORT') or 5005}"
        self.rasa_url = self.rasa_url.rstrip("/")
        if self.voordeur_env != "development" and 0 < len(self.staff_session_secret) < 32:
            raise ValueError("STAFF_SESSION_SECRET must have 32+ characters outside development")
        if self.voordeur_env != "development" and len(self.backend_service_token) < 24:
            raise ValueError("BACKEND_SERVICE_TOKEN must be set (24+ characters) outside development")
        if self.callback_urgent_working_days > self.callback_working_days:
            raise ValueError("CALLBACK_URGENT_WORKING_DAYS must not exceed CALLBACK_WORKING_DAYS")
        ZoneInfo(self.timezone)  # fails early on an unknown zone
        from bot.backend.services.office_hours import parse_office_hours  # no cycle: it needs no settings

        parse_office_hours(self.office_hours)  # fails early on unreadable office hours
        from bot.backend.services.quiet_hours import QuietHours

        QuietHours.parse(self.quiet_hours)  # fails early on an impossible time
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet(self) -> QuietHours:
        """The parsed `QUIET_HOURS` (checked when the settings are read)."""
        from bot.backend.services.quiet_hours import QuietHours

        return QuietHours.parse(self.quiet_hours)

    @property
    def development(self) -> bool:
        return self.voordeur_env == "development"


@lru_cache
def get_settings() -> BackendSettings:
    return BackendSettings()
