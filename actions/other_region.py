"""The reply to a question about another province's or city's policy: out of scope, naming the place."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import intent_confidence, send_response
from knowledge.card import AnswerCard
from knowledge.regions import foreign_region


def answer_other_region(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answer a question about another province's or city's policy as out of scope (True), or
    leave it (False). Buttons' payloads ("/measure_…") name no place."""
    question = tracker.latest_message.get("text") or ""
    region = None if question.startswith("/") else foreign_region(question)
    if not region:
        return False
    card = AnswerCard(kind="out_of_scope", confidence=intent_confidence(tracker))
    send_response(dispatcher, "utter_other_region", card, region=region)
    return True
