"""The action server registers exactly the custom actions the domain uses."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]


def test_every_custom_action_in_the_domain_is_served_and_nothing_else() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = Domain.load(str(ROOT / "domain"))
    custom = {name for name in domain.user_actions if not name.startswith("utter_")}
    assert set(executor.actions) == custom
