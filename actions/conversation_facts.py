"""Every eligibility fact the user stated anywhere in the conversation, and in which message.

The fact extractor runs on every message (bot/nlu/fact_extractor.py); the slots keep only the
facts of messages classified as fact statements. A caller who says what the company is, then
the programme, then the rate, in messages the classifier reads as measure questions, has stated
them all the same. So the facts are read from the conversation's events: each user message's fact
entities when the message is about the asker (a statement, a check question, or a question in
the first person: "优秀民营企业家有什么待遇" states nothing about the asker), and every slot an
action or form set (answers to the form's questions, button presses). Later statements correct
earlier ones; a restart forgets them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Tuple

from rasa_sdk import Tracker

from knowledge.eligibility_questions import asks_eligibility, is_question, speaks_of_self
from knowledge.facts import FACT_NAMES, named_but_unknown
from knowledge.textnorm import normalise

# Intents whose messages state facts about the asker.
FACT_INTENTS = ("inform", "affirm", "deny", "match_policies")
CHECK_INTENT_PREFIX = "check_"
MAX_QUOTED = 60


@dataclass
class ConversationFacts:
    values: Dict[str, Any] = field(default_factory=dict)
    # fact → {"message": n (1 = the first user message), "text": what the user wrote}
    stated_in: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    # Facts a later message took back or put in doubt: their slots are emptied, so they are asked.
    taken_back: Tuple[str, ...] = ()


def about_the_asker(text: str, intent: str | None) -> bool:
    if intent and (intent in FACT_INTENTS or intent.startswith(CHECK_INTENT_PREFIX)):
        return True
    prepared = normalise(text or "")
    if not is_question(prepared):
        return True  # a statement: "客户是省级专精特新企业，纯信用"
    return asks_eligibility(prepared) or speaks_of_self(prepared)


def _entity_facts(parse_data: Mapping[str, Any]) -> Dict[str, Any]:
    return {
        entity["entity"]: entity.get("value")
        for entity in parse_data.get("entities") or []
        if entity.get("entity") in FACT_NAMES and entity.get("value") is not None
    }


def conversation_facts(tracker: Tracker) -> ConversationFacts:
    facts = ConversationFacts()
    taken_back: set = set()
    message_number = 0
    message_text = ""
    for event in tracker.events or []:
        kind = event.get("event")
        if kind == "restart":
            facts = ConversationFacts()
            message_number = 0
        elif kind == "user":
            message_number += 1
            message_text = str(event.get("text") or "")
            parse_data = event.get("parse_data") or {}
            intent = (parse_data.get("intent") or {}).get("name")
            if about_the_asker(message_text, intent) or message_text.startswith("/"):
                for name in named_but_unknown(message_text) if not message_text.startswith("/") else ():
                    # "不对，法人是我父亲": what an earlier message said of it is taken back.
                    facts.values.pop(name, None)
                    facts.stated_in.pop(name, None)
                    taken_back.add(name)
                for name, value in _entity_facts(parse_data).items():
                    _set(facts, name, value, message_number, message_text)
        elif kind == "slot" and event.get("name") in FACT_NAMES:
            name, value = event["name"], event.get("value")
            if value is None:
                facts.values.pop(name, None)
                facts.stated_in.pop(name, None)
            elif facts.values.get(name) != value:
                _set(facts, name, value, message_number, message_text)
    if message_number == 0 and tracker.latest_message:
        # A tracker without events (tests, a first message): its latest message is all there is.
        latest = tracker.latest_message
        text = str(latest.get("text") or "")
        if about_the_asker(text, (latest.get("intent") or {}).get("name")) or text.startswith("/"):
            for name, value in _entity_facts(latest).items():
                _set(facts, name, value, 1, text)
    # The slots as they stand (a test or a channel may set them without events).
    for name in FACT_NAMES:
        value = tracker.get_slot(name)
        if value is not None and name not in facts.values and name not in taken_back:
            facts.values[name] = value
    facts.taken_back = tuple(sorted(taken_back - set(facts.values)))
    return facts


def _set(facts: ConversationFacts, name: str, value: Any, number: int, text: str) -> None:
    facts.values[name] = value
    quoted = text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"
    facts.stated_in[name] = {"message": number, "text": quoted}
