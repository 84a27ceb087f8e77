"""The dashboard's panel "Feiten die verlopen": dated facts of content/ that expired or expire soon.

The backend reads content/facts.yml and local.yml itself (bot/content_facts.py, shared with the Rasa
side); it never imports the actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from bot.content_facts import WARN_DAYS, ContentFacts, ContentFileError, Expiring, load_content_facts

#: The files `load_content_facts` reads.
CONTENT_FILES = ("facts.yml", "local.yml")

# The first word of `source_url` is linked when it looks like a web address ("www.rijksoverheid.nl/...").
_WEB_ADDRESS = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class FactRow:
    item: Expiring
    status: str
    href: str | None


@dataclass(frozen=True)
class FreshnessPanel:
    rows: list[FactRow] = field(default_factory=list)
    warn_days: int = WARN_DAYS
    error: str | None = None


def status_label(item: Expiring) -> str:
    """Dutch status for staff: "verlopen", "laatste dag vandaag", "nog 1 dag", "nog 12 dagen"."""
    if item.expired:
        return "verlopen"
    if item.days_left == 0:
        return "laatste dag vandaag"
    return f"nog {item.days_left} dag" if item.days_left == 1 else f"nog {item.days_left} dagen"


def web_link(source_url: str) -> str | None:
    first = source_url.split(maxsplit=1)[0] if source_url.strip() else ""
    if not _WEB_ADDRESS.match(first):
        return None
    return first if first.lower().startswith(("http://", "https://")) else f"https://{first}"


def _modified(content_dir: Path) -> tuple[float, ...]:
    """The change times of the content files, the municipality files under local/ included."""
    paths = [content_dir / name for name in CONTENT_FILES] + sorted((content_dir / "local").glob("*.yml"))
    stamps = []
    for path in paths:
        try:
            stamps.append(path.stat().st_mtime)
        except OSError:
            stamps.append(-1.0)
    return tuple(stamps)


@lru_cache(maxsize=8)
def _facts_read(content_dir: Path, modified: tuple[float, ...]) -> ContentFacts | ContentFileError:
    """The content files, read again only when one of them changed (reading them took about 35 ms)."""
    try:
        return load_content_facts(content_dir)
    except ContentFileError as error:
        return error


def freshness_panel(*, content_dir: Path, today: date, warn_days: int = WARN_DAYS) -> FreshnessPanel:
    """The panel's rows, soonest first; an unreadable file is shown as an error, not a failing page."""
    facts = _facts_read(content_dir, _modified(content_dir))
    if isinstance(facts, ContentFileError):
        return FreshnessPanel(warn_days=warn_days, error=str(facts))
    rows = [
        FactRow(item, status_label(item), web_link(item.source_url))
        for item in facts.freshness(today, warn_days)
    ]
    return FreshnessPanel(rows, warn_days)
