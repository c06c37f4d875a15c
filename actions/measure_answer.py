"""Answer one aspect (what / who / how to apply …) of the measure the user asks about."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.english import answer_english
from actions.messages import intent_confidence, intent_name, measure_key_of_intent, send_answer, send_response
from actions.other_region import answer_other_region
from knowledge import aspects
from knowledge.answers import answer_measure
from knowledge.card import AnswerCard
from knowledge.db import session_scope
from knowledge.repository import MeasureNotFound, get_measure
from knowledge.search import has_content


class ActionAnswerMeasure(Action):
    def name(self) -> str:
        return "action_answer_measure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        english = answer_english(dispatcher, tracker)
        if english is not None:
            return english
        question = tracker.latest_message.get("text") or ""
        key = measure_key_of_intent(intent_name(tracker))
        if key and not question.startswith("/") and not has_content(question):
            # A message without a single content word ("啊吧啊吧", "怎么申请") names no measure:
            # the classifier's measure is a guess. It is about the measure under discussion, if any.
            key = None
        key = key or tracker.get_slot("current_measure")
        from actions.check_routing import route_to_check

        checked = route_to_check(dispatcher, tracker, key)
        if checked is not None:
            return checked
        if not key:
            card = AnswerCard(kind="fallback", confidence=intent_confidence(tracker))
            send_response(dispatcher, "utter_which_measure", card)
            return []
        return send_measure_answer(dispatcher, tracker, key, intent_confidence(tracker))


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
