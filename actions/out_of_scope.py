"""The reply to questions the assistant does not cover: what it covers, and where to ask instead."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import intent_confidence, send_answer
from knowledge import aspects
from knowledge.card import AnswerCard
from knowledge.regions import foreign_region

# 12345 is the only number the assistant may give that is not in the policy document (HELPERS.md).
OUT_OF_SCOPE_TEXT = (
    "抱歉，这个问题不在我的解答范围内。我只解答安徽省经济和信息化厅《若干意见》实施意见中支持民营企业、"
    "中小企业的22条措施，例如双创孵化、技术改造、专精特新、融资担保、徽商服务卡、减轻企业负担等。"
    "天气、个人税务社保、其他省市的政策等其他政务问题，请拨打12345政务服务便民热线咨询。"
)


OTHER_REGION_TEXT = (
    "您问的是{region}的政策。我只解答安徽省经济和信息化厅《若干意见》实施意见中支持民营企业、中小企业的"
    "22条措施；{region}的政策请向当地政府部门咨询，或拨打12345政务服务便民热线。"
    "如果您想了解安徽省的同类支持，可以直接问，例如“安徽的技改补贴有哪些”。"
)


def answer_other_region(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answer a question about another province's or city's policy as out of scope (True), or
    leave it (False). Buttons' payloads ("/measure_…") name no place."""
    question = tracker.latest_message.get("text") or ""
    region = None if question.startswith("/") else foreign_region(question)
    if not region:
        return False
    card = AnswerCard(kind="out_of_scope", confidence=intent_confidence(tracker))
    send_answer(dispatcher, OTHER_REGION_TEXT.format(region=region), card)
    return True


class ActionAnswerOutOfScope(Action):
    def name(self) -> str:
        return "action_answer_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        # Another province's policy gets the reply that names it; anything else the general one.
        if answer_other_region(dispatcher, tracker):
            return []
        # "那谁能办？" right after a measure's answer is about that measure, however short it is.
        current = tracker.get_slot("current_measure")
        if current and aspects.is_bare_followup(tracker.latest_message.get("text") or ""):
            from actions.measure_answer import send_measure_answer

            return send_measure_answer(dispatcher, tracker, current, intent_confidence(tracker))
        card = AnswerCard(kind="out_of_scope", confidence=intent_confidence(tracker))
        send_answer(dispatcher, OUT_OF_SCOPE_TEXT, card)
        return []
