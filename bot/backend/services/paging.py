"""One page of a staff list, with the true number of rows behind it (issue 21: no list stops silently)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

PAGE_SIZE = 50
SEARCH_MAX = 100
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


def page_of(
    session: Session,
    query: Select[Any],
    page: int = 1,
    size: int = PAGE_SIZE,
    *,
    count_query: Select[Any] | None = None,
) -> Page[Any]:
    """Page `page` of the ordered `query` (past the end: the last page), and the number of all its rows.

    `count_query` counts the same rows more cheaply when `query` joins tables only for display or order
    (a row count over inner joins makes the database do the joins).
    """
    counted = query.order_by(None) if count_query is None else count_query
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    items = list(session.scalars(query.limit(size).offset((page - 1) * size)))
    first = (page - 1) * size + 1 if items else 0
    return Page(items, total, page, pages, first, first + len(items) - 1 if items else 0)


def clean_search(text: str) -> str | None:
    """A search as typed, with runs of white space made one space and cut at `SEARCH_MAX`; None if empty."""
    return " ".join(text.split())[:SEARCH_MAX] or None


def contains_any(columns: Iterable[ColumnElement[Any]], text: str) -> ColumnElement[bool]:
    """Any of `columns` contains `text`, case-insensitively; `%` and `_` are plain characters."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
