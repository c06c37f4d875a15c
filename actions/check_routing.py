"""Whether a message starts an eligibility check, whatever it was classified as.

"徽商服务卡我能办吗" read as a question about the 徽商服务卡, "那我能办吗" read as a follow-up,
"我们是担保公司，费率1%，信用反担保，客户是省级专精特新" read as anything at all: the cue words, the
programme named, the facts stated and the measure under discussion decide that it is a check
(knowledge/eligibility_questions.py), and which one. The measure and fallback actions ask here first.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_facts import about_the_asker
from actions.eligibility import check_measure, english_check, evaluate_in_conversation, message_facts, start_check
from actions.english import answer_english
from actions.messages import intent_name
from knowledge import aspects
from knowledge.eligibility import rules
from knowledge.eligibility_questions import asks_eligibility, is_question, named_rule, rule_of_facts, speaks_of_self
from knowledge.english import english_measure, is_english
from knowledge.statements import is_correction
from knowledge.textnorm import normalise


def states_facts(text: str, intent: str | None) -> bool:
    """ "我们是担保公司，费率1%，信用反担保": facts about the asker with no question about the measure."""
    prepared = normalise(text or "")
    if not about_the_asker(prepared, intent):
        return False
    if is_question(prepared):
        return False
    return not any(keyword in prepared for aspect in aspects.aspects().values() for keyword in aspect.keywords)


def english_check_or_answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType] | None:
    """An English message: its check when it asks "can we get it?" or states facts about the asker
    (the verdict with an English line), else the cited measure with an English line or the English
    reply (actions/english.py). None when the message is not English."""
    text = tracker.latest_message.get("text") or ""
    if not is_english(text):
        return None
    if english_check(tracker):
        measure = english_measure(text)
        checked = route_to_check(dispatcher, tracker, measure)
        if checked is not None:
            return checked
    return answer_english(dispatcher, tracker)


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
    under_discussion = _rule_under_discussion(tracker, named)
    if under_discussion and _continues(text, tracker, under_discussion):
        # "不对，费率是1.5%" after a verdict, or "我们是国企" once the card is being discussed.
        return start_check(dispatcher, tracker, under_discussion)
    rule = named or under_discussion
    if rule and about_the_asker(normalise(text), intent_name(tracker)) and rule_facts_in(tracker, rule):
        # A question naming the programme with facts that already rule the asker out ("我们是国企，
        # 徽商服务卡怎么申请"): the decided verdict is given, with its reason, not another answer.
        if evaluate_in_conversation(tracker, rule).verdict == "not_eligible":
            return start_check(dispatcher, tracker, rule)
    return None


def _rule_under_discussion(tracker: Tracker, named: str | None) -> str | None:
    """The rule last checked in this conversation, unless the message names another programme."""
    last = tracker.get_slot("eligibility_rule")
    if last not in rules() or (named and named != last):
        return None
    return last


def rule_facts_in(tracker: Tracker, rule_key: str) -> Dict[str, Any]:
    """The facts of the latest message that the rule asks about."""
    asked = rules()[rule_key].fact_names
    return {name: value for name, value in message_facts(tracker).items() if name in asked}


def _continues(text: str, tracker: Tracker, rule_key: str) -> bool:
    """A message continues the check under discussion when it states a fact the rule asks about and
    is a statement or a correction ("不对，我们是国企", "说错了，费率是1.5%", "其实是抵押")."""
    if not rule_facts_in(tracker, rule_key):
        return False
    prepared = normalise(text)
    return is_correction(prepared) or states_facts(text, intent_name(tracker))


def _says_who_asks(text: str, tracker: Tracker) -> bool:
    """A statement starts a check when it is about the asker (我们…) or states at least two facts;
    "专精特新贷和小巨人贷" names a qualification and says nothing of who asks."""
    return speaks_of_self(text) or len(message_facts(tracker)) >= 2
