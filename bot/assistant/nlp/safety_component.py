"""Rasa NLU component that applies the crisis checks after intent classification.

Placed last in config.yml's pipeline (after FallbackClassifier), so that a crisis message gets a
crisis intent with confidence 1.0 even when the model was unsure, predicted a fallback, or a form is
active. Three layers decide together (README "Safety net"):

1. the NLU model's own crisis intents;
2. the deterministic net (safety_net.py): a signal sets the crisis intent; a message that only denies a
   crisis ("ik wil niet dood, ik wil hulp met mijn schulden") is steered to the best non-crisis intent;
3. the semantic check (crisis_semantic.py): similarity to crisis sentences in the e5 embedding space,
   against ordinary ones. A strong match sets the crisis intent; a possible one keeps the intent and
   marks the message. Training embeds the exemplars and the NLU training examples once and stores them
   in the model (`crisis_index.npz`), so a running assistant only embeds the message itself (or reuses
   the classifier's embedding, `encoder.MESSAGE_KEY`).

A crisis guess of the model alone, backed by neither the net nor the semantic check, is trusted only
when the model is very sure (`trust_model_crisis_alone_from`) and the net sees no everyday phrase behind
it ("ik ga dood van het lachen"); otherwise the best non-crisis intent replaces it. The false alarms of
issue 19 ("can I make an appointment" -> the suicide reply, a worried parent -> Veilig Thuis) were model
guesses of that kind. The model may make the net's crisis kind more urgent (`trust_nlu_crisis_kind_from`),
to acute danger only when quite sure (`trust_nlu_acute_from`): it reads "pillen" as acute danger also
when nothing was taken yet.

The component marks every message for bot/assistant/nlp/safety_policy.py: `safety_check_in` (the crisis kind
of a possible signal: a gentle check-in comes first, then the answer) and `message_language` ("nl", "en",
"other": an English line comes with the reply).
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
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.assistant.nlp import crisis_semantic, encoder, language
from bot.assistant.nlp.safety_net import CRISIS_INTENTS, VIOLENCE_KINDS, Assessment, CrisisKind, assess
from bot.assistant.nlp.safety_policy import CHECK_IN_KEY, LANGUAGE_KEY, UNSURE_KIND

logger = logging.getLogger(__name__)

NLU_FALLBACK = "nlu_fallback"
SEMANTIC_KEY = "safety_semantic"
_URGENCY = {kind.value: rank for rank, kind in enumerate(CrisisKind)}
#: Crises that "nu", "op dit moment" turn into acute danger (112 first): something is being done to someone.
#: Kinds the model may not turn the net's sexual violence into: their lines (Veilig Thuis) are about the
#: home, while image abuse or an assault outside it needs the Centrum Seksueel Geweld first.
_NOT_INSTEAD_OF_SEXUAL = frozenset({CrisisKind.CHILD_DANGER.value, CrisisKind.DOMESTIC_VIOLENCE.value})
#: Kinds the model may not turn the net's violence into (crisis set 5: strangling, an elderly woman touched by
#: her carer and a neglected child all got the suicide line from a model that had read "tired", "zwart").
_NOT_INSTEAD_OF_VIOLENCE = frozenset({CrisisKind.SUICIDE.value, CrisisKind.SELF_HARM.value})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SafetyNet(GraphComponent, IntentClassifier):
    """Sets a crisis intent on a crisis signal; marks possible signals and the message's language."""

    INDEX_FILE = "crisis_index.npz"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        defaults = crisis_semantic.Thresholds()
        return {
            # An NLU crisis prediction at least this confident may refine the net's crisis kind ...
            "trust_nlu_crisis_kind_from": 0.5,
            # ... and this confident, make it acute danger.
            "trust_nlu_acute_from": 0.9,
            # Below this, a crisis intent of the model alone (no net, no semantic signal) is not trusted.
            "trust_model_crisis_alone_from": 0.9,
            # A crisis guess of the model that is not trusted for a crisis reply, or an unsure message
            # (nlu_fallback) whose best guess is a crisis intent, at least this likely and without a
            # harmless reading ("dood van het lachen"), gets a check-in that names every line.
            # Tuned on the tuning sets (docs/nlu-benchmark.md, "Crisis").
            "check_in_unsure_crisis_from": 0.5,
            # When such a guess is replaced: the next intent must reach this, else nlu_fallback.
            # Keep it equal to FallbackClassifier's threshold.
            "fallback_threshold": 0.35,
            "semantic_check": True,
            # How many training examples of each non-crisis intent the semantic check compares with
            # (null: all; fewer make training faster and the check worse, benchmarks/tune_crisis.py).
            "contrast_examples_per_intent": None,
            "strong_similarity": defaults.strong,
            "strong_margin": defaults.strong_margin,
            "possible_similarity": defaults.possible,
            "possible_margin": defaults.possible_margin,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        index: crisis_semantic.ExemplarIndex | None = None,
    ) -> None:
        self.config = config
        self._model_storage, self._resource = model_storage, resource
        self.index = index
        self.thresholds = crisis_semantic.Thresholds(
            strong=config["strong_similarity"],
            strong_margin=config["strong_margin"],
            possible=config["possible_similarity"],
            possible_margin=config["possible_margin"],
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Embed the crisis exemplars and the training examples once, and store them with the model."""
        if self.config["semantic_check"] and self._model_storage is not None and self._resource is not None:
            index = build_index(training_data.intent_examples, self.config["contrast_examples_per_intent"])
            with self._model_storage.write_to(self._resource) as directory:
                index.save(directory / self.INDEX_FILE)
        return self._resource  # type: ignore[return-value]

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SafetyNet:
        index = None
        if config.get("semantic_check", True):
            try:
                with model_storage.read_from(resource) as directory:
                    index = crisis_semantic.ExemplarIndex.load(directory / cls.INDEX_FILE)
            except (ValueError, FileNotFoundError):
                logger.warning("No crisis index in the model: the semantic crisis check is off (retrain)")
        return cls(config, model_storage, resource, index)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._apply(message)
        return messages

    def _apply(self, message: Message) -> None:
        text = message.get("text") or ""
        if not text or text.startswith("/"):  # button payloads carry their own intent
            return
        assessment = assess(text)
        semantic = self._semantic(message, text, assessment)
        predicted = message.get("intent") or {}
        predicted_name = predicted.get("name")
        confidence = predicted.get("confidence") or 0.0
        crisis: str | None = None
        check_in: str | None = None
        if assessment.is_crisis:
            crisis = self._refined(assessment.kind.value, predicted_name, confidence)  # type: ignore[union-attr]
            logger.info("Safety net: crisis signal, intent set to %s", crisis)
        elif assessment.only_negated:
            if predicted_name in CRISIS_INTENTS:
                self._replace_crisis_guess(message, "negated crisis words only")
            check_in = assessment.possible.value if assessment.possible else None
        elif assessment.settled:  # "drie jaar geleden een poging gedaan, nu gaat het goed"; a school project
            if predicted_name in CRISIS_INTENTS:
                self._replace_crisis_guess(message, "a past crisis that is over, or a topic named")
            check_in = assessment.possible.value if assessment.possible else None
        elif semantic and semantic.level == "strong" and not assessment.harmless_signals:
            # no words behind the semantic kind that the model must not overrule (crisis set 10: an intent to
            # die in a bailiff question, suicide at 0.80 for the model, was nearest to violence at home)
            kind = self._refined(str(semantic.kind), predicted_name, confidence, net_words=False)
            crisis = _acute_if_now(kind, assessment)
            logger.info(
                "Safety net: close to crisis sentences (margin %.3f), intent set to %s",
                semantic.margin,
                crisis,
            )
        elif predicted_name in CRISIS_INTENTS:
            backed = (semantic and semantic.level) or assessment.possible
            sure = confidence >= self.config["trust_model_crisis_alone_from"]
            # an everyday phrase behind it ("cutting class", "ik spring even binnen") outweighs the backing
            if (not backed and not sure) or assessment.harmless_signals:
                self._replace_crisis_guess(message, f"crisis guess of the model alone ({confidence:.2f})")
                # not trusted for a crisis reply; likely enough, it is a reason to ask
                check_in = self._likely_crisis(predicted_name, confidence, assessment)
            elif _acute_if_now(predicted_name, assessment) != predicted_name:
                crisis = CrisisKind.ACUTE_DANGER.value  # "hij slaat haar op dit moment": 112 first
        else:
            if assessment.possible:
                check_in = assessment.possible.value
            elif semantic and semantic.level == "possible" and not assessment.harmless_signals:
                check_in = semantic.kind  # not for an everyday phrase ("wachten op de trein")
            elif predicted_name == NLU_FALLBACK:
                ranking = message.get("intent_ranking") or []
                best: dict[str, Any] = next((r for r in ranking if r.get("name") != NLU_FALLBACK), {})
                check_in = self._likely_crisis(best.get("name"), best.get("confidence") or 0.0, assessment)
        if crisis:
            self._set_intent(message, crisis, 1.0)
        if check_in:
            logger.info("Safety net: possible signal (%s), a check-in comes first", check_in)
        net = {"crisis": crisis, "negated_only": assessment.only_negated}
        message.set("safety_net", net, add_to_output=True)
        message.set(CHECK_IN_KEY, check_in, add_to_output=True)
        message.set(LANGUAGE_KEY, language.detect(text), add_to_output=True)
        message.set(
            SEMANTIC_KEY,
            None
            if semantic is None
            else {
                "kind": semantic.kind,
                "similarity": round(semantic.similarity, 4),
                "contrast": round(semantic.contrast, 4),
                "level": semantic.level,
            },
            add_to_output=True,
        )

    def _semantic(
        self, message: Message, text: str, assessment: Assessment
    ) -> crisis_semantic.SemanticMatch | None:
        """The semantic check, when the net has not decided and the message is long enough."""
        if self.index is None or assessment.is_crisis or assessment.only_negated or assessment.settled:
            return None
        if not encoder.worth_embedding(text):  # "ja", "hoi daar": too little to compare
            return None
        vector = message.get(encoder.MESSAGE_KEY)  # set by the classifier when it embeds the message
        if vector is None:
            vector = encoder.embed_one(text)
        return self.index.match(np.asarray(vector, dtype=np.float32), self.thresholds)

    def _likely_crisis(self, name: str | None, confidence: float, assessment: Assessment) -> str | None:
        """The check-in for a crisis guess of the model that is likely enough and has no harmless reading.

        Its kind is as unsure as the guess (a suicidal message read as danger to a child), so the check-in
        names every line (`UNSURE_KIND`), not only the guessed kind's."""
        likely = confidence >= self.config["check_in_unsure_crisis_from"]
        if name in CRISIS_INTENTS and likely and not assessment.harmless_signals:
            return UNSURE_KIND
        return None

    def _refined(
        self, kind: str, predicted_name: str | None, confidence: float, *, net_words: bool = True
    ) -> str:
        """The more urgent of `kind` and a confident crisis prediction of the model.

        `net_words`: `kind` is the net's, read in the resident's words, which the model may not turn into a
        line without that help (violence into 113 drops Veilig Thuis / the CSG); a semantic kind has none."""
        if predicted_name not in CRISIS_INTENTS or confidence < self.config["trust_nlu_crisis_kind_from"]:
            return kind
        acute = CrisisKind.ACUTE_DANGER.value
        if predicted_name == acute and confidence < self.config["trust_nlu_acute_from"]:
            return kind
        sexual = kind == CrisisKind.SEXUAL_VIOLENCE.value and predicted_name in _NOT_INSTEAD_OF_SEXUAL
        if net_words and (sexual or (kind in VIOLENCE_KINDS and predicted_name in _NOT_INSTEAD_OF_VIOLENCE)):
            return kind
        return min(kind, predicted_name, key=_URGENCY.__getitem__)

    def _replace_crisis_guess(self, message: Message, why: str) -> None:
        """Set the best non-crisis intent of the ranking (nlu_fallback when it is too unsure)."""
        alternative = next(
            (
                ranked
                for ranked in message.get("intent_ranking") or []
                if ranked.get("name") not in CRISIS_INTENTS and ranked.get("name") != NLU_FALLBACK
            ),
            None,
        )
        if alternative is None:
            return
        name, confidence = alternative["name"], alternative.get("confidence") or 0.0
        if confidence < self.config["fallback_threshold"]:
            name, confidence = NLU_FALLBACK, self.config["fallback_threshold"]
        logger.info("Safety net: %s, intent set to %s", why, name)
        self._set_intent(message, name, confidence)

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float) -> None:
        intent = {"name": name, "confidence": confidence}
        ranking = [entry for entry in message.get("intent_ranking") or [] if entry.get("name") != name]
        message.set("intent", intent, add_to_output=True)
        message.set("intent_ranking", [intent, *ranking], add_to_output=True)


def _acute_if_now(kind: str, assessment: Assessment) -> str:
    """Acute danger when violence is going on right now (the net does the same for its own signals)."""
    return CrisisKind.ACUTE_DANGER.value if kind in VIOLENCE_KINDS and assessment.now_mentioned else kind


def build_index(
    examples: list[Message], contrast_per_intent: int | None = None
) -> crisis_semantic.ExemplarIndex:
    """The semantic check's index: the exemplar file plus the NLU training examples.

    Every crisis example is used, and of each other intent all examples or at most
    `contrast_per_intent`, spread evenly over its list (fewer compare worse: benchmarks/tune_crisis.py).
    Training examples are embedded once per training and keep their vector under `encoder.MESSAGE_KEY`,
    so the intent classifier reuses it, and this reuses the classifier's when it ran first.
    """
    exemplars, contrast = crisis_semantic.exemplar_texts()
    chosen: list[Message] = []
    seen = {text.lower() for _, text in exemplars} | {text.lower() for text in contrast}
    for example in _spread(examples, contrast_per_intent):
        text = example.get("text") or ""
        if text and not text.startswith("/") and example.get("intent") and text.lower() not in seen:
            seen.add(text.lower())
            chosen.append(example)
    encoder.embed_messages(chosen)
    file_vectors = encoder.embed([text for _, text in exemplars] + contrast)
    vectors = np.vstack(
        [file_vectors, *[np.asarray(m.get(encoder.MESSAGE_KEY), dtype=np.float32)[None] for m in chosen]]
    )
    contrast_label = crisis_semantic.CONTRAST
    labels = [kind for kind, _ in exemplars] + [contrast_label] * len(contrast)
    labels += [m.get("intent") if m.get("intent") in CRISIS_INTENTS else contrast_label for m in chosen]
    is_crisis = np.array([label != contrast_label for label in labels])
    kinds = [label for label in labels if label != contrast_label]
    return crisis_semantic.ExemplarIndex.build(vectors[is_crisis], kinds, vectors[~is_crisis])


def _spread(examples: list[Message], per_intent: int | None) -> list[Message]:
    """All crisis examples, and at most `per_intent` evenly spread examples of each other intent."""
    by_intent: dict[str, list[Message]] = {}
    for example in examples:
        by_intent.setdefault(example.get("intent") or "", []).append(example)
    kept: list[Message] = []
    for intent, group in by_intent.items():
        if per_intent is None or intent in CRISIS_INTENTS or len(group) <= per_intent:
            kept += group
        else:
            kept += [group[round(i * len(group) / per_intent)] for i in range(per_intent)]
    return kept
