"""Rasa NLU component: the NLU reads a message without its mask placeholders.

The channel replaces a BSN, IBAN or e-mail address by a placeholder such as `[BSN verwijderd]`
(bot/shared/privacy.py), which is what the tracker store and the staff transcript keep. The word
"verwijderd" made the classifier read "Ik heb schulden. Mijn BSN is [BSN verwijderd]" as
`delete_my_data` (issue 20). First in config.yml's pipeline, this component removes the placeholders
from the text every later component reads (spaCy, the classifier, the safety net), so a masked value
counts as nothing: "Ik heb schulden. Mijn BSN is". The user event keeps the masked text with its
placeholder (Rasa stores the channel's text; only the parse data's `text` is the neutral one).
Training data holds no placeholders: training is unchanged.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.shared.privacy import strip_placeholders


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MaskPlaceholderRemover(GraphComponent):
    """Removes `[BSN verwijderd]` and the other mask placeholders from the text the NLU reads."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MaskPlaceholderRemover:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                neutral = strip_placeholders(text)
                if neutral != text:
                    message.set(TEXT, neutral)
        return messages
