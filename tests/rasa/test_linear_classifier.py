"""The project's intent classifier (bot.assistant.nlp.linear_classifier) as a Rasa graph component: trained,
saved in Rasa's model storage, loaded back and classifying, without the rest of the pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.assistant.nlp import encoder
from bot.assistant.nlp.linear_classifier import LinearIntentClassifier

EXAMPLES = {
    "schulden": [
        "ik heb schulden",
        "de deurwaarder staat voor de deur",
        "ik kan mijn rekeningen niet betalen",
        "schuldhulp aanvragen bij de gemeente",
        "een aanmaning van de energie",
    ],
    "huisvesting": [
        "ik zoek een huurwoning",
        "mijn verhuurder wil me eruit zetten",
        "huurtoeslag aanvragen voor mijn woning",
        "mijn woning heeft schimmel",
        "urgentie voor een huis",
    ],
    "jeugdhulp": [
        "hulp voor mijn kind",
        "jeugdhulp aanvragen voor ons gezin",
        "mijn zoon heeft een wachtlijst",
        "opvoedvragen over mijn dochter",
        "vragen voor het consultatiebureau",
    ],
}


def _training_data(intents: list[str]) -> TrainingData:
    return TrainingData(
        [Message(data={"text": text, "intent": intent}) for intent in intents for text in EXAMPLES[intent]]
    )


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _trained(tmp_path: Path, intents: list[str], **config: object) -> LinearIntentClassifier:
    tmp_path.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear_intent_classifier")
    component = LinearIntentClassifier.create(
        {**LinearIntentClassifier.get_default_config(), **config}, storage, resource, _context()
    )
    component.train(_training_data(intents))
    return LinearIntentClassifier.load(component.config, storage, resource, _context())


def _classify(component: LinearIntentClassifier, text: str) -> Message:
    return component.process([Message(data={"text": text})])[0]


def test_a_saved_and_loaded_model_ranks_the_right_intent_first(tmp_path: Path) -> None:
    component = _trained(tmp_path, ["schulden", "huisvesting", "jeugdhulp"])
    message = _classify(component, "De deurwaarder komt morgen voor mijn schulden")
    ranking = message.get("intent_ranking")
    assert message.get("intent")["name"] == "schulden"
    assert [entry["name"] for entry in ranking][0] == "schulden"
    confidences = [entry["confidence"] for entry in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert _classify(component, "huurtoeslag voor mijn woning").get("intent")["name"] == "huisvesting"


def test_the_ranking_length_and_the_confidence_scale_are_settings(tmp_path: Path) -> None:
    sharp = _trained(
        tmp_path / "sharp", ["schulden", "huisvesting", "jeugdhulp"], ranking_length=2, confidence_scale=20.0
    )
    soft = _trained(tmp_path / "soft", ["schulden", "huisvesting", "jeugdhulp"], confidence_scale=1.0)
    text = "jeugdhulp aanvragen voor mijn kind"
    assert len(_classify(sharp, text).get("intent_ranking")) == 2
    sharp_confidence = _classify(sharp, text).get("intent")["confidence"]
    assert sharp_confidence > _classify(soft, text).get("intent")["confidence"]


def test_two_intents_are_both_ranked(tmp_path: Path) -> None:
    component = _trained(tmp_path, ["schulden", "huisvesting"])
    ranking = _classify(component, "mijn verhuurder wil me eruit zetten").get("intent_ranking")
    assert [entry["name"] for entry in ranking] == ["huisvesting", "schulden"]


def test_without_two_intents_nothing_is_trained_and_nothing_is_classified(tmp_path: Path) -> None:
    component = _trained(tmp_path, ["schulden"])
    assert component.model is None
    assert _classify(component, "ik heb schulden").get("intent") is None


#: Paraphrases that share no word with EXAMPLES: only the meaning can place them.
PARAPHRASES = {
    "geen dak boven mijn hoofd": "huisvesting",
    "onze tiener spijbelt en blowt": "jeugdhulp",
    "mijn puber luistert niet meer": "jeugdhulp",
    "ons kleintje huilt de hele nacht": "jeugdhulp",
}


def test_sentence_embeddings_place_paraphrases_the_n_grams_cannot(tmp_path: Path) -> None:
    intents = ["schulden", "huisvesting", "jeugdhulp"]
    semantic = _trained(tmp_path / "semantic", intents)
    sparse_only = _trained(tmp_path / "sparse", intents, embedding_weight=0)
    semantic_right = sum(
        _classify(semantic, text).get("intent")["name"] == intent for text, intent in PARAPHRASES.items()
    )
    sparse_right = sum(
        _classify(sparse_only, text).get("intent")["name"] == intent for text, intent in PARAPHRASES.items()
    )
    assert semantic_right == len(PARAPHRASES)
    assert sparse_right < semantic_right


def test_the_embedding_is_kept_on_the_message_for_the_safety_net(tmp_path: Path) -> None:
    component = _trained(tmp_path, ["schulden", "huisvesting"])
    message = _classify(component, "ik heb schulden")
    vector = message.get(encoder.MESSAGE_KEY)
    assert vector is not None and vector.shape == (encoder.DIMENSIONS,)
    assert abs(float(vector @ encoder.embed_one("ik heb schulden")) - 1.0) < 1e-3
    assert encoder.MESSAGE_KEY not in message.as_dict(only_output_properties=True)  # not in /model/parse


def test_a_message_with_its_embedding_is_fingerprinted_without_printing_the_vector() -> None:
    # Rasa fingerprints every training message before each training step; printing the 384 floats of
    # 7,000 examples cost 5% of a training. A float format that fails shows no vector is printed.
    first, second = (Message(data={"text": text}) for text in ("ik heb schulden", "ik zoek een huis"))
    encoder.embed_messages([first, second])
    assert isinstance(first.get(encoder.MESSAGE_KEY), encoder.Embedding)
    vector = first.get(encoder.MESSAGE_KEY).copy()
    same = Message(data={"text": "ik heb schulden", encoder.MESSAGE_KEY: vector})

    def refuse(value: float) -> str:
        raise AssertionError("a vector was printed for a fingerprint")

    with np.printoptions(formatter={"float_kind": refuse}):
        assert first.fingerprint() == same.fingerprint()
        assert first.fingerprint() != second.fingerprint()
        with pytest.raises(AssertionError):  # the format does fail for a printed vector
            str(np.ones(3, dtype=np.float32))


def test_the_saved_vectorizers_keep_no_dropped_terms(tmp_path: Path) -> None:
    component = _trained(tmp_path, ["schulden", "huisvesting"])
    vectorizers = [vectorizer for _, vectorizer in component.model["features"].transformer_list]
    assert vectorizers and not any(hasattr(vectorizer, "stop_words_") for vectorizer in vectorizers)
    assert _classify(component, "ik heb schulden").get("intent")["name"] == "schulden"


def test_a_message_of_one_or_two_words_is_classified_without_an_embedding(tmp_path: Path) -> None:
    component = _trained(tmp_path, ["schulden", "huisvesting", "jeugdhulp"])
    message = _classify(component, "jeugdhulp aanvragen")
    assert message.get(encoder.MESSAGE_KEY) is None  # the encoder was not called
    assert message.get("intent")["name"] == "jeugdhulp"
