"""The reply to a question about another province's or city's policy: out of scope, naming the place."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import intent_confidence, send_answer
from knowledge.card import AnswerCard
from knowledge.regions import foreign_region

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
