"""Choose the FallbackClassifier threshold on held-out messages and write docs/fallback-threshold.md.

Usage (Rasa environment, after training): python benchmarks/tune_fallback.py [--model models/voordeur.tar.gz]

For every held-out message (tests/nlu/*.yml, none of it in the training data) we take the model's
best real intent and its confidence, then sweep the threshold: a message is *accepted* when that
confidence reaches the threshold. Each outcome is scored from the resident's side:
  +1  a real question accepted with the right intent, or a nonsense message rejected;
  -1  a wrong answer: a real question accepted with the wrong intent, or nonsense accepted;
   0  a real question rejected: the assistant asks to rephrase (or which topic is meant).
We pick the threshold with the best mean score, the lower one on ties (fewer rephrase requests).
Balanced accuracy would weigh the few nonsense messages like all real questions together and
reject about a third of the real questions; this score reflects what a resident experiences.
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


def sweep(rows: list[tuple[str, str, float]]) -> list[dict[str, float]]:
    in_scope = [row for row in rows if row[0] != FALLBACK]
    nonsense = [row for row in rows if row[0] == FALLBACK]
    table = []
    for step in range(10, 91, 5):
        threshold = step / 100
        right = sum(1 for gold, pred, conf in in_scope if conf >= threshold and pred == gold)
        wrong = sum(1 for gold, pred, conf in in_scope if conf >= threshold and pred != gold)
        rejected = sum(1 for _, _, conf in nonsense if conf < threshold)
        score = (right + rejected - wrong - (len(nonsense) - rejected)) / len(rows)
        table.append({"threshold": threshold, "right": right / len(in_scope), "wrong": wrong / len(in_scope),
                      "rephrase": 1 - (right + wrong) / len(in_scope),
                      "nonsense_rejected": rejected / len(nonsense),
                      "score": score})
    return table


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=str(ROOT / "models" / "voordeur.tar.gz"))
    parser.add_argument("--report", default=str(ROOT / "docs" / "fallback-threshold.md"))
    args = parser.parse_args()
    rows = asyncio.run(predictions(Path(args.model)))
    table = sweep(rows)
    best = max(table, key=lambda row: (round(row["score"], 4), -row["threshold"]))
    lines = [
        "# FallbackClassifier threshold",
        "",
        f"Made by `.venv/rasa/bin/python benchmarks/tune_fallback.py` on {date.today().isoformat()} with the "
        f"project model, on {sum(1 for r in rows if r[0] != FALLBACK)} held-out real questions and "
        f"{sum(1 for r in rows if r[0] == FALLBACK)} held-out messages the bot should not claim to "
        "understand "
        "(tests/nlu/*.yml without its crisis messages, which the safety net handles whatever the threshold; "
        "none of them is training data).",
        "",
        "Score per message: +1 right answer or nonsense rejected, -1 wrong answer (to a real question or to "
        "nonsense), 0 a real question answered with a request to rephrase. See the script's docstring.",
        "",
        "| threshold | real: right | real: wrong | real: rephrase | nonsense rejected | mean score |",
        "|---|---|---|---|---|---|",
        *(f"| {r['threshold']:.2f} | {r['right']:.1%} | {r['wrong']:.1%} | {r['rephrase']:.1%} "
          f"| {r['nonsense_rejected']:.1%} | {r['score']:+.3f} |" for r in table),
        "",
        f"**Chosen: {best['threshold']:.2f}** (best mean score; the lower threshold on ties). "
        "The crisis safety net runs after the FallbackClassifier, so no threshold hides a crisis message.",
        "",
    ]
    Path(args.report).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
