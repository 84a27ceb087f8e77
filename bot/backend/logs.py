"""The backend's logging: uvicorn's own configuration with the masking filter on every handler
(bot/log_masking.py) and a root handler, so the app's own warnings and errors go through it too.

Usage::

    uvicorn.run(app, log_config=uvicorn_log_config())   # bot/backend/__main__.py
"""

from __future__ import annotations

import copy
from typing import Any

from uvicorn.config import LOGGING_CONFIG

from bot import log_masking

__all__ = ["uvicorn_log_config"]


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's LOGGING_CONFIG with `MaskingFilter` on its handlers and the root logger on stderr."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"mask": {"()": log_masking.MaskingFilter}}
    for handler in config["handlers"].values():
        handler["filters"] = ["mask"]
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
