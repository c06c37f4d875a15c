"""Normalise every message before tokenisation (training data and live messages alike).

Traditional → simplified, full-width → half-width, Chinese numerals → digits
(knowledge.textnorm.normalise), then whitespace that jieba would turn into tokens of its own is
removed between Chinese characters ("徽商 服务卡" → "徽商服务卡") and kept as one space between
Latin words ("tell me a joke").

The text changes length ("五百万" → "5000000"), which would break character offsets of annotated
entities; the training data therefore annotates none. Eligibility facts are read from the
original text by bot.nlu.fact_extractor, which this component keeps under ORIGINAL_TEXT.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.textnorm import normalise

ORIGINAL_TEXT = "original_text"

# A space next to a Chinese character (or Chinese punctuation) separates nothing for jieba.
_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")


def normalise_message_text(text: str) -> str:
    return _SPACE_NEXT_TO_CJK.sub("", normalise(text))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class PolicyTextNormaliser(GraphComponent):
    """Rewrites Message.text in place; must come first in the pipeline (before the tokenizer)."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PolicyTextNormaliser:
        return cls()

    @staticmethod
    def supported_languages() -> List[str] | None:
        return ["zh"]

    def _normalise(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text or text.startswith(INTENT_MESSAGE_PREFIX):
            # "/inform{…}" button payloads are parsed by Rasa's RegexMessageHandler as they are.
            return
        if message.get(ORIGINAL_TEXT) is None:
            message.set(ORIGINAL_TEXT, text)
        message.set(TEXT, normalise_message_text(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise(message)
        return messages
