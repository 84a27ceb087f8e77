"""Look up Rasa event classes by type name once, not on every event.

Rasa 3.6 turns every stored event back into an object through `Event.resolve_by_type`, which walks all
subclasses of `Event` (and checks each for being abstract) on every call: about 5% of the Rasa
server's time per message in the py-spy profile of the load benchmark (docs/load-benchmark.md), since
each message loads the whole conversation session. The answer for a type name never changes once
found, so we remember it. Unknown names still go to Rasa's function (its default or its error).

Put in place of `Event.resolve_by_type` by bot/assistant/channels/rasa_hooks.py when the Rasa server starts.
"""

from __future__ import annotations

from rasa.shared.core.events import Event

_original_resolve_by_type = Event.resolve_by_type
_known: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """`Event.resolve_by_type`, remembering each class it finds for a type name."""
    known = _known.get(type_name)
    if known is not None:
        return known
    found = _original_resolve_by_type(type_name, default)
    if found is not None and found.type_name == type_name:
        _known[type_name] = found
    return found
