"""The reply when the NLU is not confident enough to answer."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import intent_confidence, send_answer
from knowledge.card import AnswerCard


class ActionAnswerFallback(Action):
    def name(self) -> str:
        return "action_answer_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        send_answer(
            dispatcher,
            "抱歉，我没有理解您的问题。您可以换个说法，或者直接说出政策名称，例如“徽商服务卡有什么用”。",
            AnswerCard(kind="fallback", confidence=intent_confidence(tracker)),
        )
        return []
