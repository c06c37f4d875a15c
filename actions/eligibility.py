"""Eligibility conversations for the rule-backed measures (第10条 担保费补贴 / 降费奖补, 第13条 徽商服务卡).

The rules are data (knowledge/data/eligibility/); knowledge.eligibility.evaluate() gives the
verdict, the reason per condition and the next missing fact. These actions only move facts
between slots and the engine:

- action_eligibility_verdict: evaluates the rule being checked. With every needed fact known it
  sends the verdict (text with reasons and 第N条, and the eligibility card); otherwise it sets
  eligibility_status to ask_<rule> and the rule's form asks (data/rules.yml).
- validate_<rule>_form: narrows the form's required slots to the one fact evaluate() needs next,
  so only missing facts are asked, and the form ends as soon as the verdict is certain.
- action_ask_<fact>: the question for one fact, with buttons for its answer options, and the
  card so far (verdict need_info).
- action_leave_eligibility: the user left the check.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import intent_confidence, intent_name, send_answer
from actions.other_region import answer_other_region
from knowledge.card import citation_label
from knowledge.eligibility import Evaluation, coerce_fact, evaluate, rules
from knowledge.facts import FACT_NAMES, fact_definitions, parse_bool

CHECK_INTENT_PREFIX = "check_"
FORM_SUFFIX = "_form"
STATUS_DECIDED = "decided"


def status_asking(rule_key: str) -> str:
    return f"ask_{rule_key}"


def known_facts(tracker: Tracker) -> Dict[str, Any]:
    return {name: tracker.get_slot(name) for name in FACT_NAMES if tracker.get_slot(name) is not None}


def rule_being_checked(tracker: Tracker) -> str | None:
    """The rule named by a check_<rule> intent, else by the running form, else the last one checked."""
    intent = intent_name(tracker) or ""
    if intent.startswith(CHECK_INTENT_PREFIX) and intent[len(CHECK_INTENT_PREFIX) :] in rules():
        return intent[len(CHECK_INTENT_PREFIX) :]
    loop = tracker.active_loop_name
    if loop and loop.endswith(FORM_SUFFIX) and loop[: -len(FORM_SUFFIX)] in rules():
        return loop[: -len(FORM_SUFFIX)]
    return tracker.get_slot("eligibility_rule")


def _source() -> Dict[str, str] | None:
    from knowledge.db import session_scope
    from knowledge.repository import documents

    with session_scope() as session:
        found = documents(session)
        return found[0].source() if found else None


def _button_payload(fact: str, value: Any) -> str:
    return "/inform" + json.dumps({fact: value}, ensure_ascii=False, separators=(",", ":"))


def question_buttons(evaluation: Evaluation) -> List[Dict[str, str]]:
    return [
        {"title": option.title, "payload": _button_payload(evaluation.next_fact, option.value)}
        for option in evaluation.next_options
    ]


def question_text(evaluation: Evaluation) -> str:
    label = citation_label(evaluation.measure_number)
    known = [reason for reason in evaluation.reasons if reason.met is not None]
    lines = [f"【{label}·{evaluation.rule.title}】"]
    if known:
        lines.append("已了解：" + "；".join(f"{'✓' if r.met else '✗'} {r.condition}（{r.fact}）" for r in known))
    lines.append(evaluation.next_question or "")
    lines.append(f"（依据：《若干意见》实施意见{label}；随时可以说“算了”退出）")
    return "\n".join(lines)


class ActionEligibilityVerdict(Action):
    def name(self) -> str:
        return "action_eligibility_verdict"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        # "江苏的担保费补贴我们能拿吗" asks about another province's programme: out of scope, no form.
        if (intent_name(tracker) or "").startswith(CHECK_INTENT_PREFIX) and answer_other_region(dispatcher, tracker):
            return [SlotSet("eligibility_status", STATUS_DECIDED)]
        rule_key = rule_being_checked(tracker)
        if rule_key is None:
            return self._nothing_to_check(dispatcher, tracker)
        evaluation = evaluate(rule_key, known_facts(tracker))
        form_just_ended = tracker.latest_action_name == f"{rule_key}{FORM_SUFFIX}"
        if evaluation.verdict == "need_info" and not form_just_ended:
            # The form asks; this turn says nothing itself.
            return [SlotSet("eligibility_rule", rule_key), SlotSet("eligibility_status", status_asking(rule_key))]
        send_answer(
            dispatcher,
            evaluation.text,
            evaluation.card(confidence=intent_confidence(tracker), source=_source()),
            buttons=question_buttons(evaluation) if evaluation.verdict == "need_info" else None,
        )
        return [SlotSet("eligibility_rule", rule_key), SlotSet("eligibility_status", STATUS_DECIDED)]

    @staticmethod
    def _nothing_to_check(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """A fact or a yes/no with no eligibility check going on: offer the checks there are."""
        buttons = [{"title": f"能否享受{rule.title}", "payload": f"/check_{key}"} for key, rule in rules().items()]
        dispatcher.utter_message(text="收到。请问您想判断能否享受哪一项支持？也可以直接提问政策内容。", buttons=buttons)
        return [SlotSet("eligibility_status", STATUS_DECIDED)]


def send_verdict(
    dispatcher: CollectingDispatcher, tracker: Tracker, rule_key: str, measure_number: int
) -> List[EventType]:
    """For an unsure check question (see actions/fallback_answer.py): when the rule belongs to
    ``measure_number`` and the facts known plus those in this message decide it, send the verdict.
    Returns no events (and sends nothing) otherwise."""
    rule = rules().get(rule_key)
    if rule is None or rule.measure_number != measure_number:
        return []
    facts = known_facts(tracker)
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") in FACT_NAMES:
            facts[entity["entity"]] = entity.get("value")
    evaluation = evaluate(rule_key, facts)
    if evaluation.verdict == "need_info":
        return []
    send_answer(dispatcher, evaluation.text, evaluation.card(confidence=intent_confidence(tracker), source=_source()))
    events: List[EventType] = [SlotSet(name, value) for name, value in facts.items()]
    return events + [SlotSet("eligibility_rule", rule_key), SlotSet("eligibility_status", STATUS_DECIDED)]


class ActionLeaveEligibility(Action):
    def name(self) -> str:
        return "action_leave_eligibility"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text="好的，资格判断先到这里。您还可以继续问其他政策问题。")
        return [
            SlotSet("eligibility_rule", None),
            SlotSet("eligibility_status", STATUS_DECIDED),
            SlotSet("requested_slot", None),
        ]


class EligibilityFormValidation(FormValidationAction):
    """validate_<rule>_form: ask only for the next fact the engine needs, stop once it is decided."""

    rule_key: str = ""

    def name(self) -> str:
        return f"validate_{self.rule_key}{FORM_SUFFIX}"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[str]:
        evaluation = evaluate(self.rule_key, known_facts(tracker))
        if evaluation.verdict != "need_info" or evaluation.next_fact is None:
            return []
        return [evaluation.next_fact]


def answer_to_question(fact: str, text: str) -> Any:
    """The value of ``fact`` in a free answer to the question about it: "1.5" for a rate, "是" /
    "不是" for a yes/no fact or a two-option question ("是省级专精特新吗？"), a keyword otherwise.
    Used whatever intent the answer was classified as: a bare "是的" must not get lost."""
    if not text or text.startswith("/"):
        return None
    value = coerce_fact(fact, text)
    if value is not None:
        return value
    options = fact_definitions()[fact].options
    answer = parse_bool(text)
    if answer is not None and len(options) == 2:
        return options[0].value if answer else options[1].value
    return None


def _extract_requested(fact: str):
    async def extract(
        self: EligibilityFormValidation, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != fact:
            return {}
        value = answer_to_question(fact, tracker.latest_message.get("text") or "")
        return {fact: value} if value is not None else {}

    return extract


# extract_<fact>: rasa_sdk calls it for the slot the form is asking for (required_slots above).
for _fact in FACT_NAMES:
    setattr(EligibilityFormValidation, f"extract_{_fact}", _extract_requested(_fact))


class ValidateGuaranteeFeeSubsidyForm(EligibilityFormValidation):
    rule_key = "guarantee_fee_subsidy"


class ValidateGuaranteeFeeReductionAwardForm(EligibilityFormValidation):
    rule_key = "guarantee_fee_reduction_award"


class ValidateHuishangServiceCardForm(EligibilityFormValidation):
    rule_key = "huishang_service_card"


class AskFact(Action):
    """action_ask_<fact>: the rule's question for the fact, buttons, and the card so far."""

    fact: str = ""

    def name(self) -> str:
        return f"action_ask_{self.fact}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        rule_key = rule_being_checked(tracker)
        if rule_key is None:
            return []
        evaluation = evaluate(rule_key, known_facts(tracker))
        if evaluation.next_fact != self.fact:
            # The form asks for this fact; ask it even if the engine would order differently.
            evaluation.next_fact = self.fact
            asked = evaluation.rule.fact(self.fact)
            evaluation.next_question, evaluation.next_options = asked.question, list(asked.options)
        send_answer(
            dispatcher,
            question_text(evaluation),
            evaluation.card(confidence=intent_confidence(tracker), source=_source()),
            buttons=question_buttons(evaluation),
        )
        return []


# One ask action per fact, registered with rasa_sdk by subclassing (its name comes from the fact).
ASK_ACTIONS = [type(f"AskFact_{fact}", (AskFact,), {"fact": fact}) for fact in FACT_NAMES]
