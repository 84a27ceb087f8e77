"""The semantic crisis check: how close a message is to crisis messages, in the shared e5 embedding space.

The third layer next to the crisis intents and the deterministic net (README "Safety net"). It finds
crisis messages in words that neither knows: indirect phrasings, other word order, English and other
languages the multilingual encoder knows.

Two sets of sentences are embedded once, when the model is trained (SafetyNet.train):
- crisis: the exemplars of crisis_exemplars.yml (indirect wording, Dutch and English) and every training
  example of a crisis intent, each labelled with its crisis kind;
- contrast: the contrast lines of crisis_exemplars.yml (ordinary messages that look like a crisis on the
  surface) and every other training example.

e5 puts all short Dutch sentences close together ("ik wil een afspraak" is 0.88 from "ik wil dood"), so
the vectors are centred on the mean of both sets first, and a message is judged by its *margin*: the
cosine similarity to its two nearest crisis sentences minus that to its two nearest contrast sentences.

- strong:   margin >= `strong_margin` and similarity >= `strong`     -> the crisis reply of that kind;
- possible: margin >= `possible_margin` and similarity >= `possible` -> a gentle check-in, then the answer.

The thresholds were chosen with benchmarks/tune_crisis.py on our own phrasings and the held-out set in
tests/nlu/ (never on tests/nlu/independent/); the README gives the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import yaml

EXEMPLARS = Path(__file__).with_name("crisis_exemplars.yml")
CONTRAST = "contrast"
NEIGHBOURS = 2
Level = Literal["strong", "possible"]


@dataclass(frozen=True)
class Thresholds:
    strong: float = 0.45
    strong_margin: float = 0.07
    possible: float = 0.45
    possible_margin: float = 0.05


@dataclass(frozen=True)
class SemanticMatch:
    """The nearest crisis kind, the similarities to crisis and contrast sentences, and the level."""

    kind: str | None
    similarity: float
    contrast: float
    level: Level | None

    @property
    def margin(self) -> float:
        return self.similarity - self.contrast


def exemplar_texts(path: Path = EXEMPLARS) -> tuple[list[tuple[str, str]], list[str]]:
    """([(crisis kind, text)], [contrast text]) of the exemplar file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    crisis = [(kind, text) for kind, lines in data["kinds"].items() for text in lines]
    return crisis, list(data[CONTRAST])


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


class ExemplarIndex:
    """Centred, normalised embeddings of crisis sentences (with their kind) and contrast sentences."""

    def __init__(self, crisis: np.ndarray, kinds: list[str], contrast: np.ndarray, mean: np.ndarray) -> None:
        self.mean = mean.astype(np.float32)
        self.crisis = _normalised(crisis.astype(np.float32) - self.mean)
        self.contrast = _normalised(contrast.astype(np.float32) - self.mean)
        self.kinds = np.array(kinds)

    @classmethod
    def build(cls, crisis: np.ndarray, kinds: list[str], contrast: np.ndarray) -> ExemplarIndex:
        """From raw (uncentred) e5 embeddings; the mean of both sets becomes the centre."""
        return cls(crisis, kinds, contrast, np.vstack([crisis, contrast]).mean(axis=0))

    def save(self, path: Path) -> None:
        """Stored centred, in half precision: about 4 MB for the whole training set."""
        np.savez_compressed(
            path,
            crisis=self.crisis.astype(np.float16),
            kinds=self.kinds,
            contrast=self.contrast.astype(np.float16),
            mean=self.mean,
        )

    @classmethod
    def load(cls, path: Path) -> ExemplarIndex:
        data = np.load(path, allow_pickle=False)
        index = cls.__new__(cls)
        index.mean = data["mean"].astype(np.float32)
        index.crisis = data["crisis"].astype(np.float32)
        index.contrast = data["contrast"].astype(np.float32)
        index.kinds = data["kinds"]
        return index

    def match(self, vector: np.ndarray, thresholds: Thresholds) -> SemanticMatch:
        """Compare one e5 message embedding (as from `encoder.embed_one`) with both sets."""
        if not np.any(vector):
            return SemanticMatch(None, 0.0, 0.0, None)
        query = _normalised(np.asarray(vector, dtype=np.float32) - self.mean)
        to_crisis = self.crisis @ query
        to_contrast = self.contrast @ query
        similarity = float(np.mean(np.sort(to_crisis)[-NEIGHBOURS:]))
        contrast = float(np.mean(np.sort(to_contrast)[-NEIGHBOURS:]))
        margin = similarity - contrast
        level: Level | None = None
        if margin >= thresholds.strong_margin and similarity >= thresholds.strong:
            level = "strong"
        elif margin >= thresholds.possible_margin and similarity >= thresholds.possible:
            level = "possible"
        return SemanticMatch(str(self.kinds[int(np.argmax(to_crisis))]), similarity, contrast, level)
