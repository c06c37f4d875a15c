"""转人工: tell the user a member of staff takes over, and pause the bot for this conversation.

The staff console (bot/channels/webchat/console.py) lists paused conversations; staff reply from there and
hand the conversation back (ConversationResumed), after which the bot answers again.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import intent_confidence, send_response
from knowledge.card import AnswerCard


class ActionHandoffToStaff(Action):
    def name(self) -> str:
        return "action_handoff_to_staff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        card = AnswerCard(kind="handoff", confidence=intent_confidence(tracker))
        send_response(dispatcher, "utter_handoff", card)
        # A form the user was in is over: after staff hand back, the bot starts fresh.
        return [ActiveLoop(None), ConversationPaused()]
