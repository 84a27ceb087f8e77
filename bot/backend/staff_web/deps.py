"""Dependencies of the staff pages: the session, the logged-in staff member, the role and the CSRF check."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.models import StaffRole
from bot.backend.services import staff_scope, staff_sessions
from bot.backend.staff_web.errors import (
    BAD_CSRF,
    CASES_FORBIDDEN,
    FORBIDDEN,
    NOT_CONFIGURED,
    NOT_LOGGED_IN,
    REVIEW_FORBIDDEN,
    LoginRequired,
)
from bot.backend.staff_web.session import StaffSession, load_session, session_secret

#: Where a redacteur starts (staff_web/routes_review.py).
REVIEW_PAGE = "/staff/redactie"


@dataclass(frozen=True)
class StaffIdentity:
    """The logged-in staff member, as the pages need it (no database object outlives its transaction)."""

    id: int
    username: str
    display_name: str
    role: StaffRole
    #: The municipalities (ids) whose cases this person sees and acts on (services/staff_scope.py).
    scope: frozenset[int] = frozenset()
    #: Their names by id, for the pages (a name per case, the choice of the dashboard).
    municipalities: tuple[tuple[int, str], ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role is StaffRole.ADMIN

    @property
    def is_editor(self) -> bool:
        """A redacteur: the review page only, no cases."""
        return self.role is StaffRole.EDITOR

    @property
    def reviews(self) -> bool:
        """May read the review page: a redacteur or a beheerder."""
        return self.role in (StaffRole.EDITOR, StaffRole.ADMIN)

    @property
    def municipality_names(self) -> dict[int, str]:
        return dict(self.municipalities)

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        return f"staff:{self.username}"


def staff_session(request: Request, settings: SettingsDep) -> StaffSession:
    secret = session_secret(settings)
    if secret is None:
        raise NOT_CONFIGURED
    session = load_session(request, settings, secret)
    request.state.staff_secret = secret
    request.state.staff_session = session
    return session


def current_staff(
    request: Request, sessions: Sessions, session: Annotated[StaffSession, Depends(staff_session)]
) -> StaffIdentity:
    """The active staff member of this session's server-side record; GET without one goes to the login
    page, others are refused. A record ends at logout, password reset, deactivation and expiry."""
    identity = None
    with sessions.begin() as db:
        user = staff_sessions.active_user(session=db, token=session.token)
        if user is not None:
            scope = staff_scope.scope_of(session=db, user_id=user.id)
            names = staff_scope.municipality_names(session=db, scope=scope)
            identity = StaffIdentity(user.id, user.username, user.display_name, user.role, scope,
                                     tuple(sorted(names.items(), key=lambda item: item[1])))  # fmt: skip
    if identity is None:
        if request.method in ("GET", "HEAD"):
            raise LoginRequired(request.url.path)
        raise NOT_LOGGED_IN
    request.state.staff_user = identity
    return identity


def case_staff(request: Request, user: Annotated[StaffIdentity, Depends(current_staff)]) -> StaffIdentity:
    """A medewerker or beheerder: the pages with cases. A redacteur reads no cases; their GET goes to the
    review page, anything else is refused."""
    if user.is_editor:
        if request.method in ("GET", "HEAD"):
            raise HTTPException(status_code=303, headers={"Location": REVIEW_PAGE})
        raise CASES_FORBIDDEN
    return user


def require_reviewer(user: Annotated[StaffIdentity, Depends(current_staff)]) -> StaffIdentity:
    if not user.reviews:
        raise REVIEW_FORBIDDEN
    return user


def require_admin(user: Annotated[StaffIdentity, Depends(current_staff)]) -> StaffIdentity:
    if not user.is_admin:
        raise FORBIDDEN
    return user


def csrf_protect(
    session: Annotated[StaffSession, Depends(staff_session)], csrf_token: Annotated[str, Form()] = ""
) -> None:
    """Every form carries the session's token; without it, or with another one: 403."""
    if not csrf_token or not secrets.compare_digest(csrf_token.encode(), session.csrf.encode()):
        raise BAD_CSRF


def posting_staff(
    user: Annotated[StaffIdentity, Depends(current_staff)], _csrf: Annotated[None, Depends(csrf_protect)]
) -> StaffIdentity:
    return user


def posting_reviewer(
    user: Annotated[StaffIdentity, Depends(require_reviewer)], _csrf: Annotated[None, Depends(csrf_protect)]
) -> StaffIdentity:
    return user


def posting_case_staff(
    user: Annotated[StaffIdentity, Depends(case_staff)], _csrf: Annotated[None, Depends(csrf_protect)]
) -> StaffIdentity:
    return user


def posting_admin(
    user: Annotated[StaffIdentity, Depends(require_admin)], _csrf: Annotated[None, Depends(csrf_protect)]
) -> StaffIdentity:
    return user


#: Anyone logged in (the home page, which sends each role to its own first page).
AnyStaff = Annotated[StaffIdentity, Depends(current_staff)]
#: The pages with cases: medewerkers and beheerders.
Staff = Annotated[StaffIdentity, Depends(case_staff)]
Admin = Annotated[StaffIdentity, Depends(require_admin)]
StaffPost = Annotated[StaffIdentity, Depends(posting_case_staff)]
AnyStaffPost = Annotated[StaffIdentity, Depends(posting_staff)]
#: The review page: redacteuren and beheerders.
Reviewer = Annotated[StaffIdentity, Depends(require_reviewer)]
ReviewerPost = Annotated[StaffIdentity, Depends(posting_reviewer)]
AdminPost = Annotated[StaffIdentity, Depends(posting_admin)]
