"""Whether a message starts an eligibility check, whatever it was classified as.

"徽商服务卡我能办吗" read as a question about the 徽商服务卡, "那我能办吗" read as a follow-up,
"我们是担保公司，费率1%，信用反担保，客户是省级专精特新" read as anything at all: the cue words, the
programme named, the facts stated and the measure under discussion decide that it is a check
(knowledge/eligibility_questions.py), and which one. The measure and fallback actions ask here first.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_facts import about_the_asker
from actions.eligibility import check_measure, message_facts, start_check
from actions.messages import intent_name
from knowledge import aspects
from knowledge.eligibility_questions import asks_eligibility, is_question, named_rule, rule_of_facts, words
from knowledge.textnorm import normalise


def states_facts(text: str, intent: str | None) -> bool:
    """ "我们是担保公司，费率1%，信用反担保": facts about the asker with no question about the measure."""
    prepared = normalise(text or "")
    if not about_the_asker(prepared, intent):
        return False
    if is_question(prepared):
        return False
    return not any(keyword in prepared for aspect in aspects.aspects().values() for keyword in aspect.keywords)


def route_to_check(
    dispatcher: CollectingDispatcher, tracker: Tracker, measure_key: str | None
) -> List[EventType] | None:
    """The check's events when the latest message is an eligibility question or a statement of
    facts for a rule; None when it is not (the caller answers as usual)."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return None
    named = named_rule(text)
    by_facts = rule_of_facts(message_facts(tracker))
    if asks_eligibility(text):
        if named:
            return start_check(dispatcher, tracker, named)
        if measure_key:
            return check_measure(dispatcher, tracker, measure_key)
        if by_facts:
            return start_check(dispatcher, tracker, by_facts)
        return None
    if (named or by_facts) and states_facts(text, intent_name(tracker)) and _says_who_asks(text, tracker):
        return start_check(dispatcher, tracker, named or by_facts)  # type: ignore[arg-type]
    return None


def _says_who_asks(text: str, tracker: Tracker) -> bool:
    """A statement starts a check when it is about the asker (我们…) or states at least two facts;
    "专精特新贷和小巨人贷" names a qualification and says nothing of who asks."""
    prepared = normalise(text)
    first_person = any(word in prepared for word in words().first_person)
    return first_person or len(message_facts(tracker)) >= 2
