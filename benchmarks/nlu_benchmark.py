"""NLU quality benchmark: 5-fold cross-validation of config.yml against Rasa's default pipeline.

Usage (Rasa environment): python benchmarks/nlu_benchmark.py [--folds 5] [--only project]
Each fold's predictions are kept in benchmarks/results/nlu/<name>/ (committed) and trained again only
when the data, the configuration or the folds change: an interrupted run of a slow configuration goes
on where it stopped. Each configuration's combined result is kept in var/benchmarks/nlu/<name>.result.json
(not committed); the report, docs/nlu-benchmark.md, combines all kept results and is rewritten after
each configuration.

What is measured is the intent classifier: the FallbackClassifier is taken out of every pipeline (its
threshold trades right answers against rephrase requests and is tuned on held-out data by
benchmarks/tune_fallback.py; left in, every rephrase request would count as a wrong intent). Pass
--with-fallback to measure the pipelines as they are.

Both configurations see the same data (data/nlu) and the same folds: Rasa draws its stratified folds
from numpy's global random state, which we seed before each run. Each fold is trained and tested with
Rasa's own functions (`train_nlu`, `compute_metrics`, `evaluate_intents`), as its `cross_validate` does,
without its extra pass over each fold's training part; we time the training and the classification.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import logging
import os
import platform
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["RASA_MAX_CACHE_SIZE"] = "0"  # no training cache: every fold really trains, so its time is honest

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {
    "project": ROOT / "config.yml",
    "rasa_init_default": ROOT / "benchmarks" / "configs" / "rasa_init_default.yml",
    #: The assistant's earlier pipeline: spaCy features into DIET (config.yml until 2026-11-24).
    "project_diet": ROOT / "benchmarks" / "configs" / "project_diet.yml",
}
#: Not a Rasa pipeline: TF-IDF character and word n-grams with a linear SVM (scikit-learn), on the same
#: folds. It shows how far features that only see spelling can get on this data, in seconds.
REFERENCE = "reference_tfidf_svm"
NOTES = ROOT / "benchmarks" / "nlu-benchmark-notes.md"
#: Each fold's predictions, committed: a slow configuration can be completed over several runs and machines.
FOLD_RESULTS = ROOT / "benchmarks" / "results" / "nlu"
SEED = 20261123
TOPICS = ("schulden", "huisvesting", "jeugdhulp")


def topic(intent: str) -> str:
    prefix = intent.split("_")[0]
    if prefix in TOPICS:
        return prefix
    return "crisis" if intent.startswith("crisis_") else "algemeen"


def fingerprint(*parts: Any) -> str:
    """What a fold's result depends on: the data, the configuration and the fold settings."""
    import hashlib

    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def data_fingerprint(data: Any) -> list[tuple[str, str]]:
    return sorted((example.get("text"), example.get("intent")) for example in data.intent_examples)


def pipeline_config(config: Path, with_fallback: bool) -> dict[str, Any]:
    """The configuration as a dict, without the FallbackClassifier unless asked to keep it."""
    import yaml

    loaded = yaml.safe_load(config.read_text())
    if not with_fallback:
        loaded["pipeline"] = [c for c in loaded["pipeline"] if c.get("name") != "FallbackClassifier"]
    loaded.pop("policies", None)
    loaded.pop("assistant_id", None)  # Rasa writes one into configs it trains; it changes nothing measured
    return loaded


async def run_fold(config_file: Path, train: Any, test: Any, work: Path) -> dict[str, Any]:
    """Train on one fold's training part and classify its test part, exactly as Rasa's cross_validate."""
    import rasa.model_training
    from rasa.core.agent import Agent
    from rasa.nlu.test import compute_metrics
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    training_file = work / "training_data.yml"
    RasaYAMLWriter().dump(training_file, train)
    started = time.perf_counter()
    model_file = rasa.model_training.train_nlu(str(config_file), str(training_file), str(work))
    train_seconds = time.perf_counter() - started
    processor = Agent.load(model_file).processor
    started = time.perf_counter()
    *_, intent_results, _, _ = await compute_metrics(processor, test)
    test_seconds = time.perf_counter() - started
    return {
        "train_seconds": train_seconds,
        "test_seconds": test_seconds,
        "results": [[r.intent_target, r.intent_prediction, r.message, r.confidence] for r in intent_results],
    }


def fold_json(fold: dict[str, Any]) -> str:
    """One prediction per line: readable in a diff, small enough to commit."""
    head = json.dumps({key: value for key, value in fold.items() if key != "results"}, ensure_ascii=False)
    rows = ",\n".join(json.dumps(row, ensure_ascii=False) for row in fold["results"])
    return f'{head[:-1]}, "results": [\n{rows}\n]}}\n'


async def cross_validate(
    name: str, config: dict[str, Any], data: Any, folds: int, out: Path, with_fallback: bool
) -> dict[str, Any]:
    """Rasa's stratified cross-validation, one fold at a time, each fold's result kept on disk.

    A fold already measured on the same data, configuration and folds is read back instead of trained
    again, so a slow configuration (Rasa's default DIET: about 30 minutes per fold on 2 cores) can be
    measured over several runs. Returns the combined result once every fold is there.
    """
    import numpy as np
    import rasa.shared.utils.io
    from rasa.nlu.test import IntentEvaluationResult, evaluate_intents, generate_folds

    key = fingerprint(data_fingerprint(data), config, folds, SEED, with_fallback)
    folder = FOLD_RESULTS / name
    folder.mkdir(parents=True, exist_ok=True)
    measured: list[dict[str, Any]] = []
    np.random.seed(SEED)  # Rasa draws the stratified folds from numpy's global random state
    with tempfile.TemporaryDirectory() as temp:
        config_file = Path(temp) / "config.yml"
        rasa.shared.utils.io.write_yaml(config, config_file)
        for index, (train, test) in enumerate(generate_folds(folds, data)):
            path = folder / f"fold-{index + 1}-of-{folds}.json"
            kept = json.loads(path.read_text()) if path.exists() else {}
            if kept.get("fingerprint") != key:
                print(f"  {name}: training fold {index + 1} of {folds} ...", flush=True)
                measured_fold = await run_fold(config_file, train, test, Path(temp))
                kept = {"fingerprint": key, "fold": index + 1, **measured_fold}
                path.write_text(fold_json(kept))
            measured.append(kept)
    intent_results = [IntentEvaluationResult(*row) for fold in measured for row in fold["results"]]
    (out / name).mkdir(parents=True, exist_ok=True)
    evaluation = evaluate_intents(intent_results, str(out / name), False, False, True, report_as_dict=True)
    report = evaluation["report"]
    test_messages = sum(len(fold["results"]) for fold in measured)
    return {
        "name": name,
        "report": report,
        "total_seconds": sum(fold["train_seconds"] + fold["test_seconds"] for fold in measured),
        "train_seconds": [fold["train_seconds"] for fold in measured],
        "ms_per_message": 1000 * sum(fold["test_seconds"] for fold in measured) / max(test_messages, 1),
        "examples": len(data.intent_examples),
    }


def reference_result(data: Any, folds: int) -> dict[str, Any]:
    import numpy as np
    from rasa.nlu.test import generate_folds
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import classification_report
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    np.random.seed(SEED)  # the same folds as the Rasa configurations
    gold: list[str] = []
    predicted: list[str] = []
    started = time.perf_counter()
    train_seconds = []
    for train, test in generate_folds(folds, data):
        texts = [example.get("text").lower() for example in train.intent_examples]
        model = make_pipeline(
            make_union(
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            ),
            LinearSVC(C=1.0),
        )
        fold_start = time.perf_counter()
        model.fit(texts, [example.get("intent") for example in train.intent_examples])
        train_seconds.append(time.perf_counter() - fold_start)
        gold += [example.get("intent") for example in test.intent_examples]
        predicted += list(model.predict([example.get("text").lower() for example in test.intent_examples]))
    return {
        "name": REFERENCE,
        "report": classification_report(gold, predicted, output_dict=True, zero_division=0),
        "total_seconds": time.perf_counter() - started,
        "train_seconds": train_seconds,
        "ms_per_message": 0.0,
        "examples": len(data.intent_examples),
    }


def per_intent_f1(report: dict[str, Any]) -> dict[str, float]:
    skip = {"accuracy", "macro avg", "weighted avg", "micro avg"}
    return {intent: values["f1-score"] for intent, values in report.items() if intent not in skip}


def topic_confusions(report: dict[str, Any]) -> list[tuple[str, str, int]]:
    """Messages of one topic classified as another (crisis and general intents included)."""
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    for intent, values in report.items():
        if not isinstance(values, dict):
            continue
        for other, count in (values.get("confused_with") or {}).items():
            if topic(intent) != topic(other):
                counts[(f"{intent}", f"{other}")] += count
    return [(a, b, n) for (a, b), n in counts.most_common(15)]


def render(results: list[dict[str, Any]], folds: int, progress: dict[str, dict[int, dict[str, Any]]]) -> str:
    by_name = {result["name"]: result for result in results}
    project = by_name["project"]
    lines = [
        "# NLU benchmark",
        "",
        f"Made by `.venv/rasa/bin/python benchmarks/nlu_benchmark.py` on {date.today().isoformat()}: "
        f"{folds}-fold stratified cross-validation on `data/nlu` ({project['examples']} examples, "
        f"{len(per_intent_f1(project['report']))} intents), the same folds for every configuration "
        f"(seed {SEED}), on this project's machine ({os.cpu_count()} cores, {platform.machine()}). "
        + (
            "The pipelines are measured as they are, FallbackClassifier included."
            if project.get("with_fallback")
            else "The FallbackClassifier is taken out of every pipeline: this measures the intent classifier."
        ),
        "",
        "| configuration | examples | macro intent F1 | weighted F1 | accuracy | training per fold "
        "| classification |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        report = result["report"]
        train = sum(result["train_seconds"]) / max(len(result["train_seconds"]), 1)
        lines.append(
            f"| {result['name']} | {result['examples']} | {report['macro avg']['f1-score']:.3f} "
            f"| {report['weighted avg']['f1-score']:.3f} | {report.get('accuracy', 0):.3f} | {train:.0f} s "
            f"| {result['ms_per_message']:.1f} ms/message |"
            if result["ms_per_message"]
            else f"| {result['name']} | {result['examples']} | {report['macro avg']['f1-score']:.3f} "
            f"| {report['weighted avg']['f1-score']:.3f} | {report.get('accuracy', 0):.3f} "
            f"| {train:.1f} s | — |"
        )
    lines += ["", "Target: macro intent F1 ≥ 0.90, and above the default pipeline.", ""]
    lines += [
        "## Intent F1 per intent",
        "",
        "| intent | " + " | ".join(by_name) + " |",
        "|---|" + "---|" * len(by_name),
    ]
    project_f1 = per_intent_f1(project["report"])
    for intent in sorted(project_f1, key=lambda i: (topic(i), i)):
        lines.append(
            f"| {intent} | "
            + " | ".join(f"{per_intent_f1(r['report']).get(intent, float('nan')):.3f}" for r in results)
            + " |"
        )
    lines += [
        "",
        "## Confusions between topics (project configuration)",
        "",
        "Test messages of one intent predicted as an intent of another topic, summed over the folds.",
        "",
        "| intent | predicted as | messages |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {n} |" for a, b, n in topic_confusions(project["report"])] or ["| none | | |"]
    missing = [name for name in CONFIGS if name not in by_name]
    if missing:
        lines += [
            "",
            "Not (yet) measured to the end on this data: "
            + ", ".join(f"{name} ({len(progress.get(name, {}))} of {folds} folds kept)" for name in missing)
            + "."
            + "".join(partial_comparison(progress, name) for name in missing),
        ]
    lines += [
        "",
        "Each fold's predictions: `benchmarks/results/nlu/<configuration>/` (committed; a fold is "
        "trained again only when the data, the configuration or the folds change). Combined Rasa "
        "reports: `var/benchmarks/nlu/<configuration>/intent_report.json` (not committed).",
        "",
    ]
    if NOTES.exists():  # the hand-written reading of the figures, kept across runs
        lines += ["## Reading of the figures", "", NOTES.read_text().strip(), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", choices=sorted([*CONFIGS, REFERENCE]), action="append")
    parser.add_argument("--data", default=str(ROOT / "data" / "nlu"), help="NLU data (file or folder)")
    parser.add_argument("--report", default=str(ROOT / "docs" / "nlu-benchmark.md"))
    parser.add_argument(
        "--with-fallback", action="store_true", help="keep the FallbackClassifier in every pipeline"
    )
    args = parser.parse_args()
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa logs every parsed test message at debug level otherwise

    out = ROOT / "var" / "benchmarks" / "nlu"
    data = load_data(args.data)  # once: every configuration sees exactly the same data
    out.mkdir(parents=True, exist_ok=True)
    for name in args.only or [*CONFIGS, REFERENCE]:
        print(f"cross-validating {name} ...", flush=True)
        if name == REFERENCE:
            result = reference_result(data, args.folds)
        else:
            config = pipeline_config(CONFIGS[name], args.with_fallback)
            result = asyncio.run(cross_validate(name, config, data, args.folds, out, args.with_fallback))
        result["with_fallback"] = args.with_fallback
        result["folds"] = args.folds
        print(
            f"{name}: macro F1 {result['report']['macro avg']['f1-score']:.3f} "
            f"in {result['total_seconds']:.0f} s",
            flush=True,
        )
        (out / f"{name}.result.json").write_text(json.dumps(result, indent=2))
        results = saved_results(out, args.folds, args.with_fallback)
        if "project" in {r["name"] for r in results}:
            text = render(results, args.folds, folds_kept(data, args.folds, args.with_fallback))
            Path(args.report).write_text(text)
            print(text, flush=True)


def folds_kept(data: Any, folds: int, with_fallback: bool) -> dict[str, dict[int, dict[str, Any]]]:
    """The folds of each Rasa configuration kept for the current data and settings, by fold number."""
    kept: dict[str, dict[int, dict[str, Any]]] = {}
    for name, config_path in CONFIGS.items():
        key = fingerprint(
            data_fingerprint(data), pipeline_config(config_path, with_fallback), folds, SEED, with_fallback
        )
        paths = (FOLD_RESULTS / name).glob(f"fold-*-of-{folds}.json")
        loaded = (json.loads(path.read_text()) for path in paths)
        kept[name] = {fold["fold"]: fold for fold in loaded if fold.get("fingerprint") == key}
    return kept


def partial_comparison(kept: dict[str, dict[int, dict[str, Any]]], name: str) -> str:
    """Macro F1 of a configuration measured only in part, beside the project's on the same folds."""
    from sklearn.metrics import f1_score

    numbers = sorted(set(kept.get(name, {})) & set(kept.get("project", {})))
    if not numbers:
        return ""

    def macro_f1(config: str) -> float:
        rows = [row for number in numbers for row in kept[config][number]["results"]]
        return float(f1_score([r[0] for r in rows], [r[1] for r in rows], average="macro", zero_division=0))

    folds = ", ".join(str(number) for number in numbers)
    return (
        f" On the folds kept so far ({folds}), not yet a result: macro F1 {macro_f1(name):.3f} for "
        f"{name}, {macro_f1('project'):.3f} for the project on the same folds."
    )


def saved_results(out: Path, folds: int, with_fallback: bool) -> list[dict[str, Any]]:
    """Every configuration measured so far with the same settings, so runs of one configuration combine."""
    results = []
    for name in [*CONFIGS, REFERENCE]:
        path = out / f"{name}.result.json"
        if path.exists():
            result = json.loads(path.read_text())
            if result.get("folds") == folds and result.get("with_fallback") == with_fallback:
                results.append(result)
    return results


if __name__ == "__main__":
    main()
