"""Staff accounts: create, check passwords (argon2id), and what a beheerder changes on the staff page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from bot.backend.models import StaffMunicipality, StaffRole, StaffUser
from bot.backend.services import audit, staff_sessions
from bot.backend.services.errors import Conflict, NotFound, invalid
from bot.backend.services.municipalities import resolve

PASSWORD_MIN = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{1,49}$")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("voordeur-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_staff_user(
    *,
    session: Session,
    username: str,
    display_name: str,
    password: str,
    role: StaffRole = StaffRole.STAFF,
    actor: str = "cli",
    municipalities: list[str] | None = None,
) -> StaffUser:
    """A new account for the `municipalities` named (slugs; left out: the default municipality)."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise invalid(
            "username", "Een gebruikersnaam heeft 2 tot 50 kleine letters, cijfers, punt of streepje."
        )
    if not display_name.strip() or len(display_name) > 100:
        raise invalid("display_name", "Vul een naam in van hoogstens 100 tekens.")
    if len(password) < PASSWORD_MIN or len(password) > 1024:
        raise invalid("password", f"Een wachtwoord heeft minstens {PASSWORD_MIN} tekens.")
    if session.scalar(select(func.count()).where(StaffUser.username == username)):
        raise Conflict("staff_exists", "Deze gebruikersnaam bestaat al.")
    named: list[str | None] = list(municipalities) if municipalities else [None]
    places = [resolve(session=session, slug=slug) for slug in named]
    check_scope_size(role, len(places))
    user = StaffUser(
        username=username, display_name=display_name.strip(), role=role, password_hash=hash_password(password)
    )
    user.municipalities = places
    session.add(user)
    session.flush()
    audit.record(session=session, actor=actor, action="staff.create", entity="staff_user",
                 entity_id=user.id, role=role.value,
                 municipalities=[place.slug for place in places])  # fmt: skip
    return user


def check_scope_size(role: StaffRole, count: int) -> None:
    """A medewerker works for one municipality; a beheerder for one or more (regional)."""
    if count < 1:
        raise invalid("municipalities", "Kies minstens een gemeente.")
    if role is StaffRole.STAFF and count > 1:
        raise invalid("municipalities", "Een medewerker werkt voor een gemeente. Kies er een.")


def set_staff_municipalities(
    *, session: Session, user_id: int, slugs: list[str], actor: str, allowed: frozenset[int] | None = None
) -> StaffUser:
    """Which municipalities a staff member works for; `allowed`: the ones the beheerder may hand out."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFound("staff_not_found", "Deze medewerker bestaat niet.")
    places = [resolve(session=session, slug=slug) for slug in dict.fromkeys(slugs)]
    if allowed is not None and any(place.id not in allowed for place in places):
        raise invalid("municipalities", "Je kunt alleen gemeenten kiezen waar je zelf voor werkt.")
    check_scope_size(user.role, len(places))
    old = sorted(place.slug for place in user.municipalities)
    new = sorted(place.slug for place in places)
    if old != new:
        user.municipalities = places
        audit.record(session=session, actor=actor, action="staff.municipalities", entity="staff_user",
                     entity_id=user.id, old=old, new=new)  # fmt: skip
        session.flush()
    return user


def verify_staff_password(*, session: Session, username: str, password: str) -> StaffUser | None:
    """The active user when the password matches, else None (same work either way)."""
    user = session.scalars(select(StaffUser).where(StaffUser.username == username.strip().lower())).first()
    stored = user.password_hash if user is not None and user.active else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(UTC)
    session.flush()
    return user


def _working_elsewhere(scope: frozenset[int]) -> Select[Any]:
    """The accounts that work for a municipality outside `scope`."""
    return select(StaffMunicipality.staff_user_id).where(StaffMunicipality.municipality_id.not_in(scope))


def list_staff_users(*, session: Session, scope: frozenset[int] | None = None) -> list[StaffUser]:
    """Every account; with `scope` (a beheerder's municipalities) only those working within it."""
    query = select(StaffUser).options(selectinload(StaffUser.municipalities))
    if scope is not None:
        query = query.where(StaffUser.id.not_in(_working_elsewhere(scope)))
    return list(session.scalars(query.order_by(StaffUser.active.desc(), StaffUser.username)))


def require_account_in_scope(*, session: Session, user_id: int, scope: frozenset[int]) -> None:
    """A beheerder changes only accounts that work within their municipalities; another one (also a
    regional account reaching further) is answered as if it did not exist."""
    elsewhere = session.scalar(
        select(func.count()).select_from(
            _working_elsewhere(scope).where(StaffMunicipality.staff_user_id == user_id).subquery()
        )
    )
    if elsewhere or session.get(StaffUser, user_id) is None:
        raise NotFound("staff_not_found", "Deze medewerker bestaat niet.")


def _other_user(session: Session, user_id: int, actor_id: int | None) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFound("staff_not_found", "Deze medewerker bestaat niet.")
    if actor_id is not None and user.id == actor_id:
        message = "Je kunt je eigen account niet uitzetten en je eigen rol niet wijzigen."
        raise Conflict("own_account", message)
    return user


def set_staff_active(
    *, session: Session, user_id: int, active: bool, actor: str, actor_id: int | None = None
) -> StaffUser:
    user = _other_user(session, user_id, actor_id)
    if user.active is not active:
        user.active = active
        if not active:
            staff_sessions.revoke_all(session=session, user_id=user.id)
        audit.record(session=session, actor=actor, action="staff.activate" if active else "staff.deactivate",
                     entity="staff_user", entity_id=user.id)  # fmt: skip
        session.flush()
    return user


def set_staff_role(
    *, session: Session, user_id: int, role: StaffRole, actor: str, actor_id: int | None = None
) -> StaffUser:
    user = _other_user(session, user_id, actor_id)
    if role is StaffRole.STAFF and len(user.municipalities) > 1:
        raise Conflict(
            "several_municipalities",
            "Een medewerker werkt voor een gemeente. Laat deze persoon eerst voor een gemeente werken.",
        )
    if user.role is not role:
        audit.record(session=session, actor=actor, action="staff.role", entity="staff_user",
                     entity_id=user.id, old=user.role.value, new=role.value)  # fmt: skip
        user.role = role
        session.flush()
    return user


def reset_staff_password(*, session: Session, user_id: int, password: str, actor: str) -> StaffUser:
    """A new password; the user's existing sessions end (their server-side records are revoked)."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFound("staff_not_found", "Deze medewerker bestaat niet.")
    if len(password) < PASSWORD_MIN or len(password) > 1024:
        raise invalid("password", f"Een wachtwoord heeft minstens {PASSWORD_MIN} tekens.")
    user.password_hash = hash_password(password)
    staff_sessions.revoke_all(session=session, user_id=user.id)
    audit.record(session=session, actor=actor, action="staff.password_reset", entity="staff_user",
                 entity_id=user.id)  # fmt: skip
    session.flush()
    return user
