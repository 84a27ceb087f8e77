"""The queue's tasks: a dispatch every minute (on each worker; claiming makes it safe) and one delivery
per message. Both are thin: the work is in `dispatch_due` and jobs/delivery.py."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from huey import crontab

from bot.backend.db import session_factory_for
from bot.backend.jobs import delivery
from bot.backend.jobs.queue import huey
from bot.backend.services import scheduled_messages
from bot.backend.settings import BackendSettings, get_settings

log = logging.getLogger(__name__)


def claim_due_messages(settings: BackendSettings, now: datetime) -> list[int]:
    """Claim what is due at `now`; each id is claimed by one caller only."""
    with session_factory_for(settings).begin() as session:
        return scheduled_messages.claim_due(
            session,
            now,
            claim_minutes=settings.message_claim_minutes,
            max_attempts=settings.message_max_attempts,
        )


def deliver_now(settings: BackendSettings, message_id: int, now: datetime) -> delivery.Outcome:
    """Deliver one claimed message: checked in one transaction, sent through Rasa with no transaction
    open (its action calls this backend back), recorded in another."""
    sessions = session_factory_for(settings)
    with sessions.begin() as session:
        step = delivery.prepare(session, message_id, now, settings)
    if isinstance(step, delivery.Outcome):
        return step
    error = delivery.trigger(step, settings, now)
    with sessions.begin() as session:
        return delivery.finish(session, message_id, now, settings, error)


@huey.task(retries=0)
def deliver_message(message_id: int, dispatched_at: str) -> str:
    """Deliver one claimed message as at the moment it was dispatched (the clock a test moved)."""
    outcome = deliver_now(get_settings(), message_id, datetime.fromisoformat(dispatched_at))
    log.info("scheduled message %s: %s %s", message_id, outcome.status.value, outcome.reason)
    return outcome.status.value


def dispatch_due(settings: BackendSettings, now: datetime) -> list[int]:
    """Claim the messages due at `now` and put one delivery job per message on the queue."""
    claimed = claim_due_messages(settings, now)
    for message_id in claimed:
        deliver_message(message_id, now.isoformat())
    return claimed


@huey.periodic_task(crontab(minute="*"))
def dispatch_every_minute() -> int:
    return len(dispatch_due(get_settings(), datetime.now(UTC)))
