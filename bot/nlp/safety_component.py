"""Rasa NLU component that applies the deterministic safety net after intent classification.

Placed last in config.yml's pipeline (after FallbackClassifier), so that a crisis message gets a
crisis intent with confidence 1.0 even when the model was unsure, predicted a fallback, or a form is
active. It also undoes a crisis prediction for a message that only denies one ("ik wil niet dood,
ik wil hulp met mijn schulden"), by choosing the best non-crisis intent.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.safety_net import CRISIS_INTENTS, CrisisKind, assess

logger = logging.getLogger(__name__)

NLU_FALLBACK = "nlu_fallback"
_URGENCY = {kind.value: rank for rank, kind in enumerate(CrisisKind)}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyNet(GraphComponent, IntentClassifier):
    """Overrides the predicted intent with a crisis intent when the safety net finds a signal."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # An NLU crisis prediction at least this confident may refine the net's crisis kind.
        return {"trust_nlu_crisis_kind_from": 0.5}

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._apply(message)
        return messages

    def _apply(self, message: Message) -> None:
        text = message.get("text") or ""
        if not text or text.startswith("/"):  # button payloads carry their own intent
            return
        assessment = assess(text)
        predicted = message.get("intent") or {}
        predicted_name = predicted.get("name")
        if assessment.is_crisis:
            kind = assessment.kind.value  # type: ignore[union-attr]
            if (
                predicted_name in CRISIS_INTENTS
                and (predicted.get("confidence") or 0.0) >= self.config["trust_nlu_crisis_kind_from"]
            ):
                kind = min(kind, predicted_name, key=_URGENCY.__getitem__)
            logger.info("Safety net: crisis signal, intent set to %s", kind)
            self._set_intent(message, kind, 1.0)
        elif assessment.only_negated and predicted_name in CRISIS_INTENTS:
            alternative = next(
                (
                    ranked
                    for ranked in message.get("intent_ranking") or []
                    if ranked.get("name") not in CRISIS_INTENTS and ranked.get("name") != NLU_FALLBACK
                ),
                None,
            )
            if alternative:
                logger.info("Safety net: negated crisis words only, intent set to %s", alternative["name"])
                self._set_intent(message, alternative["name"], alternative.get("confidence") or 0.0)
        message.set(
            "safety_net",
            {
                "crisis": assessment.kind.value if assessment.kind else None,
                "negated_only": assessment.only_negated,
            },
            add_to_output=True,
        )

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float) -> None:
        intent = {"name": name, "confidence": confidence}
        ranking = [entry for entry in message.get("intent_ranking") or [] if entry.get("name") != name]
        message.set("intent", intent, add_to_output=True)
        message.set("intent_ranking", [intent, *ranking], add_to_output=True)
