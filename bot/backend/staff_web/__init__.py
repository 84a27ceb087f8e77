"""The staff web pages at `/staff`: server-rendered (FastAPI + Jinja2), Dutch, behind a login.

`install_staff_web(app)` mounts the pages, their stylesheet and their error pages. See docs/staff.md.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, Response

from bot.backend.staff_web import (
    routes_admin,
    routes_auth,
    routes_dashboard,
    routes_inbox,
    routes_lists,
    routes_review,
    routes_today,
)
from bot.backend.staff_web.errors import LoginRequired, StaffPageError
from bot.backend.staff_web.pages import error_page, login_redirect

STATIC_DIR = Path(__file__).resolve().parent / "static"
_static = APIRouter()


#: The staff pages' only static files; every page works without the script (it adds live updates).
STATIC_FILES = {"staff.css": "text/css; charset=utf-8", "staff.js": "text/javascript; charset=utf-8"}


@_static.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    path = STATIC_DIR / name
    if name not in STATIC_FILES or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, media_type=STATIC_FILES[name], headers={"Cache-Control": "no-cache"})


def build_router() -> APIRouter:
    router = APIRouter(prefix="/staff", tags=["staff"])
    for module in (
        routes_auth,
        routes_inbox,
        routes_today,
        routes_dashboard,
        routes_admin,
        routes_lists,
        routes_review,
    ):
        router.include_router(module.router)
    router.include_router(_static)
    return router


def install_staff_web(app: FastAPI) -> None:
    app.include_router(build_router())

    @app.exception_handler(StaffPageError)
    async def _page_error(request: Request, exc: StaffPageError) -> Response:
        return error_page(request, exc)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        return login_redirect(request, exc)
