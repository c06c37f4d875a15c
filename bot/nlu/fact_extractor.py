"""Eligibility facts as entities: every fact stated in a message, from knowledge.facts.

The facts vocabulary (role, 专精特新, 1.2% / 百分之一点二 / 一个点二, 信用 / 抵押 …) lives once, in
the knowledge base (knowledge/data/facts.yaml); this component only turns what
``extract_facts`` finds into Rasa entities named after the facts, which the slots of the same
names pick up (domain.yml, ``from_entity``). All facts of one message are taken.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.normaliser import ORIGINAL_TEXT
from knowledge.facts import extract_facts

EXTRACTOR_NAME = "PolicyFactExtractor"


def _span(text: str, value: Any) -> tuple[int, int]:
    """Where the fact was said, when its value appears literally; else the whole message."""
    needle = str(value)
    position = text.find(needle) if needle else -1
    if position >= 0:
        return position, position + len(needle)
    return 0, len(text)


def fact_entities(text: str) -> List[Dict[str, Any]]:
    entities = []
    for name, value in extract_facts(text).items():
        start, end = _span(text, value)
        entities.append(
            {
                "entity": name,
                "value": value,
                "start": start,
                "end": end,
                "confidence_entity": 1.0,
                "extractor": EXTRACTOR_NAME,
            }
        )
    return entities


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PolicyFactExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PolicyFactExtractor:
        return cls()

    @staticmethod
    def supported_languages() -> List[str] | None:
        return ["zh"]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(ORIGINAL_TEXT) or message.get(TEXT) or ""
            if text.startswith(INTENT_MESSAGE_PREFIX):
                continue  # a button payload carries its entities itself
            found = fact_entities(text)
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
