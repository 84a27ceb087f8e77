"""The monkey patches of the Rasa server process: all of them, in this one module.

Each one swaps a function that Rasa 3.6 calls on every message for a faster one with the same result
(measured in docs/load-benchmark.md). Each is a patch only because Rasa 3.6 has no hook for it: the
comment at each patch says where Rasa calls the function and why nothing can be configured instead.
The replacements live, with their tests, in bot/assistant/schema_validation.py, bot/assistant/event_types.py
and bot/assistant/action_requests.py; they change nothing until `install()` puts them in place.

The message pipeline (bot/assistant/channels/message_pipeline.py) calls `install()` when the Rasa server
starts. Masking the log records (bot/log_masking.py) is no patch: it uses logging's own hooks (handler
filters, the record factory, `sys.excepthook`).
"""

from __future__ import annotations

import jsonschema
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig

from bot.assistant import action_requests, event_types, schema_validation


def install() -> None:
    """Put the three replacements in place (again is harmless)."""
    # Every custom action's answer is checked with `jsonschema.validate`, which first checks Rasa's large
    # events schema against the meta-schema on every call. Rasa imports the function from jsonschema
    # inside `RemoteAction._validate_action_result` (rasa/core/actions/action.py) at each call; remote
    # actions are built by `action_for_name_or_text`, which takes no action class, and no setting
    # chooses the validator. So the module attribute is the only place to change it.
    jsonschema.validate = schema_validation.validate  # type: ignore[assignment]

    # Every stored event is turned back into an object through the static method
    # `Event.resolve_by_type` (rasa/shared/core/events.py, `Event.from_parameters`), which walks all
    # subclasses of Event on each call. The tracker stores, the HTTP API and the action results all go
    # through `Event.from_parameters`; Rasa has no registry of event classes to fill instead.
    Event.resolve_by_type = staticmethod(event_types.resolve_by_type)  # type: ignore[method-assign]

    # Each call to the action server opens `EndpointConfig.session()` (rasa/utils/endpoints.py), an
    # aiohttp session that writes the JSON body with the standard library. endpoints.yml cannot name an
    # endpoint class (`read_endpoint_config` always builds an `EndpointConfig`) and
    # `EndpointConfig.request` passes no JSON writer, so the method is replaced.
    EndpointConfig.session = action_requests.session  # type: ignore[method-assign]
