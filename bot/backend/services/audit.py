"""Append-only audit log, written in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.backend.models import AuditEntry


def record(
    *, session: Session, actor: str, action: str, entity: str, entity_id: object = None, **details: Any
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor[:100],
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        details={key: value for key, value in details.items() if value is not None},
    )
    session.add(entry)
    return entry
