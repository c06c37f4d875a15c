"""Sending a turn's text together with its answer card."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.card import AnswerCard

MEASURE_INTENT_PREFIX = "measure_"


def send_answer(dispatcher: CollectingDispatcher, text: str, card: AnswerCard, buttons=None) -> None:
    """The text (citing 第N条 where it answers from the policy), then the card as a custom message."""
    dispatcher.utter_message(text=text, buttons=buttons or [])
    dispatcher.utter_message(json_message=card.as_message())


def send_response(
    dispatcher: CollectingDispatcher, response: str, card: AnswerCard, buttons=None, **values: Any
) -> None:
    """A fixed sentence of domain.yml (``response``, its ``{placeholders}`` filled from ``values``), then the card."""
    dispatcher.utter_message(response=response, buttons=buttons or [], **values)
    dispatcher.utter_message(json_message=card.as_message())


def intent_name(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def intent_confidence(tracker: Tracker) -> float | None:
    confidence = (tracker.latest_message.get("intent") or {}).get("confidence")
    return round(float(confidence), 4) if confidence is not None else None


def measure_key_of_intent(intent: str | None) -> str | None:
    if intent and intent.startswith(MEASURE_INTENT_PREFIX):
        return intent[len(MEASURE_INTENT_PREFIX) :]
    return None
