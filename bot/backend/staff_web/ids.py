"""Ids in staff page paths: a bad one is a Dutch 404 page, not the API's JSON error."""

from __future__ import annotations

from bot.backend.staff_web.errors import StaffPageError

MAX_ID = 2**31 - 1


def parse_id(value: str, what: str = "Deze pagina") -> int:
    if value.isdigit() and 1 <= int(value) <= MAX_ID:
        return int(value)
    raise not_found(what)


def not_found(what: str = "Deze pagina") -> StaffPageError:
    return StaffPageError(404, "Niet gevonden", f"{what} bestaat niet (meer).")
