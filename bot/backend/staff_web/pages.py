"""Rendering staff pages: Jinja2 templates (autoescape on), the session cookie, security headers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bot.backend.channels import channel_label
from bot.backend.models import CaseStatus
from bot.backend.services.inbox import question_preview, waiting_label
from bot.backend.staff_web.errors import LoginRequired, StaffPageError
from bot.backend.staff_web.notices import NOTICES
from bot.backend.staff_web.session import write_session
from bot.shared.dutch_calendar import WEEKDAYS, full_date_label
from bot.shared.topics import TOPICS, topic_label

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def _local(request: Request, value: datetime | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(request.app.state.settings.tz).strftime(fmt)


def dutch_number(value: int) -> str:
    """1412 -> "1.412" (a Dutch reader takes "1,412" for a fraction)."""
    return f"{value:,}".replace(",", ".")


def status_label(value: CaseStatus | str) -> str:
    return CaseStatus(value).label


templates.env.filters["topic_label"] = lambda value: topic_label(value) if value else "geen onderwerp"
templates.env.filters["status_label"] = status_label
templates.env.filters["channel_label"] = channel_label
templates.env.filters["question_preview"] = question_preview
templates.env.filters["waiting"] = waiting_label
templates.env.filters["dutch_date"] = full_date_label
templates.env.filters["number"] = dutch_number
templates.env.filters["weekday"] = lambda index: WEEKDAYS[index]
templates.env.globals["TOPICS"] = TOPICS
templates.env.globals["STATUSES"] = list(CaseStatus)


def finish(request: Request, response: Response) -> Response:
    """Write the session cookie when the session is new or changed, and add the security headers."""
    session = getattr(request.state, "staff_session", None)
    secret = getattr(request.state, "staff_secret", None)
    if session is not None and secret is not None and session.changed:
        write_session(response, session, request.app.state.settings, secret)
    response.headers.update(SECURITY_HEADERS)
    return response


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    session = getattr(request.state, "staff_session", None)
    notice = NOTICES.get(request.query_params.get("melding", ""))
    values = {
        "user": getattr(request.state, "staff_user", None),
        "csrf_token": session.csrf if session is not None else "",
        "notice": notice,
        "local": lambda value, fmt="%d-%m-%Y %H:%M": _local(request, value, fmt),
        **context,
    }
    response = templates.TemplateResponse(request, name, values, status_code=status)
    return finish(request, response)


def redirect(request: Request, url: str, notice: str | None = None) -> Response:
    """After a POST: 303 to a page (Post/Redirect/Get), with a known notice code."""
    if notice is not None:
        url += ("&" if "?" in url else "?") + f"melding={quote(notice)}"
    return finish(request, RedirectResponse(url, status_code=303))


def error_page(request: Request, error: StaffPageError) -> Response:
    return render(request, "error.html", status=error.status, title=error.title, message=error.message)


def login_redirect(request: Request, error: LoginRequired) -> Response:
    target = "/staff/login"
    if error.next_path.startswith("/staff/") and error.next_path != "/staff/login":
        target += f"?volgende={quote(error.next_path)}"
    return finish(request, RedirectResponse(target, status_code=303))
