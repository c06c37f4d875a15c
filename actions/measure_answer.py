"""Answer one aspect (what / who / how to apply …) of the measure the user asks about."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.check_routing import english_check_or_answer
from actions.measure_reply import send_measure_answer
from actions.messages import intent_confidence, intent_name, measure_key_of_intent, send_response
from knowledge.card import AnswerCard
from knowledge.search import has_content


class ActionAnswerMeasure(Action):
    def name(self) -> str:
        return "action_answer_measure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        english = english_check_or_answer(dispatcher, tracker)
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
