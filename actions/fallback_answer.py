"""The reply when the NLU is not confident enough to answer.

Two independent readers of the question: the intent classifier (its best intent, below the
confidence threshold) and knowledge.search (BM25 over the measure texts). When both name the same
measure, that agreement is taken as the answer: the measure is answered as usual (policy card,
第N条). Otherwise the reply is "您是想问…" with the best search hits as buttons (payload
/measure_<key>) and a fallback card that cites nothing: it answers nothing yet.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.measure_answer import send_measure_answer
from actions.messages import MEASURE_INTENT_PREFIX, intent_confidence, measure_key_of_intent, send_answer
from knowledge.card import AnswerCard
from knowledge.search import Hit, search

SUGGESTIONS = 3
FALLBACK_INTENT = "nlu_fallback"
NO_SUGGESTION_TEXT = (
    "抱歉，我没有理解您的问题。您可以换个说法，或者直接说出政策名称，例如“徽商服务卡有什么用”。"
    "需要人工服务请说“转人工”。"
)


def best_classified_intent(tracker: Tracker) -> Dict[str, Any] | None:
    """The classifier's own best guess, which the fallback classifier put below nlu_fallback."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return next((item for item in ranking if item.get("name") != FALLBACK_INTENT), None)


def agreed_measure(tracker: Tracker, hits: List[Hit]) -> str | None:
    """The measure key when the classifier's best intent and the top search hit agree."""
    best = best_classified_intent(tracker)
    key = measure_key_of_intent(best.get("name")) if best else None
    if key and hits and hits[0].key == key:
        return key
    return None


def suggestion_buttons(hits: List[Hit]) -> List[Dict[str, str]]:
    return [{"title": hit.title, "payload": f"/{MEASURE_INTENT_PREFIX}{hit.key}"} for hit in hits]


class ActionAnswerFallback(Action):
    def name(self) -> str:
        return "action_answer_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        question = tracker.latest_message.get("text") or ""
        hits = [] if question.startswith("/") else search(question, limit=SUGGESTIONS)
        key = agreed_measure(tracker, hits)
        if key:
            best = best_classified_intent(tracker) or {}
            return send_measure_answer(dispatcher, tracker, key, round(float(best.get("confidence") or 0), 4))
        buttons = suggestion_buttons(hits)
        text = "您是想问以下哪一项？请点选，或者换个说法再问。" if buttons else NO_SUGGESTION_TEXT
        send_answer(dispatcher, text, AnswerCard(kind="fallback", confidence=intent_confidence(tracker)), buttons)
        return []
