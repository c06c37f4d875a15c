"""Answer a short factual question about the document (retrieval intent faq/<key>); a question
about another province's policy gets the out-of-scope reply naming the place."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.check_routing import english_check_or_answer
from actions.messages import send_answer, send_response
from actions.other_region import answer_other_region
from knowledge.card import AnswerCard
from knowledge.faq import answer_faq, find

RETRIEVAL_INTENT = "faq"


def selected_faq(tracker: Tracker) -> tuple[str | None, float | None]:
    """The FAQ key and confidence the ResponseSelector chose for the latest message."""
    selector = (tracker.latest_message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    response = selector.get("response") or {}
    full_key = response.get("intent_response_key") or ""
    key = full_key.split("/", 1)[1] if full_key.startswith(f"{RETRIEVAL_INTENT}/") else None
    confidence = response.get("confidence")
    return key, (round(float(confidence), 4) if confidence is not None else None)


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        english = english_check_or_answer(dispatcher, tracker)
        if english is not None:
            return english
        if answer_other_region(dispatcher, tracker):
            return []
        key, confidence = selected_faq(tracker)
        entry = find(key) if key else None
        if entry is None:
            send_response(dispatcher, "utter_faq_unknown", AnswerCard(kind="fallback", confidence=confidence))
            return []
        answer = answer_faq(entry, confidence)
        send_answer(dispatcher, answer.text, answer.card)
        return []
