"""Choose the FallbackClassifier threshold on held-out messages and write docs/fallback-threshold.md.

Usage (Rasa environment, after training): python benchmarks/tune_fallback.py [--model models/voordeur.tar.gz]

For every held-out message (tests/nlu/holdout.yml, none of it in the training data) we take the
model's best real intent and its confidence, then sweep the threshold: a message is *accepted* when
that confidence reaches the threshold. In-scope messages should be accepted with the right intent;
the `nlu_fallback` messages (nonsense, other languages) should be rejected. We pick the threshold
with the best balanced accuracy (mean of both rates), preferring the lower one on ties so that
residents are asked to rephrase as rarely as possible.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import date
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
FALLBACK = "nlu_fallback"


def best_real_intent(parsed: dict) -> tuple[str, float]:
    ranking = [entry for entry in parsed.get("intent_ranking") or [] if entry["name"] != FALLBACK]
    if not ranking:
        return FALLBACK, 0.0
    return ranking[0]["name"], float(ranking[0]["confidence"])


async def predictions(model: Path) -> list[tuple[str, str, float]]:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    agent = Agent.load(model_path=str(model))
    holdout = load_data(str(ROOT / "tests" / "nlu"))
    rows = []
    for message in holdout.intent_examples:
        if message.get("intent", "").startswith("crisis_"):
            continue  # the safety net decides these whatever the threshold; leave them out of the sweep
        parsed = await agent.processor.parse_message(_user_message(message.get("text")))
        intent, confidence = best_real_intent(parsed)
        rows.append((message.get("intent"), intent, confidence))
    return rows


def _user_message(text: str):  # type: ignore[no-untyped-def]
    from rasa.core.channels.channel import UserMessage

    return UserMessage(text=text)


def sweep(rows: list[tuple[str, str, float]]) -> list[tuple[float, float, float, float]]:
    in_scope = [row for row in rows if row[0] != FALLBACK]
    nonsense = [row for row in rows if row[0] == FALLBACK]
    table = []
    for step in range(20, 91, 5):
        threshold = step / 100
        accepted_right = sum(1 for gold, pred, conf in in_scope if pred == gold and conf >= threshold) / len(in_scope)
        rejected = sum(1 for _, _, conf in nonsense if conf < threshold) / len(nonsense)
        table.append((threshold, accepted_right, rejected, (accepted_right + rejected) / 2))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "voordeur.tar.gz"))
    parser.add_argument("--report", default=str(ROOT / "docs" / "fallback-threshold.md"))
    args = parser.parse_args()
    rows = asyncio.run(predictions(Path(args.model)))
    table = sweep(rows)
    best = max(table, key=lambda row: (round(row[3], 4), -row[0]))
    lines = [
        "# FallbackClassifier threshold",
        "",
        f"Made by `python benchmarks/tune_fallback.py` on {date.today().isoformat()} with the project model, on "
        f"{sum(1 for r in rows if r[0] != FALLBACK)} held-out in-scope messages and "
        f"{sum(1 for r in rows if r[0] == FALLBACK)} held-out messages the bot should not claim to understand "
        "(tests/nlu/*.yml without its crisis messages, which the safety net handles whatever the threshold; none of them is training data).",
        "",
        "| threshold | in-scope accepted with the right intent | nonsense rejected | balanced accuracy |",
        "|---|---|---|---|",
        *(f"| {t:.2f} | {a:.1%} | {r:.1%} | {b:.1%} |" for t, a, r, b in table),
        "",
        f"**Chosen: {best[0]:.2f}** (best balanced accuracy, lowest threshold on ties, so residents are asked to "
        "rephrase as rarely as possible). The crisis safety net runs after the FallbackClassifier, so a "
        "threshold never hides a crisis message.",
        "",
    ]
    Path(args.report).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
