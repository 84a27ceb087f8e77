"""NLU quality benchmark: 5-fold cross-validation of config.yml against Rasa's default pipeline.

Usage (Rasa environment): python benchmarks/nlu_benchmark.py [--folds 5] [--only project]
Each configuration's result is kept in var/benchmarks/nlu/<name>.result.json; the report combines all kept results.
Writes docs/nlu-benchmark.md (and the raw Rasa reports under var/benchmarks/nlu/, which `make test`
leaves alone). The report is rewritten after each configuration, so a long run shows partial results.

What is measured is the intent classifier: the FallbackClassifier is taken out of both pipelines (its
threshold trades right answers against rephrase requests and is tuned on held-out data by
benchmarks/tune_fallback.py; left in, every rephrase request would count as a wrong intent). Pass
--with-fallback to measure the pipelines as they are.

Both configurations see the same data (data/nlu) and the same folds: Rasa draws its stratified folds
from numpy's global random state, which we seed before each run. We time each fold's training and
the classification of its test messages by wrapping Rasa's own functions.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import platform
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["RASA_MAX_CACHE_SIZE"] = "0"  # no training cache: every fold really trains, so its time is honest  # Rasa logs every parsed message at debug level otherwise

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {
    "project": ROOT / "config.yml",
    "rasa_init_default": ROOT / "benchmarks" / "configs" / "rasa_init_default.yml",
}
#: Not a Rasa pipeline: TF-IDF character and word n-grams with a linear SVM (scikit-learn), on the same
#: folds. It shows how far features that only see spelling can get on this data, in seconds.
REFERENCE = "reference_tfidf_svm"
NOTES = ROOT / "benchmarks" / "nlu-benchmark-notes.md"
SEED = 20261123
TOPICS = ("schulden", "huisvesting", "jeugdhulp")


def topic(intent: str) -> str:
    prefix = intent.split("_")[0]
    if prefix in TOPICS:
        return prefix
    return "crisis" if intent.startswith("crisis_") else "algemeen"


class Timer:
    """Wraps Rasa's per-fold training and test-set classification to time them."""

    def __init__(self) -> None:
        self.train_seconds: list[float] = []
        self.test_seconds: list[float] = []
        self.test_messages: list[int] = []

    def install(self) -> None:
        import rasa.model_training
        import rasa.nlu.test as nlu_test

        original_train = rasa.model_training.train_nlu
        original_combine = nlu_test.combine_result

        def timed_train(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original_train(*args, **kwargs)
            finally:
                self.train_seconds.append(time.perf_counter() - start)

        async def timed_combine(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            result = await original_combine(*args, **kwargs)
            if len(args) > 5 or "intent_results" in kwargs:  # the test-set call, not the train-set one
                self.test_seconds.append(time.perf_counter() - start)
                self.test_messages.append(len(args[4].intent_examples))
            return result

        rasa.model_training.train_nlu = timed_train
        nlu_test.combine_result = timed_combine


def pipeline_config(config: Path, with_fallback: bool) -> dict[str, Any]:
    """The configuration as a dict, without the FallbackClassifier unless asked to keep it."""
    import yaml

    loaded = yaml.safe_load(config.read_text())
    if not with_fallback:
        loaded["pipeline"] = [c for c in loaded["pipeline"] if c.get("name") != "FallbackClassifier"]
    loaded.pop("policies", None)
    return loaded


async def cross_validate(name: str, config: dict[str, Any], data: Any, folds: int, out: Path) -> dict[str, Any]:
    import numpy as np
    from rasa.nlu.test import cross_validate as rasa_cross_validate

    timer = Timer()
    timer.install()
    np.random.seed(SEED)  # the same folds for every configuration
    started = time.perf_counter()
    await rasa_cross_validate(data, folds, config, output=str(out / name), disable_plotting=True,
                              report_as_dict=True)
    report = json.loads((out / name / "intent_report.json").read_text())
    return {
        "name": name,
        "report": report,
        "total_seconds": time.perf_counter() - started,
        "train_seconds": timer.train_seconds,
        "ms_per_message": 1000 * sum(timer.test_seconds) / max(sum(timer.test_messages), 1),
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
            make_union(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                       TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
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


def render(results: list[dict[str, Any]], folds: int) -> str:
    by_name = {result["name"]: result for result in results}
    project = by_name["project"]
    lines = [
        "# NLU benchmark",
        "",
        f"Made by `.venv/rasa/bin/python benchmarks/nlu_benchmark.py` on {date.today().isoformat()}: "
        f"{folds}-fold stratified cross-validation on `data/nlu` ({project['examples']} examples, "
        f"{len(per_intent_f1(project['report']))} intents), the same folds for every configuration "
        f"(seed {SEED}), on this project's machine ({os.cpu_count()} cores, {platform.machine()}). "
        + ("The pipelines are measured as they are, FallbackClassifier included."
           if project.get("with_fallback") else
           "The FallbackClassifier is taken out of both pipelines: this measures the intent classifier."),
        "",
        "| configuration | examples | macro intent F1 | weighted F1 | accuracy | training per fold | classification |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        report = result["report"]
        train = sum(result["train_seconds"]) / max(len(result["train_seconds"]), 1)
        lines.append(
            f"| {result['name']} | {result['examples']} | {report['macro avg']['f1-score']:.3f} | {report['weighted avg']['f1-score']:.3f} "
            f"| {report.get('accuracy', 0):.3f} | {train:.0f} s | {result['ms_per_message']:.1f} ms/message |"
            if result["ms_per_message"] else
            f"| {result['name']} | {result['examples']} | {report['macro avg']['f1-score']:.3f} "
            f"| {report['weighted avg']['f1-score']:.3f} | {report.get('accuracy', 0):.3f} | {train:.1f} s | — |"
        )
    lines += ["", "Target: macro intent F1 ≥ 0.90, and above the default pipeline.", ""]
    lines += ["## Intent F1 per intent", "", "| intent | " + " | ".join(by_name) + " |",
              "|---|" + "---|" * len(by_name)]
    project_f1 = per_intent_f1(project["report"])
    for intent in sorted(project_f1, key=lambda i: (topic(i), i)):
        lines.append(f"| {intent} | " + " | ".join(
            f"{per_intent_f1(r['report']).get(intent, float('nan')):.3f}" for r in results) + " |")
    lines += ["", "## Confusions between topics (project configuration)", "",
              "Test messages of one intent predicted as an intent of another topic, summed over the folds.", "",
              "| intent | predicted as | messages |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {n} |" for a, b, n in topic_confusions(project["report"])] or ["| none | | |"]
    missing = [name for name in CONFIGS if name not in by_name]
    if missing:
        lines += ["", f"Not (yet) measured in this run: {', '.join(missing)}."]
    lines += ["", "Raw reports: `var/benchmarks/nlu/<configuration>/intent_report.json` (not committed).", ""]
    if NOTES.exists():  # the hand-written reading of the figures, kept across runs
        lines += ["## Reading of the figures", "", NOTES.read_text().strip(), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", choices=sorted([*CONFIGS, REFERENCE]), action="append")
    parser.add_argument("--data", default=str(ROOT / "data" / "nlu"), help="NLU data (file or folder)")
    parser.add_argument("--report", default=str(ROOT / "docs" / "nlu-benchmark.md"))
    parser.add_argument("--with-fallback", action="store_true", help="keep the FallbackClassifier in both pipelines")
    args = parser.parse_args()
    from rasa.shared.nlu.training_data.loading import load_data

    out = ROOT / "var" / "benchmarks" / "nlu"
    data = load_data(args.data)  # once: every configuration sees exactly the same data
    out.mkdir(parents=True, exist_ok=True)
    for name in args.only or [*CONFIGS, REFERENCE]:
        print(f"cross-validating {name} ...", flush=True)
        if name == REFERENCE:
            result = reference_result(data, args.folds)
        else:
            config = pipeline_config(CONFIGS[name], args.with_fallback)
            result = asyncio.run(cross_validate(name, config, data, args.folds, out))
        result["with_fallback"] = args.with_fallback
        result["folds"] = args.folds
        print(f"{name}: macro F1 {result['report']['macro avg']['f1-score']:.3f} "
              f"in {result['total_seconds']:.0f} s", flush=True)
        (out / f"{name}.result.json").write_text(json.dumps(result, indent=2))
        results = saved_results(out, args.folds, args.with_fallback)
        if "project" in {r["name"] for r in results}:
            text = render(results, args.folds)
            Path(args.report).write_text(text)
            print(text, flush=True)


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
