"""FastAPI application factory of the case backend."""

from __future__ import annotations

from fastapi import FastAPI

from bot.backend.settings import BackendSettings, get_settings


def create_app(settings: BackendSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Voordeur case backend", version="0.1.0")

    @app.get("/health")
    def health() -> dict[str, str]:
        """Liveness probe for the start script, load balancers and tests."""
        return {"status": "ok"}

    return app
