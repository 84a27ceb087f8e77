"""Dependencies: the request's database session (one transaction) and the service-token check."""

from __future__ import annotations

import logging
import secrets
import threading
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from bot.backend.services.abuse_limits import AbuseLimits
from bot.backend.settings import BackendSettings

logger = logging.getLogger(__name__)
_limits_lock = threading.Lock()

_bearer = HTTPBearer(auto_error=False, description="BACKEND_SERVICE_TOKEN")


def get_app_settings(request: Request) -> BackendSettings:
    settings: BackendSettings = request.app.state.settings
    return settings


def get_session_factory(request: Request) -> sessionmaker[Session]:
    """Routes open one unit of work with `with sessions.begin() as session:` (commit or roll back).

    The transaction is committed inside the route, in the route's own worker thread, not in a dependency's
    teardown: a teardown needs another worker thread, and under load (requests waiting for the slot's row
    lock fill the thread pool) the lock holder would never get one to commit.
    """
    sessions: sessionmaker[Session] = request.app.state.session_factory
    return sessions


def require_service_token(
    settings: Annotated[BackendSettings, Depends(get_app_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    expected = settings.backend_service_token.encode()
    given = (credentials.credentials if credentials is not None else "").encode()
    if not expected or not secrets.compare_digest(given, expected):
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Bearer"})


def get_abuse_limits(request: Request) -> AbuseLimits:
    """The app's per-client limits, made at first use from its settings (docs/security.md)."""
    state = request.app.state
    limits = getattr(state, "abuse_limits", None)
    if limits is None:
        with _limits_lock:
            limits = getattr(state, "abuse_limits", None)
            if limits is None:
                settings: BackendSettings = state.settings
                limits = AbuseLimits(
                    settings.limits_storage_url,
                    conversations_per_hour=settings.limit_conversations_per_client_hour,
                    handovers_per_hour=settings.limit_handovers_per_client_hour,
                )
                logger.info("Abuse limits counted in %s", limits.kind)
                state.abuse_limits = limits
    return limits


Sessions = Annotated[sessionmaker[Session], Depends(get_session_factory)]
SettingsDep = Annotated[BackendSettings, Depends(get_app_settings)]
AbuseLimitsDep = Annotated[AbuseLimits, Depends(get_abuse_limits)]
