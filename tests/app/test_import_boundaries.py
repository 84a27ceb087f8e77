"""The two Python environments stay apart (issue 22): a module imports only what its interpreter has.

- `bot/shared/` is imported by both sides: the standard library only.
- The case backend (`bot/backend/`, `.venv/app`, Python 3.11) never imports the Rasa side: `actions`,
  `rasa`, `rasa_sdk` or `bot.assistant` (channels, NLU components, stores, settings, the action server).
- The Rasa side (`actions/` and `bot/assistant/`, `.venv/rasa`, Python 3.10) never imports `bot.backend`.
Two modules at the top of `bot/` are read by both sides on purpose (they need PyYAML, which both lock
files have, so they cannot be in `bot/shared`): `bot.content_facts` and `bot.log_masking`. They import
neither side.
The check reads the sources (ast), so it needs neither environment's packages.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOTH_SIDES = {"bot.content_facts", "bot.log_masking"}
RASA_ONLY_TOP = {"actions", "rasa", "rasa_sdk"}


def imported_modules(path: Path) -> Iterator[tuple[str, int]]:
    """Absolute imports of a file: (module, line); `from bot import x` counts as `bot.x`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "bot":
                yield from ((f"bot.{alias.name}", node.lineno) for alias in node.names)
            else:
                yield node.module, node.lineno


def files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def rasa_side_files() -> list[Path]:
    return files("actions", "bot/assistant")


def both_sides_files() -> list[Path]:
    return [ROOT / (module.replace(".", "/") + ".py") for module in sorted(BOTH_SIDES)]


def crossing(paths: list[Path], refused: object) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in paths
        for module, line in imported_modules(path)
        if refused(module)  # type: ignore[operator]
    ]


def backend_must_not_import(module: str) -> bool:
    if module in BOTH_SIDES or module.startswith(("bot.backend", "bot.shared")):
        return False
    return module.split(".")[0] in RASA_ONLY_TOP or module == "bot" or module.startswith("bot.")


def test_the_backend_never_imports_the_rasa_side() -> None:
    assert crossing(files("bot/backend"), backend_must_not_import) == []


def test_the_rasa_side_never_imports_the_backend() -> None:
    assert crossing(rasa_side_files(), lambda module: module.startswith("bot.backend")) == []


def test_the_modules_both_sides_read_import_neither_side() -> None:
    assert crossing(both_sides_files(), backend_must_not_import) == []
    assert crossing(both_sides_files(), lambda module: module.startswith("bot.backend")) == []


def test_every_module_at_the_top_of_bot_is_read_by_both_sides() -> None:
    """A new Rasa-only or backend-only module belongs in its package, not at the top of `bot/`."""
    top = {f"bot.{path.stem}" for path in (ROOT / "bot").glob("*.py") if path.stem != "__init__"}
    assert top == BOTH_SIDES


def test_shared_code_imports_only_the_standard_library() -> None:
    def outside(module: str) -> bool:
        top = module.split(".")[0]
        return (
            top not in sys.stdlib_module_names and not module.startswith("bot.shared") and top != "__future__"
        )

    assert crossing(files("bot/shared"), outside) == []


def test_the_check_sees_a_crossing(tmp_path: Path) -> None:
    """The checks can fail: a backend file importing the Rasa side, and shared code importing PyYAML."""
    backend = tmp_path / "bad_backend.py"
    backend.write_text(
        "from bot.assistant.channels.telegram import TelegramInput\nfrom bot.assistant import settings\n"
    )
    shared = tmp_path / "bad_shared.py"
    shared.write_text("import yaml\n")
    assert [module for module, _ in imported_modules(backend) if backend_must_not_import(module)] == [
        "bot.assistant.channels.telegram",
        "bot.assistant",
    ]
    assert [module for module, _ in imported_modules(shared)] == ["yaml"]
    assert "yaml" not in sys.stdlib_module_names
