"""The action server's start-up check; importing this module runs it.

rasa-sdk imports every module of this package when the action server starts (`rasa run actions
--actions actions`, scripts/start.sh), before it listens. So this import reads and checks the settings
(outside development: the secrets, and no demo values left in content/local.yml) and loads the
content once, which logs the dated facts that expired or expire soon. A SettingsError or ContentError
raised here stops the action server with its message. It also installs the masking of every log record
(bot/log_masking.py) first. No other module imports this one, so tests and
scripts that import `actions.*` do not run the check.
"""

from __future__ import annotations

import logging

from actions.content import content_store
from bot import log_masking
from bot.assistant.settings import RasaSideSettings, rasa_side_settings

logger = logging.getLogger(__name__)


def check_at_start() -> RasaSideSettings:
    """Refuse unsafe settings and demo values; load the content (and log its freshness)."""
    settings = rasa_side_settings()
    store = content_store(settings.content_dir)
    logger.info(
        "Content from %s: %d answers, %d plans, %d dated facts (form of address: %s)",
        settings.content_dir, len(store.answers), len(store.plans), len(store.facts), settings.address_form,
    )  # fmt: skip
    return settings


log_masking.install()  # nothing personal in any log line of the action server (issue 20)
check_at_start()
