"""A message in English: the cited measure's answer with an English line, or an English reply.

Every answering action asks here first (the classifier's reading of English text is noise, see
knowledge/english.py). An English answer to a running form's question ("yes") is the form's.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.measure_reply import send_measure_answer
from actions.messages import intent_confidence, send_answer
from knowledge.card import AnswerCard
from knowledge.english import cites_line, english_measure, is_english, not_covered_text


def answer_english(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[str, Any]] | None:
    """The reply's events when the latest message is English; None when it is not."""
    text = tracker.latest_message.get("text") or ""
    if not is_english(text):
        return None
    key = english_measure(text)
    if key:
        events = send_measure_answer(dispatcher, tracker, key, intent_confidence(tracker))
        dispatcher.utter_message(text=cites_line(key))
        return events
    send_answer(dispatcher, not_covered_text(), AnswerCard(kind="out_of_scope", confidence=intent_confidence(tracker)))
    return []
