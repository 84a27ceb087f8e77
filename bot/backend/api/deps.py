"""Dependencies: the request's database session (one transaction) and the service-token check."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from bot.backend.settings import BackendSettings

_bearer = HTTPBearer(auto_error=False, description="BACKEND_SERVICE_TOKEN")


def get_app_settings(request: Request) -> BackendSettings:
    return request.app.state.settings


def get_session_factory(request: Request) -> sessionmaker[Session]:
    """Routes open one unit of work with `with sessions.begin() as session:` (commit or roll back).

    The transaction is committed inside the route, in the route's own worker thread, not in a dependency's
    teardown: a teardown needs another worker thread, and under load (requests waiting for the slot's row
    lock fill the thread pool) the lock holder would never get one to commit.
    """
    return request.app.state.session_factory


def require_service_token(
    settings: Annotated[BackendSettings, Depends(get_app_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    expected = settings.backend_service_token.encode()
    given = (credentials.credentials if credentials is not None else "").encode()
    if not expected or not secrets.compare_digest(given, expected):
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Bearer"})


Sessions = Annotated[sessionmaker[Session], Depends(get_session_factory)]
SettingsDep = Annotated[BackendSettings, Depends(get_app_settings)]
