"""What the OpenAPI spec says about errors: every `/api` answer other than success has this shape.

`responses(...)` builds the `responses=` of a route or router, so the spec lists each status a route can
really give (checked by schemathesis in tests/app/backend/test_openapi_schemathesis.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FieldError(BaseModel):
    field: str = Field(examples=["phone"])
    message: str = Field(examples=["Telefoonnummer is verplicht."])


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable code for programs", examples=["slot_full"])
    message: str = Field(description="Dutch text a bot can show to the resident")
    field: str | None = Field(default=None, description="The input field a service refused")
    fields: list[FieldError] | None = Field(default=None, description="Every refused field (422)")
    retry_after: int | None = Field(default=None, description="Seconds until the client may try again (429)")


class ErrorOut(BaseModel):
    error: ErrorDetail


DESCRIPTIONS = {
    400: "The body could not be read (not UTF-8, not parseable)",
    401: "No `Authorization: Bearer <BACKEND_SERVICE_TOKEN>`, or a wrong one",
    403: "A booking change without a valid ticket from `POST /api/bookings/lookup`",
    404: "No such record (or no such booking code, or a wrong second factor: the same answer)",
    409: "Refused by a rule: slot full, closed, in the past, booking already cancelled, ...",
    410: "Gone: a link code whose 15 minutes have passed",
    422: "Invalid input: `error.fields` names each field with a Dutch message",
    429: "Too many requests: failed booking lookups for this client or this code, or new handovers of one "
    "client (`Retry-After`); try again later",
    503: "The database cannot be reached; try again (`Retry-After`)",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorOut, "description": DESCRIPTIONS[status]} for status in statuses}


#: Every `/api` route: no or a wrong token, invalid input, database down.
API_ERRORS = responses(401, 422, 503)
#: Routes with a JSON body.
BODY_ERRORS = responses(400)
NOT_FOUND = responses(404)
CONFLICT = responses(409)
TICKET_REFUSED = responses(403)
TOO_MANY_LOOKUPS = responses(429)
TOO_MANY_REQUESTS = responses(429)
