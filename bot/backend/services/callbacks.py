"""Callback requests: a wijkteam member phones the resident back before the due date."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import CallbackRequest, CaseStatus, PartOfDay, UrgentReason
from bot.backend.services import audit
from bot.backend.services.clock import local_today
from bot.backend.services.errors import NotFound, invalid
from bot.backend.services.handovers import checked_conversation_id
from bot.backend.services.municipalities import resolve
from bot.backend.services.paging import PAGE_SIZE, Page, page_of
from bot.backend.services.workdays import add_working_days
from bot.backend.settings import BackendSettings, get_settings
from bot.backend.validation import InvalidPhoneNumber, clean_first_name, clean_text, normalise_phone
from bot.shared.fields import QUESTION_MAX
from bot.shared.topics import TOPICS


def callback_due_date(
    *,
    session: Session,
    today: date,
    urgent: bool,
    threat_date: date | None = None,
    settings: BackendSettings | None = None,
) -> date:
    """N working days from today; fewer (at most 3, the Wgs term) in a threatening situation.

    When the eviction or cut-off date itself falls on or before that day, the call is due on the first
    working day from today (today, if today is a working day).
    """
    settings = settings or get_settings()
    days = settings.callback_urgent_working_days if urgent else settings.callback_working_days
    due = add_working_days(session=session, start=today, days=days)
    if threat_date is not None and threat_date <= due:
        due = add_working_days(session=session, start=today, days=0)
    return due


def create_callback(
    *,
    session: Session,
    topic: str,
    first_name: str,
    phone: str,
    preferred_part_of_day: PartOfDay | str | None = None,
    question: str | None = None,
    urgent_reason: UrgentReason | str | None = None,
    threat_date: date | None = None,
    conversation_id: str | None = None,
    municipality: str | None = None,
    actor: str = "api",
    settings: BackendSettings | None = None,
    tz: ZoneInfo | None = None,
) -> CallbackRequest:
    """Record a callback request with its due date, or raise a ServiceError (nothing written)."""
    settings = settings or get_settings()
    checked_conversation_id(conversation_id)
    place = resolve(session=session, slug=municipality, default=settings.default_municipality)
    if topic not in TOPICS:
        raise invalid("topic", f"Onbekend onderwerp. Kies uit: {', '.join(TOPICS)}.")
    try:
        name = clean_first_name(first_name)
    except ValueError as error:
        raise invalid("first_name", str(error)) from None
    try:
        clean_phone = normalise_phone(phone)
    except InvalidPhoneNumber as error:
        raise invalid("phone", str(error)) from None
    try:
        part = PartOfDay(preferred_part_of_day) if preferred_part_of_day else None
    except ValueError:
        raise invalid("preferred_part_of_day", "Kies ochtend, middag of avond.") from None
    try:
        reason = UrgentReason(urgent_reason) if urgent_reason else None
    except ValueError:
        raise invalid("urgent_reason", "Kies ontruiming, afsluiting of zorgverzekering.") from None
    try:
        text = clean_text(question, max_length=QUESTION_MAX, label="je vraag")
    except ValueError as error:
        raise invalid("question", str(error)) from None
    today = local_today(tz or settings.tz)
    if threat_date is not None and not (
        today - timedelta(days=366) <= threat_date <= today + timedelta(days=730)
    ):
        raise invalid("threat_date", "Deze datum klopt niet. Geef de datum uit de brief.")
    urgent = reason is not None or threat_date is not None
    due = callback_due_date(
        session=session, today=today, urgent=urgent, threat_date=threat_date, settings=settings
    )
    callback = CallbackRequest(
        topic=topic,
        first_name=name,
        phone=clean_phone,
        preferred_part_of_day=part,
        question=text,
        urgent=urgent,
        urgent_reason=reason,
        threat_date=threat_date,
        due_date=due,
        status=CaseStatus.OPEN,
        conversation_id=conversation_id,
        municipality_id=place.id,
    )
    session.add(callback)
    session.flush()
    audit.record(session=session, actor=actor, action="callback.create", entity="callback",
                 entity_id=callback.id, urgent=urgent)  # fmt: skip
    return callback


def get_callback(*, session: Session, callback_id: int) -> CallbackRequest:
    callback = session.get(CallbackRequest, callback_id)
    if callback is None:
        raise NotFound("callback_not_found", "Dit terugbelverzoek bestaat niet.")
    return callback


def list_callbacks(
    *, session: Session, status: CaseStatus | None = None, urgent: bool | None = None, limit: int = 100
) -> list[CallbackRequest]:
    """Most pressing first: urgent, then by due date."""
    query = select(CallbackRequest)
    if status is not None:
        query = query.where(CallbackRequest.status == status)
    if urgent is not None:
        query = query.where(CallbackRequest.urgent.is_(urgent))
    query = query.order_by(CallbackRequest.urgent.desc(), CallbackRequest.due_date, CallbackRequest.id)
    return list(session.scalars(query.limit(limit)))


def set_callback_status(
    *, session: Session, callback_id: int, status: CaseStatus, actor: str = "api"
) -> CallbackRequest:
    callback = get_callback(session=session, callback_id=callback_id)
    if callback.status is not status:
        audit.record(session=session, actor=actor, action="callback.status", entity="callback",
                     entity_id=callback.id, old=callback.status.value, new=status.value)  # fmt: skip
        callback.status = status
        session.flush()
    return callback


def callback_queue(
    *, session: Session, page: int = 1, size: int = PAGE_SIZE, scope: frozenset[int] | None = None
) -> Page[CallbackRequest]:
    """Callbacks still to make (open or in progress): earliest due date first, urgent first on a day;
    one page of them, with the number of all; only of the municipalities in `scope` (None: all)."""
    query = (
        select(CallbackRequest)
        .where(CallbackRequest.status != CaseStatus.DONE)
        .order_by(CallbackRequest.due_date, CallbackRequest.urgent.desc(), CallbackRequest.id)
    )
    if scope is not None:
        query = query.where(CallbackRequest.municipality_id.in_(scope))
    return page_of(session, query, page, size)
