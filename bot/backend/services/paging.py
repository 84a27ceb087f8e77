"""One page of a staff list, with the true number of rows behind it (issue 21: no list stops silently)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

PAGE_SIZE = 50
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int  # rows of the whole query, not only this page
    page: int  # 1-based
    pages: int
    first: int  # 1-based position of the first item shown (0 when none)
    last: int


def page_number(text: str) -> int:
    """The `pagina` query parameter: a positive number, anything else is page 1."""
    return int(text) if text.isdigit() and len(text) < 7 else 1


def page_of(session: Session, query: Select[Any], page: int = 1, size: int = PAGE_SIZE) -> Page[Any]:
    """Page `page` of the ordered `query` (past the end: the last page), and the number of all its rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    items = list(session.scalars(query.limit(size).offset((page - 1) * size)))
    first = (page - 1) * size + 1 if items else 0
    return Page(items, total, page, pages, first, first + len(items) - 1 if items else 0)
