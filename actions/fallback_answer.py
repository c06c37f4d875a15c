"""The reply when the NLU is not confident enough to answer: "您是想问…" with the best search hits.

The suggestions come from knowledge.search over the measures; each is a button that asks about
that measure (payload /measure_<key>). The reply itself cites no measure: it answers nothing yet.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import MEASURE_INTENT_PREFIX, intent_confidence, send_answer
from knowledge.card import AnswerCard

SUGGESTIONS = 3
NO_SUGGESTION_TEXT = (
    "抱歉，我没有理解您的问题。您可以换个说法，或者直接说出政策名称，例如“徽商服务卡有什么用”。"
    "需要人工服务请说“转人工”。"
)


def suggestion_buttons(question: str) -> List[Dict[str, str]]:
    try:
        from knowledge.search import search
    except ImportError:  # TEMP until the kb branch's search is merged
        return []
    return [
        {"title": hit.title, "payload": f"/{MEASURE_INTENT_PREFIX}{hit.key}"}
        for hit in search(question, limit=SUGGESTIONS)
    ]


class ActionAnswerFallback(Action):
    def name(self) -> str:
        return "action_answer_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        buttons = suggestion_buttons(tracker.latest_message.get("text") or "")
        text = "您是想问以下哪一项？请点选，或者换个说法再问。" if buttons else NO_SUGGESTION_TEXT
        send_answer(dispatcher, text, AnswerCard(kind="fallback", confidence=intent_confidence(tracker)), buttons)
        return []
