"""The WhatsApp message templates for messages outside the 24-hour customer service window.

WhatsApp lets a business send free-form messages only within 24 hours of the resident's last message.
Later (a staff reply the next day, the bot's message when a medewerker hands the conversation back) only
an approved template may go out. Which templates, in which language and with which parameters is
configuration: `whatsapp_templates.yml` in the content folder (`CONTENT_DIR`, default `content/`),
re-read when it changes; docs/whatsapp.md says how a municipality registers them with Meta.

Two kinds: `staff_reply` (a medewerker's message from the staff page) and `message` (anything else the
bot sends outside the window). Parameters are filled by name, in the order the template's body numbers
them ({{1}}, {{2}}, ...): `text` (the message on one line, shortened at a word to `parameter_length`)
and `staff_name` (the medewerker's name, or "het wijkteam").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.assistant.channels.whatsapp_text import template_parameter
from bot.content_facts import content_dir_from_env

logger = logging.getLogger(__name__)

FILE_NAME = "whatsapp_templates.yml"
KINDS = ("staff_reply", "message")
PARAMETERS = ("text", "staff_name")
DEFAULT_PARAMETER_LENGTH = 900
MAX_PARAMETER_LENGTH = 1000  # a template's body holds 1024 characters in all
DEFAULT_STAFF_NAME = "het wijkteam"
_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


class TemplateConfigError(ValueError):
    """The templates file is not as documented."""


@dataclass(frozen=True)
class Template:
    name: str
    language: str
    parameters: tuple[str, ...]
    parameter_length: int

    def message(self, text: str, staff_name: str | None) -> dict[str, Any]:
        """The Cloud API's message fields (without `to`) for this template, filled in."""
        values = {
            "text": template_parameter(text, self.parameter_length),
            "staff_name": template_parameter(staff_name or DEFAULT_STAFF_NAME, 60),
        }
        template: dict[str, Any] = {"name": self.name, "language": {"code": self.language}}
        if self.parameters:
            parameters = [{"type": "text", "text": values[name] or "-"} for name in self.parameters]
            template["components"] = [{"type": "body", "parameters": parameters}]
        return {"type": "template", "template": template}


def parse(data: Any) -> dict[str, Template]:
    """The templates of a parsed file, by kind; raises `TemplateConfigError` with the reason."""
    if not isinstance(data, dict):
        raise TemplateConfigError("expected a mapping with 'language' and 'templates'")
    language = str(data.get("language") or "nl")
    if not _LANGUAGE.match(language):
        raise TemplateConfigError(f"language {language!r} is not a code such as nl or en_US")
    length = data.get("parameter_length", DEFAULT_PARAMETER_LENGTH)
    if not isinstance(length, int) or not 20 <= length <= MAX_PARAMETER_LENGTH:
        raise TemplateConfigError(
            f"parameter_length must be a whole number from 20 to {MAX_PARAMETER_LENGTH}"
        )
    templates = data.get("templates") or {}
    if not isinstance(templates, dict):
        raise TemplateConfigError("'templates' must be a mapping of kind to template")
    found = {}
    for kind, spec in templates.items():
        if kind not in KINDS:
            raise TemplateConfigError(f"unknown kind {kind!r}; use {', '.join(KINDS)}")
        if not isinstance(spec, dict) or not _NAME.match(str(spec.get("name") or "")):
            raise TemplateConfigError(f"{kind}: 'name' must be the template's name (a-z, 0-9, _)")
        parameters = spec.get("parameters") or []
        if not isinstance(parameters, list) or any(p not in PARAMETERS for p in parameters):
            raise TemplateConfigError(f"{kind}: parameters must be a list of {', '.join(PARAMETERS)}")
        found[kind] = Template(
            name=str(spec["name"]),
            language=str(spec.get("language") or language),
            parameters=tuple(parameters),
            parameter_length=length,
        )
    return found


class Templates:
    """The templates file, read again when it changed; a broken file is logged and counts as empty."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._stamp: tuple[float, int] | None = None
        self._templates: dict[str, Template] = {}

    @property
    def path(self) -> Path:
        return self._path or content_dir_from_env() / FILE_NAME

    def for_kind(self, kind: str) -> Template | None:
        """The template for `staff_reply` or `message`; `message` stands in for a missing `staff_reply`."""
        templates = self._load()
        return templates.get(kind) or templates.get("message")

    def _load(self) -> dict[str, Template]:
        path = self.path
        try:
            stat = path.stat()
        except OSError:
            if self._stamp != (0.0, -1):
                logger.warning(
                    "No WhatsApp templates: %s not found; nothing can be sent outside the 24-hour window",
                    path,
                )
            self._stamp, self._templates = (0.0, -1), {}
            return {}
        stamp = (stat.st_mtime, stat.st_size)
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._templates = parse(yaml.safe_load(path.read_text(encoding="utf-8")))
            except (TemplateConfigError, yaml.YAMLError) as error:
                logger.error("WhatsApp templates in %s are not usable: %s", path.name, error)
                self._templates = {}
        return self._templates
