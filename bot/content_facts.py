"""Dated facts (content/facts.yml) and the local facts' review date and demo markers (content/local.yml,
and one file per further municipality: content/local/<slug>.yml).

Both sides read these files: the action server fills texts with the facts (actions/content.py), the
case backend's dashboard lists the facts that expire, `make content-check` prints them, and both
sides refuse to start outside development while demo values are left. Standard library plus PyYAML,
which is in both lock files; that is why this module is not in `bot/shared` (stdlib only).

A fact is current up to and including its `valid_until` day; from the next day on a text shows its
`when_expired` phrase instead of its value, so an old amount is never presented as current. Only a
`when_expired` that repeats the value on purpose (a crisis line) keeps the value in view.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Dates of facts are local dates of the wijkteam (a Dutch municipality).
TIMEZONE = ZoneInfo("Europe/Amsterdam")
#: Facts that expire within this many days are reported (log, dashboard, `make content-check`).
WARN_DAYS = 60
FACT_FIELDS = ("value", "valid_until", "checked_on", "source", "source_url", "when_expired")
DEVELOPMENT = "development"
#: The default municipality's local values; each further municipality has `MUNICIPAL_DIR/<slug>.yml`.
LOCAL_FILE = "local.yml"
MUNICIPAL_DIR = "local"
#: A municipality's slug (the file name without .yml), as the case backend spells it.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class ContentFileError(ValueError):
    """A content file cannot be read (missing or not valid YAML); the message names it."""


def municipality_files(root: Path) -> dict[str, Path]:
    """The municipality files under `root` (content/local/<slug>.yml) by slug, sorted; other names are
    left out (and reported by `municipality_file_problems`)."""
    folder = root / MUNICIPAL_DIR
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.yml")) if SLUG.match(path.stem)}


def municipality_file_problems(root: Path) -> list[str]:
    """A line per file in content/local/ whose name is no municipality slug (it would never be read)."""
    folder = root / MUNICIPAL_DIR
    if not folder.is_dir():
        return []
    return [
        f"{MUNICIPAL_DIR}/{path.name}: the file name must be the municipality's slug (a-z, 0-9, -)"
        for path in sorted(folder.glob("*.yml"))
        if not SLUG.match(path.stem)
    ]


def local_today() -> date:
    """Today in the Netherlands: the default clock of every freshness decision."""
    return datetime.now(TIMEZONE).date()


def content_dir_from_env(environ: Mapping[str, str] | None = None) -> Path:
    """`CONTENT_DIR`, default the project's `content/`; a relative path means the project's folder."""
    env = os.environ if environ is None else environ
    path = Path(env.get("CONTENT_DIR") or PROJECT_ROOT / "content")
    return (path if path.is_absolute() else PROJECT_ROOT / path).resolve()


@dataclass(frozen=True)
class DatedFact:
    key: str
    value: str
    valid_until: date
    source: str
    checked_on: date | None = None
    source_url: str = ""
    when_expired: str = ""

    def expired(self, today: date) -> bool:
        return self.valid_until < today

    @property
    def kept_after_expiry(self) -> bool:
        """`when_expired` repeats the value on purpose: a crisis line such as 112 is never hidden; its
        date is only a review reminder."""
        return bool(self.value) and self.value in self.when_expired

    def text(self, today: date) -> str:
        """What a resident reads on `today`: the value, or after `valid_until` the `when_expired` phrase."""
        if not self.expired(today):
            return self.value
        if self.when_expired:
            return self.when_expired
        # A missing when_expired is reported as a content problem; still never show the old value.
        return f"de actuele gegevens (zie {self.source_url})" if self.source_url else "de actuele gegevens"


@dataclass(frozen=True)
class LocalFacts:
    """content/local.yml: the values, the file's review date, and the keys marked as demo."""

    values: dict[str, str]
    valid_until: date | None
    demo: tuple[str, ...] = ()

    def demo_values(self) -> dict[str, str]:
        """The values still marked as fictional demo values (refused outside development)."""
        return {key: self.values[key] for key in self.demo if key in self.values}


@dataclass(frozen=True)
class Expiring:
    """A dated item that expired or expires soon: a fact, or local.yml's review date (key "")."""

    file: str
    key: str
    value: str
    valid_until: date
    days_left: int
    source: str = ""
    source_url: str = ""
    when_expired: str = ""

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def label(self) -> str:
        return self.key or f"{self.file} (controledatum)"


@dataclass
class ContentFacts:
    facts: dict[str, DatedFact] = field(default_factory=dict)
    local: LocalFacts = field(default_factory=lambda: LocalFacts({}, None))
    problems: list[str] = field(default_factory=list)
    #: The further municipalities' files (content/local/<slug>.yml) by slug.
    municipal: dict[str, LocalFacts] = field(default_factory=dict)

    def freshness(self, today: date, warn_days: int = WARN_DAYS) -> list[Expiring]:
        return freshness(self.facts, self.local.valid_until, today, warn_days, review_dates(self.municipal))

    def demo_values(self) -> dict[str, dict[str, str]]:
        """The demo values left per file (`local.yml`, `local/<slug>.yml`); files without any left out."""
        files = {LOCAL_FILE: self.local, **{municipal_name(slug): f for slug, f in self.municipal.items()}}
        return {name: facts.demo_values() for name, facts in files.items() if facts.demo_values()}


def municipal_name(slug: str) -> str:
    """How messages name a municipality's file: `local/heideveen.yml`."""
    return f"{MUNICIPAL_DIR}/{slug}.yml"


def review_dates(municipal: Mapping[str, LocalFacts]) -> dict[str, date | None]:
    """Each municipality file's review date, by its name in messages."""
    return {municipal_name(slug): facts.valid_until for slug, facts in municipal.items()}


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is written twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> dict[str, Any]:
    """A content file as a mapping; unreadable files, bad YAML and duplicate keys raise ContentFileError."""
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # noqa: S506 (safe)
    except OSError as error:
        raise ContentFileError(f"{path}: cannot be read ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise ContentFileError(f"{path.name}: not valid YAML ({error})") from error
    if loaded is not None and not isinstance(loaded, dict):
        raise ContentFileError(f"{path.name}: expected a mapping at the top")
    return loaded or {}


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def parse_facts(raw: Mapping[str, Any]) -> tuple[dict[str, DatedFact], list[str]]:
    """The facts of facts.yml, and a line per missing or malformed field.

    A fact without a readable `valid_until` counts as expired (its value is never shown).
    """
    facts: dict[str, DatedFact] = {}
    problems: list[str] = []
    for key, fields in (raw.get("facts") or {}).items():
        where = f"facts.yml {key}"
        if not isinstance(fields, Mapping):
            problems.append(f"{where}: expected the fields {', '.join(FACT_FIELDS)}")
            continue
        problems += [f"{where}: no {name}" for name in FACT_FIELDS if fields.get(name) in (None, "")]
        valid_until = _date(fields.get("valid_until"))
        if fields.get("valid_until") is not None and valid_until is None:
            problems.append(f"{where}: valid_until must be a date like 2026-12-31")
        checked_on = _date(fields.get("checked_on"))
        if fields.get("checked_on") is not None and checked_on is None:
            problems.append(f"{where}: checked_on must be a date like 2026-12-06")
        fact = DatedFact(
            key=str(key),
            value=str(fields.get("value", "")),
            valid_until=valid_until or date.min,
            source=str(fields.get("source") or ""),
            checked_on=checked_on,
            source_url=str(fields.get("source_url") or ""),
            when_expired=str(fields.get("when_expired") or "").strip(),
        )
        if "{" in fact.when_expired or "}" in fact.when_expired:
            problems.append(f"{where}: when_expired may not contain curly braces")
        facts[fact.key] = fact
    return facts, problems


def parse_local(raw: Mapping[str, Any], name: str = LOCAL_FILE) -> tuple[LocalFacts, list[str]]:
    """The values of local.yml (or of a municipality's file, `name`), its review date and its `demo:`
    list, and a line per problem."""
    values = {str(key): str(value) for key, value in (raw.get("values") or {}).items()}
    problems = []
    valid_until = _date(raw.get("valid_until"))
    if valid_until is None:
        problems.append(f"{name}: valid_until (the review date) must be a date like 2027-06-30")
    demo = raw.get("demo") or []
    if not isinstance(demo, list):
        problems.append(f"{name}: demo must be a list of keys, e.g. [wijkteam_telefoon]")
        demo = []
    problems += [f"{name}: demo names {key!r}, which is not in values" for key in demo if key not in values]
    return LocalFacts(values, valid_until, tuple(str(key) for key in demo)), problems


def parse_municipal(root: Path) -> tuple[dict[str, LocalFacts], list[str]]:
    """Every municipality file under `root` by slug, and a line per problem; raises ContentFileError."""
    municipal: dict[str, LocalFacts] = {}
    problems = municipality_file_problems(root)
    for slug, path in municipality_files(root).items():
        municipal[slug], found = parse_local(read_yaml(path), municipal_name(slug))
        problems += found
    return municipal, problems


def load_content_facts(root: Path) -> ContentFacts:
    """facts.yml, local.yml and the municipality files under `root`; raises ContentFileError when a
    file cannot be read."""
    facts, fact_problems = parse_facts(read_yaml(root / "facts.yml"))
    local, local_problems = parse_local(read_yaml(root / LOCAL_FILE))
    municipal, municipal_problems = parse_municipal(root)
    return ContentFacts(facts, local, fact_problems + local_problems + municipal_problems, municipal)


def freshness(
    facts: Mapping[str, DatedFact],
    local_valid_until: date | None,
    today: date,
    warn_days: int = WARN_DAYS,
    reviews: Mapping[str, date | None] | None = None,
) -> list[Expiring]:
    """Facts (and the review dates of local.yml and of the municipality files, `reviews` by file name)
    that expired or expire within `warn_days`, soonest first."""
    items = [
        Expiring(
            "facts.yml",
            fact.key,
            fact.value,
            fact.valid_until,
            (fact.valid_until - today).days,
            fact.source,
            fact.source_url,
            fact.when_expired,
        )  # fmt: skip
        for fact in facts.values()
        if (fact.valid_until - today).days <= warn_days
    ]
    for name, valid_until in {LOCAL_FILE: local_valid_until, **(reviews or {})}.items():
        if valid_until is not None and (valid_until - today).days <= warn_days:
            items.append(Expiring(name, "", "", valid_until, (valid_until - today).days))
    return sorted(items, key=lambda item: (item.valid_until, item.file, item.key))


def describe(item: Expiring) -> str:
    """One log line: `huurtoeslag_max_huur (facts.yml) expired on 2026-12-31`."""
    name = f"{item.key} ({item.file})" if item.key else f"the review date of {item.file}"
    if item.expired:
        return f"{name} expired on {item.valid_until}"
    return f"{name} expires on {item.valid_until}, in {item.days_left} days"


_local_cache: dict[Path, tuple[tuple[int, int], LocalFacts]] = {}


def _local_facts(path: Path) -> LocalFacts:
    """local.yml, parsed again only when it changed (the Rasa side checks it on every settings load)."""
    try:
        stat = path.stat()
    except OSError as error:
        raise ContentFileError(f"{path}: cannot be read ({error.strerror})") from error
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _local_cache.get(path)
    if cached is None or cached[0] != stamp:
        _local_cache[path] = (stamp, parse_local(read_yaml(path))[0])
    return _local_cache[path][1]


def demo_refusal(root: Path, voordeur_env: str) -> str | None:
    """The reason to refuse a start, when demo values are left outside development (in local.yml or in
    any municipality's file); else None."""
    if voordeur_env == DEVELOPMENT:
        return None
    paths = [root / LOCAL_FILE, *municipality_files(root).values()]
    left = [(path, list(_local_facts(path).demo_values())) for path in paths]
    lines = [f"{path} still holds demo values for {', '.join(keys)}" for path, keys in left if keys]
    if not lines:
        return None
    return (
        f"{'; '.join(lines)} (VOORDEUR_ENV={voordeur_env}). "
        "Fill in each municipality's real values and remove those keys from the `demo:` list "
        "(docs/content.md, 'Demo values'); only VOORDEUR_ENV=development runs with demo values."
    )
