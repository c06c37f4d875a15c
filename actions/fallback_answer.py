"""The reply when the NLU is not confident enough to answer.

Two independent readers of the question: the intent classifier (its ranking, below the
confidence threshold) and knowledge.search (BM25 over the measure texts). When they agree on
one measure (actions/combined_reading.py), that measure is answered as usual (policy
card, 第N条). Otherwise the reply is "您是想问…" with the measures both readers find likeliest as
buttons (payload /measure_<key>) and a fallback card that cites nothing: it answers nothing yet.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.check_routing import english_check_or_answer, route_to_check
from actions.combined_reading import FALLBACK_INTENT, agreed_measure, confidence_in, suggested_measures
from actions.measure_reply import bare_followup_measure, send_measure_answer
from actions.messages import MEASURE_INTENT_PREFIX, intent_confidence, send_response
from actions.other_region import answer_other_region
from knowledge import aspects
from knowledge.card import AnswerCard
from knowledge.search import Hit, search, titles, warm_up_in_background
from knowledge.textnorm import normalise

# The search index takes seconds to build; build it now, not during the first unsure question
# (which would hold up every action call of the server meanwhile).
warm_up_in_background()

SUGGESTIONS = 3
FOLLOWUP_INTENT = "ask_followup"


def best_classified_intent(tracker: Tracker) -> Dict[str, Any] | None:
    """The classifier's own best guess, which the fallback classifier put below nlu_fallback."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return next((item for item in ranking if item.get("name") != FALLBACK_INTENT), None)


def followup_measure(tracker: Tracker, question: str) -> str | None:
    """The measure under discussion when an unsure message reads as a follow-up about it: the
    classifier's best guess is ask_followup and the message names an aspect, or the message is a
    bare follow-up ("那谁能办？": an aspect and nothing else)."""
    best = best_classified_intent(tracker)
    current = tracker.get_slot("current_measure")
    if current and best and best.get("name") == FOLLOWUP_INTENT and names_an_aspect(question):
        return current
    return bare_followup_measure(tracker)


def names_an_aspect(question: str) -> bool:
    """True when a keyword of knowledge/data/aspects.yaml occurs (谁能, 怎么申请, 多少钱 …)."""
    text = normalise(question)
    return any(keyword in text for aspect in aspects.aspects().values() for keyword in aspect.keywords)


def continue_running_check(tracker: Tracker, question: str) -> List[Dict[str, Any]] | None:
    """While a check's form asks for a fact, an unsure message belongs to the check: "是的" or
    "1.5" answers the question (its slot is set). Nothing is sent here, whatever the message: the
    form, predicted again after this action, asks on or ends with the verdict, and that question or
    verdict is the turn's one card (a fallback card as well would make two). None when no check's
    form is running."""
    from actions.eligibility import answer_to_question, form_rule

    if form_rule(tracker) is None:
        return None
    requested = tracker.get_slot("requested_slot")
    value = answer_to_question(requested, question) if requested else None
    return [SlotSet(requested, value)] if value is not None else []


def decided_eligibility(dispatcher: CollectingDispatcher, tracker: Tracker, hits: List[Hit]) -> List[Dict[str, Any]]:
    """An unsure eligibility question whose rule's measure is also the top search hit, and whose
    facts (this message's and those known) already decide it: give that verdict."""
    from actions.eligibility import CHECK_INTENT_PREFIX, send_verdict

    best = best_classified_intent(tracker) or {}
    name = best.get("name") or ""
    if not name.startswith(CHECK_INTENT_PREFIX) or not hits:
        return []
    return send_verdict(dispatcher, tracker, name[len(CHECK_INTENT_PREFIX) :], hits[0].number)


def suggestion_buttons(ranking: List[Dict[str, Any]], hits: List[Hit]) -> List[Dict[str, str]]:
    names = titles()
    return [
        {"title": names[key], "payload": f"/{MEASURE_INTENT_PREFIX}{key}"}
        for key in suggested_measures(ranking, hits, SUGGESTIONS)
        if key in names
    ]


class ActionAnswerFallback(Action):
    def name(self) -> str:
        return "action_answer_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        question = tracker.latest_message.get("text") or ""
        in_check = continue_running_check(tracker, question)
        if in_check is not None:
            return in_check
        english = english_check_or_answer(dispatcher, tracker)
        if english is not None:
            return english
        if answer_other_region(dispatcher, tracker):
            return []
        hits = [] if question.startswith("/") else search(question, limit=SUGGESTIONS)
        decided = decided_eligibility(dispatcher, tracker, hits)
        if decided:
            return decided
        ranking = tracker.latest_message.get("intent_ranking") or []
        key = agreed_measure(ranking, hits) or followup_measure(tracker, question)
        checked = route_to_check(dispatcher, tracker, key or tracker.get_slot("current_measure"))
        if checked is not None:
            return checked
        if key:
            return send_measure_answer(dispatcher, tracker, key, round(confidence_in(ranking, key), 4))
        buttons = suggestion_buttons(ranking, hits)
        card = AnswerCard(kind="fallback", confidence=intent_confidence(tracker))
        send_response(dispatcher, "utter_did_you_mean" if buttons else "utter_not_understood", card, buttons)
        return []
