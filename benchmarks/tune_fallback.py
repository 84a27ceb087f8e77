"""Tune what an unsure message gets: the FallbackClassifier thresholds and the topic-clarity thresholds.

Usage (Rasa environment, after training; `make tune-fallback` trains, tunes, applies and retrains):
    .venv/rasa/bin/python benchmarks/tune_fallback.py [--model models/voordeur.tar.gz] [--apply]
        [--report docs/fallback-threshold.md] [--thresholds 0.10:0.60:0.05] [--min-mass 0.15:0.80:0.05] ...

Data: the tuning sets, tests/nlu/*.yml (the old held-out messages, written next to the training data)
and tests/nlu/tuning/residents.yml (written without seeing the training data, like the independent set);
none of them is training data. Their crisis messages are left out (the safety net answers those whatever
the thresholds). Never the independent set tests/nlu/independent/ (that one is only reported on, by
benchmarks/outcome_benchmark.py).

Every message is parsed once with the trained model. Then, for every combination of thresholds, we
simulate what the resident gets, with the same decision the action server makes (`decide` in
actions/fallback.py, and the rent-arrears question of action_answer):
  - the FallbackClassifier accepts the best intent when its confidence reaches `threshold` and leads the
    runner-up by `ambiguity_threshold`; otherwise the message is unsure, and the fallback action offers
    two competing answers, the questions of a clear topic (`min_mass`, `min_lead`), or a rephrase request.
Each outcome is scored from the resident's side (weights are options):
  real question: right answer +1, a choice with the right question among its buttons +0.8 (one press
                 more), a choice without it -0.1 (reading for nothing, then "Iets anders"), a rephrase
                 request 0, a wrong answer or a crisis reply -1;
  nonsense:      a rephrase request +1, a choice 0, any answer -1.
The best mean score wins; ties go to fewer wrong answers, then the lower FallbackClassifier
thresholds, then the stricter topic test (higher min_mass, min_lead).

`--apply` writes the winners into config.yml (FallbackClassifier) and actions/fallback.py
(TOPIC_CLARITY); retrain afterwards (config.yml changed). After a change to the classifier (features,
confidence scale) re-run `make tune-fallback`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's actions, also when another checkout is installed
from actions.fallback import NLU_FALLBACK, TOPIC_CLARITY, TopicClarity, decide, real_ranking  # noqa: E402

TUNING_SET = sorted((ROOT / "tests" / "nlu").glob("*.yml"))  # top level only: not independent/
#: Written without seeing data/, in the independent set's format (messages: text, intent, crisis).
INDEPENDENT_TUNING_SET = ROOT / "tests" / "nlu" / "tuning" / "residents.yml"
CONFIG = ROOT / "config.yml"
FALLBACK_MODULE = ROOT / "actions" / "fallback.py"
OUTCOMES = ("right", "useful_choice", "other_choice", "rephrase", "wrong", "crisis")
CHOICE_KINDS = ("competing_topics", "competing_questions", "topic_choice", "ambiguous_answer")


@dataclass(frozen=True)
class Row:
    """One parsed tuning message: its label, the model's ranking (no fallback intent), the safety net."""

    text: str
    gold: str
    ranking: tuple[tuple[str, float], ...]
    net_crisis: bool


@dataclass(frozen=True)
class Setting:
    threshold: float
    ambiguity_threshold: float
    clarity: TopicClarity


@dataclass(frozen=True)
class Weights:
    right: float = 1.0
    useful_choice: float = 0.8
    other_choice: float = -0.1
    rephrase: float = 0.0
    wrong: float = -1.0
    nonsense_rejected: float = 1.0
    nonsense_choice: float = 0.0
    nonsense_answered: float = -1.0


def tuning_messages() -> list[tuple[str, str]]:
    """(text, intent) of the tuning set without crisis messages."""
    from rasa.shared.nlu.training_data.loading import load_data

    found = []
    for path in TUNING_SET:
        for message in load_data(str(path)).intent_examples:
            if not message.get("intent", "").startswith("crisis_"):
                found.append((message.get("text"), message.get("intent")))
    import yaml

    for entry in yaml.safe_load(INDEPENDENT_TUNING_SET.read_text(encoding="utf-8"))["messages"]:
        if not entry.get("crisis"):
            found.append((entry["text"], entry["intent"]))
    return found


async def parse_all(model: Path, messages: list[tuple[str, str]]) -> list[Row]:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path=str(model))
    rows = []
    for text, gold in messages:
        parsed = await agent.parse_message(text)
        net = (parsed.get("safety_net") or {}).get("crisis")
        rows.append(Row(text, gold, tuple(real_ranking(parsed)), bool(net)))
    return rows


def answer_side(answerable: set[str], ambiguities: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    return {"answerable": answerable, "ambiguities": ambiguities}


def outcome(row: Row, setting: Setting, content: dict[str, Any], decisions: dict | None = None) -> str:
    """What the resident gets (one of OUTCOMES), as the assistant would decide it."""
    if row.net_crisis:
        return "crisis"
    if not row.ranking:
        return "rephrase"
    top, top_conf = row.ranking[0]
    second_conf = row.ranking[1][1] if len(row.ranking) > 1 else 0.0
    unsure = top_conf < setting.threshold or top_conf - second_conf < setting.ambiguity_threshold
    if not unsure:
        if top.startswith("crisis_"):
            return "crisis"
        choices = content["ambiguities"].get(top)
        if choices:  # a typed rent-arrears question gets a question which topic is meant
            return "useful_choice" if row.gold in choices else "other_choice"
        return "right" if top == row.gold else "wrong"
    key = (id(row), setting.clarity)
    decision = decisions.get(key) if decisions is not None else None
    if decision is None:
        message = {"intent_ranking": [{"name": name, "confidence": conf} for name, conf in row.ranking]}
        decision = decide(message, content["answerable"], setting.clarity)
        if decisions is not None:
            decisions[key] = decision
    if decision.kind == "rephrase":
        return "rephrase"
    offered = set(decision.intents) | ({"request_human"} if decision.kind == "topic_choice" else set())
    return "useful_choice" if row.gold in offered else "other_choice"


def score(
    rows: list[Row],
    setting: Setting,
    content: dict[str, Any],
    weights: Weights,
    decisions: dict | None = None,
) -> dict[str, Any]:
    real: Counter[str] = Counter()
    nonsense: Counter[str] = Counter()
    for row in rows:
        result = outcome(row, setting, content, decisions)
        (nonsense if row.gold == NLU_FALLBACK else real)[result] += 1
    n_real, n_nonsense = sum(real.values()), sum(nonsense.values())
    total = (
        weights.right * real["right"]
        + weights.useful_choice * real["useful_choice"]
        + weights.other_choice * real["other_choice"]
        + weights.rephrase * real["rephrase"]
        + weights.wrong * (real["wrong"] + real["crisis"])
        + weights.nonsense_rejected * nonsense["rephrase"]
        + weights.nonsense_choice * (nonsense["useful_choice"] + nonsense["other_choice"])
        + weights.nonsense_answered * (nonsense["right"] + nonsense["wrong"] + nonsense["crisis"])
    )
    rates = {name: real[name] / max(1, n_real) for name in OUTCOMES}
    return {
        "setting": setting,
        "score": total / max(1, n_real + n_nonsense),
        **rates,
        "nonsense_rejected": nonsense["rephrase"] / max(1, n_nonsense),
        "n_real": n_real,
        "n_nonsense": n_nonsense,
        "n_real_unsure": real["useful_choice"] + real["other_choice"] + real["rephrase"],
    }


def grid(spec: str) -> list[float]:
    """'0.10:0.60:0.05' -> [0.10, 0.15, ..., 0.60]; '0.1,0.2' -> [0.1, 0.2]."""
    if ":" in spec:
        start, stop, step = (float(part) for part in spec.split(":"))
        count = int(round((stop - start) / step)) + 1
        return [round(start + index * step, 4) for index in range(count)]
    return [float(part) for part in spec.split(",")]


def sweep(rows: list[Row], content: dict[str, Any], weights: Weights, args: argparse.Namespace) -> list[dict]:
    decisions: dict = {}
    results = []
    clarities = [
        TopicClarity(min_mass=mass, min_lead=lead, min_share=share)
        for mass in grid(args.min_mass)
        for lead in grid(args.min_lead)
        for share in grid(args.min_share)
    ]
    for threshold in grid(args.thresholds):
        for ambiguity in grid(args.ambiguity):
            for clarity in clarities:
                results.append(
                    score(rows, Setting(threshold, ambiguity, clarity), content, weights, decisions)
                )
    return results


def ranking_key(result: dict) -> tuple:
    s = result["setting"]
    # On ties: fewer wrong answers; lower FallbackClassifier thresholds (fewer unsure messages); then the
    # stricter topic test (a choice of questions claims the topic was understood).
    return (
        round(result["score"], 4),
        -result["wrong"],
        -s.threshold,
        -s.ambiguity_threshold,
        s.clarity.min_mass,
        s.clarity.min_lead,
    )


def current_setting() -> Setting:
    text = CONFIG.read_text()
    block = text[text.index("name: FallbackClassifier") :]
    return Setting(_number("threshold", block), _number("ambiguity_threshold", block), TOPIC_CLARITY)


def _number(key: str, block: str) -> float:
    """The first `key: <number>` in config.yml's FallbackClassifier block."""
    found = re.search(key + r":\s*([0-9.]+)", block)
    if found is None:
        raise ValueError(f"config.yml: FallbackClassifier has no {key}")
    return float(found.group(1))


def apply(setting: Setting) -> None:
    """Write the chosen thresholds into config.yml and actions/fallback.py."""
    text = CONFIG.read_text()
    start = text.index("name: FallbackClassifier")
    block, rest = text[start:], ""
    end = block.find("\n  - name:")
    if end >= 0:
        block, rest = block[:end], block[end:]
    block = re.sub(r"(\n\s+threshold:\s*)[0-9.]+", rf"\g<1>{setting.threshold:.2f}", block, count=1)
    block = re.sub(
        r"(ambiguity_threshold:\s*)[0-9.]+", rf"\g<1>{setting.ambiguity_threshold:.2f}", block, count=1
    )
    # The safety net falls back to nlu_fallback below the same threshold when it drops a crisis guess.
    rest, count = re.subn(
        r"(\n\s+fallback_threshold:\s*)[0-9.]+", rf"\g<1>{setting.threshold:.2f}", rest, count=1
    )
    if count != 1:
        raise SystemExit(f"{CONFIG}: the SafetyNet has no fallback_threshold to update")
    CONFIG.write_text(text[:start] + block + rest)
    source = FALLBACK_MODULE.read_text()
    c = setting.clarity
    line = (
        f"TOPIC_CLARITY = TopicClarity(min_mass={c.min_mass:.2f}, min_lead={c.min_lead:.2f}, "
        f"min_share={c.min_share:.2f})"
    )
    new_source, count = re.subn(r"^TOPIC_CLARITY = TopicClarity\(.*\)$", line, source, flags=re.MULTILINE)
    if count != 1:
        raise SystemExit(f"{FALLBACK_MODULE}: no TOPIC_CLARITY line to update")
    FALLBACK_MODULE.write_text(new_source)


def describe(setting: Setting) -> str:
    c = setting.clarity
    return (
        f"threshold {setting.threshold:.2f}, ambiguity_threshold {setting.ambiguity_threshold:.2f}, "
        f"min_mass {c.min_mass:.2f}, min_lead {c.min_lead:.2f}, min_share {c.min_share:.2f}"
    )


def row_text(result: dict, label: str = "") -> str:
    s = result["setting"]
    return (
        f"| {label}{s.threshold:.2f} | {s.ambiguity_threshold:.2f} | {s.clarity.min_mass:.2f} "
        f"| {s.clarity.min_lead:.2f} | {result['right']:.1%} | {result['useful_choice']:.1%} "
        f"| {result['right'] + result['useful_choice']:.1%} | {result['other_choice']:.1%} "
        f"| {result['rephrase']:.1%} | {result['wrong'] + result['crisis']:.1%} "
        f"| {result['nonsense_rejected']:.1%} | {result['score']:+.3f} |"
    )


HEADER = [
    "| threshold | ambiguity | min_mass | min_lead | right | useful choice | right or useful | other choice "
    "| rephrase | wrong | nonsense rejected | score |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
]


def report(
    rows: list[Row], results: list[dict], best: dict, before: dict, no_topics: dict, command: str
) -> str:
    n_real, n_nonsense = best["n_real"], best["n_nonsense"]
    per_threshold: dict[float, dict] = {}
    for result in results:
        s = result["setting"]
        key = s.threshold
        if key not in per_threshold or ranking_key(result) > ranking_key(per_threshold[key]):
            per_threshold[key] = result
    chosen = best["setting"]
    per_ambiguity: dict[float, dict] = {}
    for result in results:
        s = result["setting"]
        if s.threshold == chosen.threshold and (
            s.ambiguity_threshold not in per_ambiguity
            or ranking_key(result) > ranking_key(per_ambiguity[s.ambiguity_threshold])
        ):
            per_ambiguity[s.ambiguity_threshold] = result
    neighbours = [
        r
        for r in results
        if r["setting"].threshold == chosen.threshold
        and r["setting"].ambiguity_threshold == chosen.ambiguity_threshold
        and r["setting"].clarity.min_share == chosen.clarity.min_share
    ]
    masses = sorted({r["setting"].clarity.min_mass for r in neighbours})
    leads = sorted({r["setting"].clarity.min_lead for r in neighbours})
    by_pair = {(r["setting"].clarity.min_mass, r["setting"].clarity.min_lead): r for r in neighbours}
    lines = [
        "# What an unsure message gets: the fallback thresholds",
        "",
        f"Made by `{command}` on {date.today().isoformat()} with the project model, on the tuning set "
        f"(tests/nlu/*.yml, written next to the training data, and tests/nlu/tuning/residents.yml, written "
        f"without seeing it: {n_real} real questions and {n_nonsense} messages the assistant should not "
        "claim to understand; its crisis messages are left out, the safety net answers them whatever the "
        "thresholds). None of it is training data. The independent set (tests/nlu/independent/) is never "
        "used here: it is only reported on, by `make benchmark-outcome` "
        "([outcome-benchmark.md](outcome-benchmark.md)).",
        "",
        "## What is tuned",
        "",
        "- `threshold`, `ambiguity_threshold` of the FallbackClassifier (config.yml): below them a message "
        "is "
        "*unsure*.",
        "- For an unsure message, actions/fallback.py sums the model's confidence per topic (schulden, "
        "huisvesting, jeugdhulp, algemeen, booking = spreekuur/afzeggen/terugbellen, person = iemand "
        "spreken). "
        "A topic is *clear* when its sum reaches `min_mass` and leads the next topic (or the best single "
        "intent outside the topics) by `min_lead`; then the resident gets its 2-4 most likely questions as "
        'buttons (each at least `min_share` of the topic\'s sum; the best two always), plus "Iets anders" '
        'and "Iemand spreken". Two competing answers keep their own clarifying question; nothing clear '
        "gets the rephrase request.",
        "",
        "Score per message, from the resident's side: real question: right answer +1, a choice with the "
        "right "
        "question among its buttons +0.8, a choice without it -0.1, rephrase request 0, wrong answer (or a "
        "crisis reply) -1; nonsense: rephrase request +1, a choice 0, an answer -1. Best mean score wins; "
        "ties go to fewer wrong answers, then lower FallbackClassifier thresholds, then the stricter topic "
        "test. Rates below are of the real questions.",
        "",
        f"**Chosen: {describe(chosen)}** (score {best['score']:+.3f}).",
        "",
        f"At the chosen thresholds {best['n_real_unsure']} of the {n_real} real questions get a choice or "
        "a rephrase request instead of an answer. The topic thresholds rest on those few messages and the "
        "nonsense: where the "
        "table further down is flat, the data cannot tell the settings apart and the tie rule decides. The "
        "independent set shows far more unsure messages ([outcome-benchmark.md](outcome-benchmark.md)); it "
        "is not used here.",
        "",
        "| setting | right | useful choice | right or useful | rephrase | wrong | nonsense rejected | score "
        "|",
        "|---|---|---|---|---|---|---|---|",
    ]
    old = before["setting"]
    for label, result in (
        (
            f"threshold {old.threshold:.2f}, ambiguity {old.ambiguity_threshold:.2f}, no topic choice "
            "(rephrase only)",
            no_topics,
        ),
        ("the same thresholds with the topic choice of actions/fallback.py", before),
        ("chosen", best),
    ):
        lines.append(
            f"| {label} | {result['right']:.1%} | {result['useful_choice']:.1%} "
            f"| {result['right'] + result['useful_choice']:.1%} | {result['rephrase']:.1%} "
            f"| {result['wrong'] + result['crisis']:.1%} | {result['nonsense_rejected']:.1%} "
            f"| {result['score']:+.3f} |"
        )
    lines += [
        "",
        "## Best setting per FallbackClassifier threshold",
        "",
        *HEADER,
        *(row_text(per_threshold[key]) for key in sorted(per_threshold)),
        "",
        f"## ambiguity_threshold at threshold {chosen.threshold:.2f} (best topic clarity for each)",
        "",
        *HEADER,
        *(row_text(per_ambiguity[key]) for key in sorted(per_ambiguity)),
        "",
        f"## Topic clarity around the choice (threshold {chosen.threshold:.2f}, ambiguity "
        f"{chosen.ambiguity_threshold:.2f}): score per min_mass (rows) and min_lead (columns)",
        "",
        "| min_mass | " + " | ".join(f"{lead:.2f}" for lead in leads) + " |",
        "|---|" + "---|" * len(leads),
        *(
            f"| {mass:.2f} | " + " | ".join(f"{by_pair[(mass, lead)]['score']:+.3f}" for lead in leads) + " |"
            for mass in masses
        ),
        "",
        "## How to re-run",
        "",
        "`make tune-fallback` trains when needed, runs this script with `--apply` (config.yml and "
        "`TOPIC_CLARITY` in actions/fallback.py get the winners) and retrains. Re-run it after any change "
        "to the classifier (features, `confidence_scale`), then `make benchmark-outcome` to see the effect "
        "on the independent set. The grids and the weights are options of benchmarks/tune_fallback.py "
        "(`--help`).",
        "",
        "The crisis safety net runs after the FallbackClassifier, so no threshold hides a crisis message.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=str(ROOT / "models" / "voordeur.tar.gz"))
    parser.add_argument("--report", default=str(ROOT / "docs" / "fallback-threshold.md"))
    parser.add_argument("--thresholds", default="0.10:0.60:0.05", help="FallbackClassifier threshold grid")
    parser.add_argument("--ambiguity", default="0,0.05,0.1,0.15", help="ambiguity_threshold grid")
    parser.add_argument("--min-mass", default="0.15:0.80:0.05", help="topic clarity: summed confidence grid")
    parser.add_argument("--min-lead", default="0.00:0.50:0.05", help="topic clarity: lead over the next grid")
    parser.add_argument("--min-share", default="0.1", help="share of the topic's sum a question needs")
    parser.add_argument(
        "--useful-choice",
        type=float,
        default=Weights.useful_choice,
        help="score of a choice with the right question (a right answer is 1)",
    )
    parser.add_argument(
        "--other-choice",
        type=float,
        default=Weights.other_choice,
        help="score of a choice without the right question (a rephrase request is 0)",
    )
    parser.add_argument(
        "--before",
        help="THRESHOLD,AMBIGUITY to compare with (default: config.yml's), e.g. 0.35,0.1 before issue 19",
    )
    parser.add_argument(
        "--apply", action="store_true", help="write the winners into config.yml and actions/fallback.py"
    )
    args = parser.parse_args()

    from actions.content import content_store

    store = content_store(ROOT / "content")
    content = answer_side(
        set(store.answers),
        {ambiguity_intent: tuple(a.choices.values()) for ambiguity_intent, a in store.ambiguities.items()},
    )
    weights = replace(Weights(), useful_choice=args.useful_choice, other_choice=args.other_choice)
    rows = asyncio.run(parse_all(Path(args.model), tuning_messages()))
    results = sweep(rows, content, weights, args)
    best = max(results, key=ranking_key)
    old = current_setting()
    if args.before:
        threshold, ambiguity = (float(part) for part in args.before.split(","))
        old = replace(old, threshold=threshold, ambiguity_threshold=ambiguity)
    before = score(rows, old, content, weights)
    no_topics = score(rows, replace(old, clarity=TopicClarity(min_mass=2.0, min_lead=2.0)), content, weights)
    command = ".venv/rasa/bin/python benchmarks/tune_fallback.py" + "".join(
        f" {arg}" for arg in sys.argv[1:] if arg != "--apply"
    )
    text = report(rows, results, best, before, no_topics, command)
    Path(args.report).write_text(text)
    print(text)
    if args.apply:
        apply(best["setting"])
        print(f"applied: {describe(best['setting'])} (config.yml, actions/fallback.py); retrain now")


if __name__ == "__main__":
    main()
