"""“我们是…企业，能享受哪些政策”: the measures that fit the profile the user described.

The profile is the eligibility facts known so far (slots, including those stated in this very
message) plus the message text itself; knowledge.matching ranks the measures. The reply lists
each match with its 第N条 and the reason, and the match card cites them all. A question about
another province's policies ("河南省对小微企业有哪些扶持政策") gets the out-of-scope reply naming the place.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.check_routing import english_check_or_answer
from actions.eligibility import known_facts
from actions.messages import MEASURE_INTENT_PREFIX, intent_confidence, send_answer, send_response
from actions.other_region import answer_other_region
from knowledge.card import AnswerCard

MAX_MATCHES = 6


class ActionMatchPolicies(Action):
    def name(self) -> str:
        return "action_match_policies"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        english = english_check_or_answer(dispatcher, tracker)
        if english is not None:
            return english
        from knowledge.matching import match, match_text

        if answer_other_region(dispatcher, tracker):
            return []
        from actions.check_routing import route_to_check

        # "我们这种情况能拿吗" about the measure under discussion is a check, not a matching.
        checked = route_to_check(dispatcher, tracker, tracker.get_slot("current_measure"))
        if checked is not None:
            return checked
        profile: Dict[str, Any] = {**known_facts(tracker), "text": tracker.latest_message.get("text") or ""}
        matches = match(profile)[:MAX_MATCHES]
        confidence = intent_confidence(tracker)
        if not matches:
            send_response(dispatcher, "utter_no_matching_measure", AnswerCard(kind="fallback", confidence=confidence))
            return []
        buttons = [{"title": m.title, "payload": f"/{MEASURE_INTENT_PREFIX}{m.key}"} for m in matches]
        card = AnswerCard(kind="match", citations=[m.number for m in matches], confidence=confidence)
        send_answer(dispatcher, match_text(matches), card, buttons)
        return []
