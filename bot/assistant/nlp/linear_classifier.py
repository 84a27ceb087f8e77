"""Rasa intent classifier: TF-IDF n-grams and e5 sentence embeddings in one linear SVM (scikit-learn).

Why not DIET: on this project's data (many close intents, deliberately varied examples, 5,000 messages)
a linear model on character n-grams (typos, Dutch compounds) and word n-grams on spaCy's lemmas
(schulden -> schuld) separates the intents better in cross-validation and trains in seconds instead of
minutes (docs/nlu-benchmark.md).

Semantic features: residents use words the training data happens not to contain ("rode cijfers",
"pleeggezin"). The message's multilingual-e5-small embedding (bot/assistant/nlp/encoder.py), times
`embedding_weight`, is put next to the sparse TF-IDF features; the weight balances the 384 dense values
against the many sparse ones (chosen by cross-validation, docs/nlu-benchmark.md). The embedding stays on
the message (`encoder.MESSAGE_KEY`), so the safety net's semantic check reuses it. `embedding_weight: 0`
switches the features off.

Confidences: an SVM gives scores, not probabilities. The ranking is a softmax over the scores times
`confidence_scale`; the FallbackClassifier's threshold is tuned on held-out messages for that scale
(benchmarks/tune_fallback.py, docs/fallback-threshold.md).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_union
from sklearn.svm import LinearSVC

from bot.assistant.nlp import encoder

logger = logging.getLogger(__name__)

_MODEL_FILE = "linear_intent_classifier.skops"
#: The estimator classes the saved model may contain (skops refuses to load anything else).
_TRUSTED = [
    "bot.assistant.nlp.linear_classifier._lemmas",
    "bot.assistant.nlp.linear_classifier._raw_text",
    "numpy.float64",
    "scipy.sparse._csr.csr_matrix",  # the TF-IDF weights
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
    "sklearn.svm._classes.LinearSVC",
]
#: Separates the raw text from the lemmas in the one string the model is given.
_LEMMA_MARK = "\x1f"


def model_input(message: Message) -> str:
    """The lower-cased text, then the tokens' lemmas (the tokenizer's, when there is one)."""
    text = (message.get(TEXT) or "").lower()
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    lemmas = " ".join((token.lemma or token.text).lower() for token in tokens) or text
    return f"{text}{_LEMMA_MARK}{lemmas}"


def _raw_text(model_input_text: str) -> str:
    return model_input_text.split(_LEMMA_MARK, 1)[0]


def _lemmas(model_input_text: str) -> str:
    return model_input_text.split(_LEMMA_MARK, 1)[-1]


def build_model(config: dict[str, Any]) -> Pipeline:
    """Character n-grams of the text and word n-grams of the lemmas, TF-IDF weighted, into a linear SVM.

    The two steps are fitted one after the other by `fit`, not as a pipeline: the embeddings join the
    sparse features in between.
    """
    characters = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=tuple(config["char_ngram_range"]),
        sublinear_tf=True,
        preprocessor=_raw_text,
    )
    words = TfidfVectorizer(
        ngram_range=tuple(config["word_ngram_range"]),
        sublinear_tf=True,
        preprocessor=_lemmas,
    )
    return Pipeline([("features", make_union(characters, words)), ("svm", LinearSVC(C=config["C"]))])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Predicts the intent with a linear SVM over TF-IDF character and lemma n-grams."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 1.0,
            "char_ngram_range": [2, 5],
            "word_ngram_range": [1, 2],
            "confidence_scale": 5.0,
            "ranking_length": 10,
            "embedding_weight": 3.0,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Pipeline | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.warning("LinearIntentClassifier needs at least two intents; it is not trained.")
            return self._resource
        self.model = build_model(self.config)
        sparse = self.model["features"].fit_transform([model_input(e) for e in examples])
        for _, vectorizer in self.model["features"].transformer_list:
            # Only needed for introspection; it would keep dropped terms in the saved model (CVE-2024-5206).
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
        self.model["svm"].fit(self._with_embeddings(sparse, examples), [e.get(INTENT) for e in examples])
        self.persist()
        return self._resource

    def _with_embeddings(self, sparse: Any, messages: list[Message]) -> Any:
        """The sparse features, with the weighted sentence embeddings of the messages beside them."""
        weight = float(self.config["embedding_weight"])
        if weight <= 0:
            return sparse
        dense = np.zeros((len(messages), encoder.DIMENSIONS), dtype=np.float32)
        embedded = [i for i, message in enumerate(messages) if encoder.worth_embedding(message.get(TEXT))]
        if embedded:
            dense[embedded] = encoder.embed_messages([messages[i] for i in embedded])
        return hstack([sparse, csr_matrix(dense * weight)], format="csr")

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        sparse = self.model["features"].transform([model_input(m) for m in messages])
        scores = np.atleast_2d(self.model["svm"].decision_function(self._with_embeddings(sparse, messages)))
        classes = self.model.classes_
        if len(classes) == 2:  # a binary SVM gives one score: that of the second class
            scores = np.hstack([-scores.T, scores.T])
        confidences = softmax(self.config["confidence_scale"] * scores, axis=1)
        for message, row in zip(messages, confidences, strict=True):
            order = np.argsort(-row)[: max(1, self.config["ranking_length"])]
            ranking = [{"name": str(classes[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        import skops.io

        with self._model_storage.write_to(self._resource) as directory:
            skops.io.dump(self.model, directory / _MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import skops.io

        try:
            with model_storage.read_from(resource) as directory:
                model = skops.io.load(directory / _MODEL_FILE, trusted=_TRUSTED)
        except ValueError:  # nothing was persisted: trained without intents
            logger.warning("LinearIntentClassifier found no trained model; it will not classify.")
            model = None
        return cls(config, model_storage, resource, model)
