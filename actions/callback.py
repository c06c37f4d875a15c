"""留言回电: the callback form takes a question and a number to call back; the case lands in the staff console.

The number is checked (knowledge/hotline.py: a mainland mobile or a landline with its area code)
and shown back masked; the full number is kept in the conversation's ``handoff`` record of stage
``callback``, which the console lists as a call-back case, and never logged unmasked (the Rasa
server masks numbers in every log line: bot/rasa_server/log_masking.py).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AgentUttered, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from knowledge import hotline


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    async def validate_callback_question(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        question = hotline.clean_question(value)
        if question is None:
            dispatcher.utter_message(response="utter_callback_question_invalid")
        return {"callback_question": question}

    async def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        phone = hotline.normalise_phone(value)
        if phone is None:
            dispatcher.utter_message(response="utter_callback_phone_invalid")
        return {"callback_phone": phone}


class ActionSubmitCallback(Action):
    def name(self) -> str:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        question = hotline.clean_question(tracker.get_slot("callback_question"))
        phone = hotline.normalise_phone(tracker.get_slot("callback_phone"))
        cleared = [SlotSet("callback_question", None), SlotSet("callback_phone", None)]
        if question is None or phone is None:  # the form checked both; a forged slot is not a case
            dispatcher.utter_message(response="utter_callback_cancelled")
            return cleared
        record = hotline.HandoffRecord(
            stage=hotline.CALLBACK,
            channel=tracker.get_latest_input_channel() or "rest",
            measure=tracker.get_slot("current_measure"),
            question=question,
            phone=phone,
        )
        dispatcher.utter_message(response="utter_callback_received", callback_phone_shown=hotline.mask_phone(phone))
        return [AgentUttered(data=hotline.handoff_data(record)), *cleared]
