"""Check each JSON schema once, not on every message.

Rasa 3.6 validates every action server response with `jsonschema.validate(result, schema)` (and
the events posted to its HTTP API and callback NLG responses the same way). `jsonschema.validate`
first validates the *schema* against its meta-schema, on every call; for Rasa's large events schema
that check was about 40% of the Rasa server's time per resident message (py-spy profile of the
load benchmark, docs/load-benchmark.md). The schemas are constants, so we check each distinct
schema once and keep its validator. Instances are validated exactly as before: the same validator
class, and the same error (`best_match`) when the instance is invalid.

Put in place of `jsonschema.validate` by bot/assistant/channels/rasa_hooks.py when the Rasa server starts.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from jsonschema import exceptions, validators

_original_validate = jsonschema.validate
_checked: dict[str, Any] = {}


def _fingerprint(schema: Any) -> str:
    """A key for a schema's content (Rasa builds its schema dicts anew on each call)."""
    return json.dumps(schema, sort_keys=True, default=repr)


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """`jsonschema.validate` with the meta-schema check done once per distinct schema."""
    if args or kwargs:  # options we do not cache on: the library's own function
        _original_validate(instance, schema, cls, *args, **kwargs)
        return
    key = f"{cls!r}:{_fingerprint(schema)}"
    validator = _checked.get(key)
    if validator is None:
        validator_class = cls or validators.validator_for(schema)
        validator_class.check_schema(schema)  # raises SchemaError for a bad schema, as before
        validator = _checked[key] = validator_class(schema)
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error
