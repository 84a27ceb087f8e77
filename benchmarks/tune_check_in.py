"""Tune when an unsure crisis guess of the model gets a check-in (SafetyNet `check_in_unsure_crisis_from`).

The trained model (models/voordeur.tar.gz) parses every message of the tuning sets, never
tests/nlu/independent/: tests/nlu/tuning/*.yml (written without seeing the training data) and the old
held-out sets tests/nlu/*.yml. For each threshold it counts, per set:
- crisis messages that get a crisis reply or a check-in (the first reply names a crisis line), and
- ordinary messages that get a crisis reply or a check-in (a check-in is gentle, but it is an interruption).

Usage: .venv/rasa/bin/python benchmarks/tune_check_in.py [--thresholds 0.5,0.4,0.3,0.25,0.2]
Prints a table; docs/nlu-benchmark.md ("Crisis") keeps the figures of the chosen threshold.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from bot.assistant.nlp.safety_component import SafetyNet  # noqa: E402
from bot.assistant.nlp.safety_net import CRISIS_INTENTS  # noqa: E402
from bot.assistant.nlp.safety_policy import CHECK_IN_KEY  # noqa: E402

SETTING = "check_in_unsure_crisis_from"


def tuning_sets() -> dict[str, list[tuple[str, bool]]]:
    """(text, is crisis) per set: the tuning sets and the old held-out sets."""
    sets: dict[str, list[tuple[str, bool]]] = {}
    for path in sorted((ROOT / "tests" / "nlu" / "tuning").glob("*.yml")):
        messages = yaml.safe_load(path.read_text())["messages"]
        sets[f"tuning/{path.name}"] = [(m["text"], bool(m["crisis"])) for m in messages]
    held_out: list[tuple[str, bool]] = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            intent = block.get("intent")
            for line in str(block.get("examples") or "").splitlines():
                text = line.strip().removeprefix("- ").strip()
                if intent and text and intent != "nlu_fallback":
                    held_out.append((text, intent in CRISIS_INTENTS))
    sets["held-out tests/nlu/*.yml"] = held_out
    return sets


def safety_components(agent: Any) -> list[SafetyNet]:
    runner = agent.processor.graph_runner
    nodes = getattr(runner, "_instantiated_nodes", {})
    components = [getattr(node, "_component", None) for node in nodes.values()]
    return [component for component in components if isinstance(component, SafetyNet)]


def flagged(parse: dict[str, Any]) -> bool:
    """A crisis reply or a check-in comes first."""
    name = (parse.get("intent") or {}).get("name") or ""
    return name in CRISIS_INTENTS or bool(parse.get(CHECK_IN_KEY))


Figures = dict[str, tuple[int, int, int, int]]  # per set: crisis caught, crisis, ordinary flagged, ordinary


async def measure(agent: Any, sets: dict[str, list[tuple[str, bool]]]) -> Figures:
    figures = {}
    for name, messages in sets.items():
        crisis_caught = crisis = ordinary_flagged = ordinary = 0
        for text, is_crisis in messages:
            parse = await agent.parse_message(text)
            if is_crisis:
                crisis += 1
                crisis_caught += flagged(parse)
            else:
                ordinary += 1
                ordinary_flagged += flagged(parse)
        figures[name] = (crisis_caught, crisis, ordinary_flagged, ordinary)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--thresholds", default="0.5,0.4,0.3,0.25,0.2,0.15")
    parser.add_argument("--model", default=str(ROOT / "models" / "voordeur.tar.gz"))
    args = parser.parse_args()
    from rasa.core.agent import load_agent

    agent = asyncio.run(load_agent(model_path=args.model))
    components = safety_components(agent)
    if not components:
        raise SystemExit("no SafetyNet component in the model's graph")
    sets = tuning_sets()
    print(f"| {SETTING} | set | crisis: crisis reply or check-in | ordinary: crisis reply or check-in |")
    print("|---|---|---|---|")
    for threshold in (float(value) for value in args.thresholds.split(",")):
        for component in components:
            component.config[SETTING] = threshold
        for name, (caught, crisis, wrongly, ordinary) in asyncio.run(measure(agent, sets)).items():
            print(
                f"| {threshold:.2f} | {name} | {caught} of {crisis} | {wrongly} of {ordinary} "
                f"({100 * wrongly / max(1, ordinary):.1f}%) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
