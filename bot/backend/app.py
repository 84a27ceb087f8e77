"""FastAPI application factory of the case backend."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from bot.backend.api.calendar import router as calendar_router
from bot.backend.api.checkins import router as checkins_router
from bot.backend.api.conversations import router as conversations_router
from bot.backend.api.errors import install_error_handlers
from bot.backend.api.feedback import router as feedback_router
from bot.backend.api.limits import router as limits_router
from bot.backend.api.links import router as links_router
from bot.backend.api.municipalities import router as municipalities_router
from bot.backend.api.office_hours import router as office_hours_router
from bot.backend.api.routes import router as api_router
from bot.backend.db import session_factory_for
from bot.backend.settings import BackendSettings, get_settings
from bot.backend.staff_web import install_staff_web
from bot.backend.widget.routes import router as widget_router


def create_app(
    settings: BackendSettings | None = None, *, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """Build the app; the database engine is made on first use from `settings.database_url`."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Voordeur case backend",
        version="0.1.0",
        description="Locations, spreekuur slots, bookings, callbacks and handovers of the sociaal wijkteam. "
        "Every `/api` route needs `Authorization: Bearer <BACKEND_SERVICE_TOKEN>`.",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory or session_factory_for(settings)
    install_error_handlers(app)
    app.include_router(api_router)
    app.include_router(widget_router)
    app.include_router(office_hours_router)
    app.include_router(conversations_router)
    app.include_router(limits_router)
    app.include_router(municipalities_router)
    app.include_router(feedback_router)
    app.include_router(links_router)
    app.include_router(calendar_router)
    app.include_router(checkins_router)
    install_staff_web(app)

    @app.get("/health")
    def health() -> dict[str, str]:
        """Liveness probe for the start script, load balancers and tests."""
        return {"status": "ok"}

    return app
