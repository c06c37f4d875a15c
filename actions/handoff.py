"""转人工: tell the user a member of staff takes over, and pause the bot for this conversation.

The staff console (bot/channels/webchat/console.py) lists paused conversations; staff reply from there and
hand the conversation back (ConversationResumed), after which the bot answers again.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import intent_confidence, send_answer
from knowledge.card import AnswerCard

HANDOFF_TEXT = "好的，已为您转接人工服务。工作人员接入后会在这里直接回复您，请稍候；在此期间智能助手暂停自动回答。"


class ActionHandoffToStaff(Action):
    def name(self) -> str:
        return "action_handoff_to_staff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        send_answer(dispatcher, HANDOFF_TEXT, AnswerCard(kind="handoff", confidence=intent_confidence(tracker)))
        # A form the user was in is over: after staff hand back, the bot starts fresh.
        return [ActiveLoop(None), ConversationPaused()]
