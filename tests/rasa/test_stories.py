"""Conversation tests: tests/stories with the trained model, failing on any prediction error.

`--e2e` makes Rasa classify each story's user text with the model and compare the intent; without it
only the dialogue is checked (files must be named test_*.yml to be found).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).with_name("rasa"))


def run_stories(model_path: Path, stories: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            RASA,
            "test",
            "core",
            "--e2e",
            "--model",
            str(model_path),
            "--stories",
            str(stories),
            "--fail-on-prediction-errors",
            "--out",
            str(out),
            "--no-plot",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def count_stories(folder: Path) -> int:
    return sum(len(yaml.safe_load(path.read_text())["stories"]) for path in folder.glob("test_*.yml"))


def test_all_test_stories_pass_end_to_end(model_path: Path, tmp_path: Path) -> None:
    stories = ROOT / "tests" / "stories"
    result = run_stories(model_path, stories, tmp_path)
    output = result.stdout + result.stderr
    start = output.find("WrongPrediction")
    failure = output[start:][:3000] if start >= 0 else output[-3000:]
    assert result.returncode == 0, failure
    expected = count_stories(stories)
    assert expected >= 10
    assert re.search(rf"Evaluating {expected} stories", output), output[-3000:]
    assert re.search(rf"Correct:\s+{expected} / {expected}", output), output[-3000:]


def test_a_story_with_a_wrong_intent_fails(model_path: Path, tmp_path: Path) -> None:
    """Negative control: the harness must catch an NLU mistake, not only dialogue mistakes."""
    stories = tmp_path / "stories"
    stories.mkdir()
    (stories / "test_wrong.yml").write_text(
        'version: "3.1"\nstories:\n  - story: wrong on purpose\n    steps:\n'
        "      - user: |\n          goedemorgen allemaal\n        intent: goodbye\n"
        "      - action: utter_goodbye\n"
    )
    result = run_stories(model_path, stories, tmp_path / "out")
    assert result.returncode != 0
    assert "predicted a wrong intent" in result.stdout + result.stderr
