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

from actions.eligibility import known_facts
from actions.english import answer_english
from actions.messages import MEASURE_INTENT_PREFIX, intent_confidence, send_answer
from actions.other_region import answer_other_region
from knowledge.card import AnswerCard, citation_label

MAX_MATCHES = 6


class ActionMatchPolicies(Action):
    def name(self) -> str:
        return "action_match_policies"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        english = answer_english(dispatcher, tracker)
        if english is not None:
            return english
        from knowledge.matching import match

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
            send_answer(
                dispatcher,
                "根据您描述的情况，我没有找到明确对应的条款。请补充企业的类型或想要的支持"
                "（例如“我们是省级专精特新企业，想贷款”），或者直接问某项政策。",
                AnswerCard(kind="fallback", confidence=confidence),
            )
            return []
        lines = ["根据您描述的情况，以下条款可能与您有关："]
        # The reason from knowledge.matching already names its measure (第N条：…).
        for m in matches:
            label = citation_label(m.number)
            lines.append(f"• {m.reason}" if label in m.reason else f"• {label}：{m.reason}")
        cited = "、".join(citation_label(m.number) for m in matches)
        lines.append(f"点选一项可查看详细内容。（依据：《若干意见》实施意见{cited}）")
        buttons = [{"title": m.title, "payload": f"/{MEASURE_INTENT_PREFIX}{m.key}"} for m in matches]
        card = AnswerCard(kind="match", citations=[m.number for m in matches], confidence=confidence)
        send_answer(dispatcher, "\n".join(lines), card, buttons)
        return []
