"""One page of a staff list, with the true number of rows behind it (issue 21: no list stops silently)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, ColumnElement, Select, func, inspect, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

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

    A query for one mapped class is paged in two steps (a "deferred join"): the database orders only the
    primary keys of the matching rows and skips to the page, then loads the page's 50 rows. Ordering
    whole rows, long summaries included, to reach page 1,000 spilled the sort to disk at 100,000
    handovers (docs/staff-volume-benchmark.md).
    """
    counted = query.order_by(None) if count_query is None else count_query
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    offset = (page - 1) * size
    key = _primary_key(query)
    if key is None:
        items = list(session.scalars(query.limit(size).offset(offset)))
    else:
        ids = list(
            session.scalars(
                query.with_only_columns(key, maintain_column_froms=True).limit(size).offset(offset)
            )
        )
        found: Iterable[Any] = (
            session.scalars(query.order_by(None).where(key.in_(ids))).unique() if ids else []
        )
        by_key = {getattr(item, key.key): item for item in found}
        items = [by_key[number] for number in ids if number in by_key]
    first = offset + 1 if items else 0
    return Page(items, total, page, pages, first, first + len(items) - 1 if items else 0)


def _primary_key(query: Select[Any]) -> Column[Any] | None:
    """The primary key column when `query` selects exactly one mapped class with a one-column key."""
    described = query.column_descriptions
    if len(described) != 1 or described[0].get("entity") is None:
        return None
    entity = described[0]["entity"]
    if described[0].get("expr") is not entity:
        return None  # a column or an aliased expression, not the whole row
    keys = inspect(entity).primary_key
    return keys[0] if len(keys) == 1 else None


def clean_search(text: str) -> str | None:
    """A search as typed, with runs of white space made one space and cut at `SEARCH_MAX`; None if empty."""
    return " ".join(text.split())[:SEARCH_MAX] or None


def contains_any(columns: Iterable[QueryableAttribute[Any]], text: str) -> ColumnElement[bool]:
    """Any of `columns` contains `text`, case-insensitively; `%` and `_` are plain characters."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
