"""The reply to questions the assistant does not cover: what it covers, and where to ask instead."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.check_routing import english_check_or_answer, route_to_check
from actions.measure_reply import bare_followup_measure, send_measure_answer
from actions.messages import intent_confidence, send_response
from actions.other_region import answer_other_region
from knowledge.card import AnswerCard


class ActionAnswerOutOfScope(Action):
    def name(self) -> str:
        return "action_answer_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        english = english_check_or_answer(dispatcher, tracker)
        if english is not None:
            return english
        # Another province's policy gets the reply that names it; anything else the general one.
        if answer_other_region(dispatcher, tracker):
            return []
        # "那谁能办？" right after a measure's answer is about that measure, however short it is.
        current = bare_followup_measure(tracker)
        # "说错了，其实是抵押" read as out of scope: facts about the asker continue or start a check.
        checked = route_to_check(dispatcher, tracker, current)
        if checked is not None:
            return checked
        if current:
            return send_measure_answer(dispatcher, tracker, current, intent_confidence(tracker))
        card = AnswerCard(kind="out_of_scope", confidence=intent_confidence(tracker))
        send_response(dispatcher, "utter_out_of_scope", card)
        return []
