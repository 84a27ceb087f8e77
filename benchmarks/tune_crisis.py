"""Tune the semantic crisis check's thresholds (bot/assistant/nlp/crisis_semantic.py) on the tuning material.

The index is built as in training (SafetyNet.train): the exemplars of bot/assistant/nlp/crisis_exemplars.yml
plus the NLU training examples of data/nlu. It is then asked about messages it does not contain, never
tests/nlu/independent/:
- crisis: our own indirect phrasings (tests/rasa/crisis_phrasings.py) and the held-out crisis messages
  in tests/nlu/*.yml;
- ordinary: our own contrast phrasings and the held-out non-crisis messages (not the nlu_fallback
  gibberish).

For a grid of thresholds it prints how often the semantic check alone says strong (a crisis reply) or
possible (a check-in), for all messages and for those the deterministic net does not decide already.

Usage: .venv/rasa/bin/python benchmarks/tune_crisis.py [--cache var/tune_crisis_embeddings.npz]
(embedding the training data takes a few minutes; the cache keeps the vectors for the next run).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.assistant.nlp import encoder  # noqa: E402
from bot.assistant.nlp.crisis_semantic import Thresholds  # noqa: E402
from bot.assistant.nlp.safety_component import build_index  # noqa: E402
from bot.assistant.nlp.safety_net import CRISIS_INTENTS, assess  # noqa: E402
from tests.rasa.crisis_phrasings import INDIRECT_CRISIS, NOT_CRISIS, POSSIBLE_CRISIS  # noqa: E402


def load_examples(folder: Path) -> list:  # type: ignore[type-arg]
    from rasa.shared.nlu.training_data.loading import load_data

    found = []
    for path in sorted(folder.glob("*.yml")):  # not recursive: tests/nlu/independent/ stays out
        found += load_data(str(path)).intent_examples
    return found


class CachedEncoder:
    """encoder.embed with the vectors of earlier runs kept in an .npz file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.embed = encoder.embed
        self.known: dict[str, np.ndarray] = {}
        if path and path.exists():
            data = np.load(path)
            self.known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in self.known})
        if missing:
            self.known.update(zip(missing, self.embed(missing), strict=True))
            if self.path:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                vectors = np.stack(list(self.known.values()))
                np.savez(self.path, texts=np.array(list(self.known)), vectors=vectors)
        return np.stack([self.known[t] for t in texts]) if texts else np.zeros((0, encoder.DIMENSIONS))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--per-intent", type=int, default=None, help="contrast examples per intent (all)")
    args = parser.parse_args()
    embed = CachedEncoder(args.cache)
    encoder.embed = embed  # type: ignore[assignment]  # build_index embeds through the cache too

    training = load_examples(ROOT / "data" / "nlu")
    index = build_index(training, args.per_intent)
    held_out = [(m.get("intent"), m.get("text")) for m in load_examples(ROOT / "tests" / "nlu")]
    crisis = [text for _, text in INDIRECT_CRISIS] + [t for i, t in held_out if i in CRISIS_INTENTS]
    ordinary = NOT_CRISIS + [t for i, t in held_out if i not in CRISIS_INTENTS and i != "nlu_fallback"]
    sets = {"crisis": crisis, "ordinary": ordinary, "possible": POSSIBLE_CRISIS}
    vectors = {name: embed(texts) for name, texts in sets.items()}
    undecided = {
        name: np.array([not (assess(t).is_crisis or assess(t).only_negated) for t in texts])
        for name, texts in sets.items()
    }
    print(f"index: {len(index.crisis)} crisis, {len(index.contrast)} contrast sentences")
    print(
        "; ".join(
            f"{name}: {len(texts)} ({int(undecided[name].sum())} not decided by the net)"
            for name, texts in sets.items()
        )
    )
    print(
        "strong s_margin possible p_margin | crisis strong/possible (undecided) | "
        "ordinary strong/possible (undecided) | our possible set strong/possible"
    )
    grid = itertools.product((0.40, 0.45, 0.50), (0.05, 0.07, 0.09), (0.40, 0.45), (0.0, 0.03, 0.05))
    defaults = Thresholds()
    for strong, s_margin, possible, p_margin in grid:
        if possible > strong or p_margin > s_margin:
            continue
        thresholds = Thresholds(strong, s_margin, possible, p_margin)
        mark = "  <- defaults" if thresholds == defaults else ""
        row = []
        for name in sets:
            levels = np.array([index.match(v, thresholds).level or "" for v in vectors[name]])
            mask = undecided[name]
            row.append(
                f"{(levels == 'strong').sum():3d} {(levels == 'possible').sum():3d} "
                f"({(levels[mask] == 'strong').sum():2d} {(levels[mask] == 'possible').sum():2d})"
            )
        print(f"{strong:.2f} {s_margin:.2f} {possible:.2f} {p_margin:.2f} | " + " | ".join(row) + mark)
    report(index, sets, vectors, Thresholds())


def report(index, sets, vectors, thresholds: Thresholds) -> None:  # type: ignore[no-untyped-def]
    """The messages nearest the thresholds, with the defaults: what a change would win or lose."""
    print(f"\nwith the defaults {thresholds}:")
    for name in sets:
        matches = [(index.match(v, thresholds), t) for v, t in zip(vectors[name], sets[name], strict=True)]
        matches.sort(key=lambda pair: -pair[0].margin)
        print(f"  {name}: highest margins")
        for match, text in matches[:8]:
            level = match.level or "-"
            print(f"    {match.margin:+.3f} {match.similarity:.3f} {level:8s} {match.kind} | {text}")


if __name__ == "__main__":
    main()
