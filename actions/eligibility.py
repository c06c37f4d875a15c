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
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_facts import about_the_asker, conversation_facts
from actions.english import answer_english
from actions.messages import intent_confidence, intent_name, send_answer
from actions.other_region import answer_other_region
from knowledge.beneficiaries import answer_can_we, audiences
from knowledge.card import citation_label
from knowledge.eligibility import Evaluation, coerce_fact, document_source, evaluate, requirement_with_source, rules
from knowledge.eligibility_questions import asks_eligibility, named_rule, rule_for_measure, rule_of_facts
from knowledge.english import english_measure, fact_label, is_english, verdict_line
from knowledge.facts import FACT_NAMES, fact_definitions, parse_bool, prepare_text
from knowledge.source_data import read_all
from knowledge.statements import title_in

CHECK_INTENT_PREFIX = "check_"
FORM_SUFFIX = "_form"
STATUS_DECIDED = "decided"


def status_asking(rule_key: str) -> str:
    return f"ask_{rule_key}"


def known_facts(tracker: Tracker) -> Dict[str, Any]:
    """Every fact stated in the conversation (actions/conversation_facts.py), latest first."""
    return dict(conversation_facts(tracker).values)


def _measure_numbers() -> Dict[str, int]:
    return {measure["key"]: int(measure["number"]) for document in read_all() for measure in document.measures}


def _measure_key(number: int) -> str | None:
    return next((key for key, value in _measure_numbers().items() if value == number), None)


def message_facts(tracker: Tracker) -> Dict[str, Any]:
    return {
        entity["entity"]: entity.get("value")
        for entity in tracker.latest_message.get("entities") or []
        if entity.get("entity") in FACT_NAMES
    }


def form_rule(tracker: Tracker) -> str | None:
    """The rule whose form is running (the active loop is ``<rule>_form``)."""
    loop = tracker.active_loop_name or ""
    rule_key = loop[: -len(FORM_SUFFIX)] if loop.endswith(FORM_SUFFIX) else ""
    return rule_key if rule_key in rules() else None


def card_sent_this_turn(tracker: Tracker) -> bool:
    """True when an action already sent an answer card after the latest user message."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and "answer_card" in ((event.get("data") or {}).get("custom") or {}):
            return True
    return False


def rule_being_checked(tracker: Tracker) -> str | None:
    """The rule a message is about. Not the classifier's word alone: the programme the message
    names ("降费奖补"), the facts it states (反担保 → 担保费补贴), the form running, and the
    measure under discussion ("那我能办吗" after an answer about the 徽商服务卡) all count."""
    text = tracker.latest_message.get("text") or ""
    named = named_rule(text)
    if named:
        return named
    english = _english_measure_number(text)
    if english is not None and rule_for_measure(english, {}) is not None:
        # "Are we eligible for the guarantee fee subsidy?": the measure the English message names.
        return rule_for_measure(english, {**known_facts(tracker), **message_facts(tracker)})
    intent = intent_name(tracker) or ""
    loop = tracker.active_loop_name
    if loop and loop.endswith(FORM_SUFFIX) and loop[: -len(FORM_SUFFIX)] in rules():
        return loop[: -len(FORM_SUFFIX)]
    by_message = rule_of_facts(message_facts(tracker))
    if by_message:
        return by_message
    context = _context_rule(tracker)
    if context:
        return context
    if intent.startswith(CHECK_INTENT_PREFIX) and intent[len(CHECK_INTENT_PREFIX) :] in rules():
        return intent[len(CHECK_INTENT_PREFIX) :]
    return rule_of_facts(known_facts(tracker))


def _context_rule(tracker: Tracker) -> str | None:
    """The rule of the measure under discussion (the last one answered or checked)."""
    current = tracker.get_slot("current_measure")
    number = _measure_numbers().get(current or "")
    last = tracker.get_slot("eligibility_rule")
    if number is None:
        return last if last in rules() else None
    intent = intent_name(tracker) or ""
    preferred = intent[len(CHECK_INTENT_PREFIX) :] if intent.startswith(CHECK_INTENT_PREFIX) else last
    return rule_for_measure(number, known_facts(tracker), preferred)


def _english_measure_number(text: str) -> int | None:
    """The measure an English message names (the classifier's reading of English is noise)."""
    if not is_english(text):
        return None
    key = english_measure(text)
    return _measure_numbers().get(key) if key else None


def english_check(tracker: Tracker) -> bool:
    """An English message that asks "can we get it?" or states facts about the asker: a check."""
    text = tracker.latest_message.get("text") or ""
    if not is_english(text):
        return False
    return asks_eligibility(text) or bool(message_facts(tracker) and about_the_asker(text, None))


def english_line(tracker: Tracker, evaluation: Evaluation) -> str | None:
    """The English line under a verdict or question, when the latest message is English."""
    if not is_english(tracker.latest_message.get("text") or ""):
        return None
    failed = "; ".join(fact_label(r.fact_name) for r in evaluation.reasons if r.met is False and r.fact_name)
    missing = "; ".join(fact_label(name) for name in evaluation.open_facts)
    return verdict_line(evaluation.rule.key, evaluation.measure_number, evaluation.verdict, failed, missing)


def context_measure_without_rule(tracker: Tracker) -> str | None:
    """The measure under discussion when it has no eligibility rule (its audience answers)."""
    current = tracker.get_slot("current_measure")
    number = _measure_numbers().get(current or "")
    if (
        number is None
        or rule_for_measure(number, {}) is not None
        or named_rule(tracker.latest_message.get("text") or "")
    ):
        return None
    return current if current in audiences() else None


def _source(rule_key: str) -> Dict[str, str] | None:
    """The card's source: the document the rule's own measure belongs to."""
    return document_source(rules()[rule_key].measure_number)


def evaluate_in_conversation(tracker: Tracker, rule_key: str) -> Evaluation:
    facts = conversation_facts(tracker)
    evaluation = evaluate(rule_key, facts.values, facts.stated_in)
    evaluation.taken_back = facts.taken_back
    return evaluation


def check_events(rule_key: str, evaluation: Evaluation, status: str) -> List[EventType]:
    """What a check leaves behind: the rule, its status, the measure under discussion, and the
    facts it used as slots (so the forms and later turns see them); a fact taken back ("不对，法人是
    我父亲") has its slot emptied, so the form asks it again."""
    measure = _measure_key(evaluation.measure_number)
    events: List[EventType] = [SlotSet(name, value) for name, value in evaluation.facts.items()]
    events += [SlotSet(name, None) for name in evaluation.taken_back if name not in evaluation.facts]
    events += [SlotSet("eligibility_rule", rule_key), SlotSet("eligibility_status", status)]
    if measure:
        events.append(SlotSet("current_measure", measure))
    return events


def send_verdict_text(
    dispatcher: CollectingDispatcher, tracker: Tracker, evaluation: Evaluation, rule_key: str
) -> None:
    send_answer(
        dispatcher,
        evaluation.text,
        evaluation.card(confidence=intent_confidence(tracker), source=_source(rule_key)),
        buttons=question_buttons(evaluation) if evaluation.verdict == "need_info" else None,
    )
    english = english_line(tracker, evaluation)
    if english:
        dispatcher.utter_message(text=english)


def start_check(dispatcher: CollectingDispatcher, tracker: Tracker, rule_key: str) -> List[EventType]:
    """Check ``rule_key`` with every fact of the conversation, from any action: a decided verdict
    is sent now; with a fact missing, the rule's form takes over and asks for it."""
    evaluation = evaluate_in_conversation(tracker, rule_key)
    if evaluation.verdict == "need_info":
        return check_events(rule_key, evaluation, status_asking(rule_key)) + [
            FollowupAction(f"{rule_key}{FORM_SUFFIX}")
        ]
    send_verdict_text(dispatcher, tracker, evaluation, rule_key)
    return check_events(rule_key, evaluation, STATUS_DECIDED)


def answer_audience(dispatcher: CollectingDispatcher, tracker: Tracker, measure_key: str) -> List[EventType]:
    """ "Can we?" about a measure without rules: whom the document says it is for."""
    answer = answer_can_we(measure_key, known_facts(tracker), intent_confidence(tracker))
    send_answer(dispatcher, answer.text, answer.card)
    return [SlotSet("current_measure", measure_key), SlotSet("eligibility_status", STATUS_DECIDED)]


def check_measure(dispatcher: CollectingDispatcher, tracker: Tracker, measure_key: str) -> List[EventType]:
    """An eligibility question about measure ``measure_key``: its rule's check, or its audience."""
    number = _measure_numbers().get(measure_key)
    if number is None:
        return []
    text = tracker.latest_message.get("text") or ""
    intent = intent_name(tracker) or ""
    preferred = named_rule(text) or (
        intent[len(CHECK_INTENT_PREFIX) :] if intent.startswith(CHECK_INTENT_PREFIX) else None
    )
    rule_key = rule_for_measure(number, {**known_facts(tracker), **message_facts(tracker)}, preferred)
    if rule_key is not None:
        return start_check(dispatcher, tracker, rule_key)
    if measure_key in audiences():
        return answer_audience(dispatcher, tracker, measure_key)
    return []


def _button_payload(fact: str, value: Any) -> str:
    return "/inform" + json.dumps({fact: value}, ensure_ascii=False, separators=(",", ":"))


def question_buttons(evaluation: Evaluation) -> List[Dict[str, str]]:
    return [
        {"title": option.title, "payload": _button_payload(evaluation.next_fact, option.value)}
        for option in evaluation.next_options
    ]


def question_text(evaluation: Evaluation, said: str = "") -> str:
    """The form's question for the next fact: what is known, what is still needed (with the
    document's words) and the question itself. A title given instead of the legal representative
    ("我是总经理") is named, since it does not answer the question."""
    label = citation_label(evaluation.measure_number)
    known = [reason for reason in evaluation.reasons if reason.met is not None]
    lines = [f"【{label}·{evaluation.rule.title}】"]
    if known:
        lines.append("已了解：" + "；".join(f"{'✓' if r.met else '✗'} {r.condition}（{r.fact}）" for r in known))
    needed = [reason for reason in evaluation.reasons if reason.fact_name == evaluation.next_fact]
    if needed:
        lines.append(f"还需确认：{requirement_with_source(needed[0])}。")
    title = title_in(prepare_text(said)) if evaluation.next_fact == "is_legal_representative" else None
    if title:
        lines.append(f"您提到的职务“{title}”不等于法定代表人（以营业执照登记为准）。")
    lines.append(evaluation.next_question or "")
    lines.append(f"（依据：《若干意见》实施意见{label}；随时可以说“算了”退出）")
    return "\n".join(lines)


def _said_in_conversation(tracker: Tracker) -> str:
    return "，".join(
        str(event.get("text") or "") for event in tracker.events or [] if event.get("event") == "user"
    ) or (tracker.latest_message.get("text") or "")


class ActionEligibilityVerdict(Action):
    def name(self) -> str:
        return "action_eligibility_verdict"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        # "江苏的担保费补贴我们能拿吗" asks about another province's programme: out of scope, no form.
        if (intent_name(tracker) or "").startswith(CHECK_INTENT_PREFIX) and answer_other_region(dispatcher, tracker):
            return [SlotSet("eligibility_status", STATUS_DECIDED)]
        if not tracker.active_loop_name:
            english_number = _english_measure_number(tracker.latest_message.get("text") or "")
            if english_check(tracker) and english_number is not None and rule_for_measure(english_number, {}) is None:
                # "Can our incubator apply for the incubation support?": whom that measure is for.
                key = _measure_key(english_number)
                if key in audiences():
                    return answer_audience(dispatcher, tracker, key)
            if not english_check(tracker) or (english_number is None and rule_being_checked(tracker) is None):
                english = answer_english(dispatcher, tracker)
                if english is not None:
                    return english
            other = context_measure_without_rule(tracker)
            if other and not rule_of_facts(message_facts(tracker)):
                # "那我们能办吗" after an answer about a measure without rules: whom it is for.
                return answer_audience(dispatcher, tracker, other)
        rule_key = rule_being_checked(tracker)
        if rule_key is None:
            return self._nothing_to_check(dispatcher, tracker)
        evaluation = evaluate_in_conversation(tracker, rule_key)
        form_just_ended = tracker.latest_action_name == f"{rule_key}{FORM_SUFFIX}"
        if evaluation.verdict == "need_info" and not form_just_ended:
            # The rule's form asks (data/rules.yml, or the follow-up when no rule covers the intent).
            return check_events(rule_key, evaluation, status_asking(rule_key)) + [
                FollowupAction(f"{rule_key}{FORM_SUFFIX}")
            ]
        send_verdict_text(dispatcher, tracker, evaluation, rule_key)
        return check_events(rule_key, evaluation, STATUS_DECIDED)

    @staticmethod
    def _nothing_to_check(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """A fact or a yes/no with no eligibility check going on: offer the checks there are."""
        buttons = [{"title": f"能否享受{rule.title}", "payload": f"/check_{key}"} for key, rule in rules().items()]
        dispatcher.utter_message(response="utter_which_check", buttons=buttons)
        return [SlotSet("eligibility_status", STATUS_DECIDED)]


def send_verdict(
    dispatcher: CollectingDispatcher, tracker: Tracker, rule_key: str, measure_number: int
) -> List[EventType]:
    """For an unsure check question (see actions/fallback_answer.py): when the rule belongs to
    ``measure_number``, check it with every fact of the conversation (asking for what is missing)."""
    rule = rules().get(rule_key)
    if rule is None or rule.measure_number != measure_number:
        return []
    return start_check(dispatcher, tracker, rule_key)


class ActionLeaveEligibility(Action):
    def name(self) -> str:
        return "action_leave_eligibility"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_check_left")
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


def _class_name(rule_key: str) -> str:
    return "Validate" + "".join(part.title() for part in rule_key.split("_")) + "Form"


# validate_<rule>_form for every rule file (knowledge/data/eligibility/): adding a rule needs no
# code here; rasa_sdk registers the generated subclasses like hand-written ones.
# tests/test_eligibility_audit.py checks that domain.yml's form for each rule asks its facts.
FORM_VALIDATIONS = [type(_class_name(key), (EligibilityFormValidation,), {"rule_key": key}) for key in sorted(rules())]


class AskFact(Action):
    """action_ask_<fact>: the rule's question for the fact, buttons, and the card so far."""

    fact: str = ""

    def name(self) -> str:
        return f"action_ask_{self.fact}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        # The running form's rule, even when the message names another programme: "徽商服务卡怎么申请"
        # in the middle of the 担保费补贴 check, which another action answered first.
        rule_key = form_rule(tracker) or rule_being_checked(tracker)
        if rule_key is None or self.fact not in rules()[rule_key].fact_names:
            return []
        evaluation = evaluate_in_conversation(tracker, rule_key)
        if evaluation.next_fact != self.fact:
            # The form asks for this fact; ask it even if the engine would order differently.
            evaluation.next_fact = self.fact
            asked = evaluation.rule.fact(self.fact)
            evaluation.next_question, evaluation.next_options = asked.question, list(asked.options)
        text, buttons = question_text(evaluation, _said_in_conversation(tracker)), question_buttons(evaluation)
        if card_sent_this_turn(tracker):
            # Another action answered the message (a question about a measure in the middle of the
            # check): its card is the turn's one card; the check goes on with the question as text.
            dispatcher.utter_message(text=text, buttons=buttons)
        else:
            card = evaluation.card(confidence=intent_confidence(tracker), source=_source(rule_key))
            send_answer(dispatcher, text, card, buttons=buttons)
        english = english_line(tracker, evaluation)
        if english:
            dispatcher.utter_message(text=english)
        return []


# One ask action per fact, registered with rasa_sdk by subclassing (its name comes from the fact).
ASK_ACTIONS = [type(f"AskFact_{fact}", (AskFact,), {"fact": fact}) for fact in FACT_NAMES]
