"""Every error as `{"error": {"code": ..., "message": <Dutch text a bot can show>}}`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from bot.backend.services.errors import ServiceError

logger = logging.getLogger(__name__)

FIELD_LABELS = {
    "first_name": "voornaam",
    "phone": "telefoonnummer",
    "email": "e-mailadres",
    "question": "vraag",
    "slot_id": "tijdstip",
    "topic": "onderwerp",
    "location_id": "locatie",
    "wijk": "wijk",
    "date_from": "begindatum",
    "date_to": "einddatum",
    "limit": "aantal",
    "preferred_part_of_day": "dagdeel",
    "urgent_reason": "reden van spoed",
    "threat_date": "datum uit de brief",
    "conversation_id": "gesprek-id",
    "channel": "kanaal",
    "reason": "reden",
    "summary": "samenvatting",
    "contact_request": "contactverzoek",
    "status": "status",
    "assignee_id": "medewerker",
    "note": "notitie",
    "code": "afspraakcode",
    "verification": "controlegegevens",
    "client": "gesprek",
    "ticket": "controlebewijs",
    "handover_id": "overdracht",
    "callback_id": "terugbelverzoek",
    "municipality": "gemeente",
    "q": "plaats of postcode",
}

STATUS_CODES = {
    400: ("bad_request", "Dit verzoek kon niet worden gelezen. Stuur geldige JSON."),
    401: ("unauthorized", "Geen toegang: de service-token ontbreekt of klopt niet."),
    403: ("forbidden", "Geen toegang."),
    404: ("not_found", "Dit adres bestaat niet."),
    405: ("method_not_allowed", "Deze methode is hier niet toegestaan."),
    413: ("too_large", "Dit verzoek is te groot."),
    415: ("unsupported_media_type", "Stuur JSON."),
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _dutch_reason(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is verplicht"
    if kind in ("string_too_long", "too_long"):
        return f"is te lang (hoogstens {ctx.get('max_length', '?')} tekens)"
    if kind in ("string_too_short", "too_short"):
        return "is te kort of leeg"
    if kind.startswith("int_") or kind == "int_type":
        return "moet een heel getal zijn"
    if kind in ("greater_than_equal", "greater_than"):
        return f"moet minstens {ctx.get('ge', ctx.get('gt', '?'))} zijn"
    if kind in ("less_than_equal", "less_than"):
        return f"mag hoogstens {ctx.get('le', ctx.get('lt', '?'))} zijn"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "moet een datum zijn (JJJJ-MM-DD)"
    if kind.startswith("bool"):
        return "moet true of false zijn"
    if kind in ("string_type", "str_type"):
        return "moet tekst zijn"
    if kind in ("enum", "literal_error"):
        expected = ctx.get("expected")
        return f"heeft geen geldige waarde (kies uit {expected})" if expected else "heeft geen geldige waarde"
    if kind == "extra_forbidden":
        return "is onbekend"
    if kind == "string_pattern_mismatch":
        return "heeft een ongeldige vorm"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "moet een JSON-object zijn"
    if kind == "value_error":
        return str(ctx.get("error", "is ongeldig"))
    return "is ongeldig"


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    if any(error.get("type") == "json_invalid" for error in errors):
        return error_body("invalid_json", "Dit verzoek is geen geldige JSON.")
    fields = []
    for error in errors:
        name = _field_name(tuple(error.get("loc", ())))
        reason = _dutch_reason(error)
        if name == "body" and error.get("type") == "value_error":
            fields.append({"field": name, "message": f"{reason}."})
            continue
        label = FIELD_LABELS.get(name.split(".")[-1], name)
        fields.append({"field": name, "message": f"{label[0].upper()}{label[1:]} {reason}."})
    message = " ".join(item["message"] for item in fields[:3]) or "Controleer je invoer."
    return error_body("invalid_input", message, fields=fields)


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method some route on this path answers (Starlette's 405 names only the first route's)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    return ", ".join(allowed)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        extra = {key: exc.details[key] for key in ("field", "retry_after") if key in exc.details}
        headers = {"Retry-After": str(exc.details["retry_after"])} if "retry_after" in exc.details else None
        body = error_body(exc.code, exc.message, **extra)
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_error_body(list(exc.errors())), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = STATUS_CODES.get(exc.status_code, ("error", "Dit verzoek kan niet worden verwerkt."))
        if isinstance(exc.detail, dict) and "code" in exc.detail:
            code, message = exc.detail["code"], exc.detail["message"]
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=headers or None)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_unreachable(_request: Request, exc: Exception) -> JSONResponse:
        # The connection is invalidated; the pool (pool_pre_ping) reconnects on the next request.
        logger.error("database unreachable: %s", type(exc).__name__)
        return JSONResponse(
            error_body(
                "database_unavailable",
                "Het systeem van het wijkteam is even niet bereikbaar. "
                "Probeer het over een paar minuten opnieuw.",
            ),
            status_code=503,
            headers={"Retry-After": "30"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unexpected error", exc_info=exc)
        return JSONResponse(
            error_body(
                "internal", "Er ging iets mis in het systeem van het wijkteam. Probeer het later nog eens."
            ),
            status_code=500,
        )
