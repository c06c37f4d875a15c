"""The answer to one aspect of a measure, and which measure a bare follow-up is about: what the
measure, English, fallback and out-of-scope actions share (a leaf: it imports no other action module
but the messages and the other-region reply, so none of them import each other in a circle)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import send_answer, send_response
from actions.other_region import answer_other_region
from knowledge import aspects
from knowledge.answers import answer_measure
from knowledge.card import AnswerCard
from knowledge.db import session_scope
from knowledge.repository import MeasureNotFound, get_measure


def send_measure_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, key: str, confidence: float | None
) -> List[Dict[str, Any]]:
    """Answer the aspect the latest message asks about of measure ``key``; remember the measure.
    A question about another province's version of the measure gets the out-of-scope reply."""
    if answer_other_region(dispatcher, tracker):
        return []
    aspect = aspects.detect(tracker.latest_message.get("text") or "")
    try:
        with session_scope() as session:
            answer = answer_measure(get_measure(session, key), aspect, confidence)
    except MeasureNotFound:
        send_response(dispatcher, "utter_measure_not_in_knowledge_base", AnswerCard(kind="fallback"))
        return [SlotSet("current_measure", None)]
    send_answer(dispatcher, answer.text, answer.card)
    return [SlotSet("current_measure", key)]


def bare_followup_measure(tracker: Tracker) -> str | None:
    """The measure under discussion when the latest message is a bare follow-up about it
    ("那谁能办？": an aspect and nothing else), whatever the classifier made of so short a text."""
    current = tracker.get_slot("current_measure")
    if current and aspects.is_bare_followup(tracker.latest_message.get("text") or ""):
        return current
    return None
