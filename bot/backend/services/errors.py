"""The one error type services raise: a stable code for programs and a Dutch message for people."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refused request. `status` is the HTTP status the API answers with."""

    status: int = 400

    def __init__(self, code: str, message: str, *, status: int | None = None, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.details = details


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class InvalidInput(ServiceError):
    status = 422


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("invalid_input", message, field=field)
