"""`/api/municipalities`: the municipalities this installation serves, and which one a place or postcode
belongs to (the bot asks a resident once; issue 23)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from bot.backend.api.deps import Sessions, require_service_token
from bot.backend.api.openapi import API_ERRORS, NOT_FOUND
from bot.backend.api.schemas import MunicipalityOut
from bot.backend.services import municipalities

router = APIRouter(prefix="/api", dependencies=[Depends(require_service_token)], responses=API_ERRORS)


@router.get("/municipalities", tags=["municipalities"])
def list_municipalities(sessions: Sessions) -> list[MunicipalityOut]:
    """Every municipality, sorted by name."""
    with sessions.begin() as session:
        return [MunicipalityOut.of(item) for item in municipalities.list_municipalities(session=session)]


@router.get("/municipalities/lookup", tags=["municipalities"], responses=NOT_FOUND)
def lookup_municipality(
    sessions: Sessions,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=municipalities.QUERY_MAX,
            description="A place name (any case, accents optional) or a postcode: 1234 or 1234 AB",
        ),
    ],  # fmt: skip
) -> MunicipalityOut:
    """The municipality of a place name or postcode; 404 `municipality_not_found` when none matches."""
    with sessions.begin() as session:
        return MunicipalityOut.of(municipalities.lookup(session=session, query=q))
