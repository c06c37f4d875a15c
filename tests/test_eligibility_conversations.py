"""Eligibility checks over whole conversations, run on the actions with rasa_sdk trackers built
from the events a Rasa server would send (no model): facts stated anywhere count, the check
starts however the question was classified, a negated or unknown fact never makes 'eligible',
and every verdict card carries its trace."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Sequence, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.eligibility import ASK_ACTIONS, ActionEligibilityVerdict
from actions.fallback_answer import ActionAnswerFallback
from actions.measure_answer import ActionAnswerMeasure
from actions.out_of_scope import ActionAnswerOutOfScope
from actions.policy_matching import ActionMatchPolicies
from bot.nlu.fact_extractor import fact_entities

Turn = Tuple[str, str]  # (text, intent)


def user_event(text: str, intent: str) -> Dict[str, Any]:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
        "entities": fact_entities(text),
    }
    return {"event": "user", "text": text, "parse_data": parse}


def conversation(turns: Sequence[Turn], slots: Dict[str, Any] | None = None) -> Tracker:
    events = [user_event(text, intent) for text, intent in turns]
    latest = events[-1]["parse_data"]
    return Tracker("unit", slots or {}, latest, events, False, None, {}, "action_listen")


def run(action, turns: Sequence[Turn], slots: Dict[str, Any] | None = None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, conversation(turns, slots), {}))
    cards = [m["custom"]["answer_card"] for m in dispatcher.messages if "answer_card" in (m.get("custom") or {})]
    text = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    return (cards[0] if cards else None), text, events


def followup(events: List[Dict[str, Any]]) -> str | None:
    return next((e.get("name") for e in events if e.get("event") == "followup"), None)


@pytest.fixture(autouse=True)
def _knowledge(knowledge_db: str) -> None:
    """The actions read the knowledge database."""


def test_a_check_question_read_as_a_measure_question_gets_the_verdict() -> None:
    card, text, _ = run(
        ActionAnswerMeasure(),
        [("我是国企的董事长，公司被省政府表扬过，徽商服务卡我能办吗", "measure_huishang_service_card")],
    )
    assert card["kind"] == "eligibility" and card["verdict"] == "not_eligible"
    assert card["citations"] == [13] and "第13条" in text
    failed = [r for r in card["reasons"] if r["met"] is False]
    assert failed[0]["fact_name"] == "ownership" and "原文" in text


def test_the_negated_honour_and_title_of_the_issue_are_never_eligible() -> None:
    # A 总经理 who says he is not the legal representative and was never honoured himself.
    card, text, _ = run(
        ActionEligibilityVerdict(),
        [
            (
                "我是民营企业总经理，不是法定代表人，本人也没有得过表彰，公司省里表彰过，能办徽商卡吗",
                "check_huishang_service_card",
            )
        ],
    )
    assert card["verdict"] == "not_eligible", text
    assert "法定代表人" in text


def test_a_title_alone_is_asked_about_not_taken_for_the_legal_representative() -> None:
    _, _, events = run(
        ActionEligibilityVerdict(),
        [("我是民营企业的董事长，公司获得过省委省政府表彰，徽商服务卡能办吗", "check_huishang_service_card")],
    )
    assert followup(events) == "huishang_service_card_form"
    assert not [e for e in events if e.get("name") == "is_legal_representative"]


def test_a_city_honour_alone_settles_the_card_at_once() -> None:
    card, text, _ = run(
        ActionEligibilityVerdict(),
        [("我是民营企业法定代表人，公司只有市里评的荣誉，能拿徽商卡吗", "check_huishang_service_card")],
    )
    assert card["verdict"] == "not_eligible"
    assert "省授予" in text and "第13条" in text


def test_facts_given_before_the_question_in_other_messages_are_used_with_their_message() -> None:
    turns = [
        ("我们是一家融资担保公司", "measure_fiscal_funds_and_guarantee"),
        ("客户是省级专精特新企业，纯信用没有抵押", "measure_quality_enterprise_cultivation"),
        ("年化费率一点二个点", "inform"),
        ("那担保费补贴我们能拿吗", "check_guarantee_fee_subsidy"),
    ]
    card, text, _ = run(ActionEligibilityVerdict(), turns)
    assert card["verdict"] == "eligible", text
    by_fact = {r["fact_name"]: r for r in card["reasons"]}
    assert by_fact["applicant_role"]["stated_in"]["message"] == 1
    assert by_fact["counter_guarantee"]["stated_in"]["message"] == 2
    assert by_fact["guarantee_fee_rate"]["stated_in"] == {"message": 3, "text": "年化费率一点二个点"}


def test_a_failed_condition_is_named_with_what_would_meet_it_quoting_the_document() -> None:
    card, text, _ = run(
        ActionAnswerFallback(),
        [("我们担保公司费率百分之一点五，能拿担保费补贴吗", "nlu_fallback")],
    )
    assert card["verdict"] == "not_eligible"
    failed = [r for r in card["reasons"] if r["met"] is False]
    assert failed[0]["requirement"] == "年化担保费率需不超过1.2%（第10条）"
    assert failed[0]["source"] == "年化担保费率不超过1.2%"
    assert "年化担保费率需不超过1.2%（第10条，原文：“年化担保费率不超过1.2%”）" in text


def test_a_bare_statement_of_facts_starts_the_check() -> None:
    card, _, _ = run(
        ActionAnswerMeasure(),
        [
            (
                "我们是担保公司，给省级专精特新企业做的信用反担保业务，年化费率1%",
                "measure_quality_enterprise_cultivation",
            )
        ],
    )
    assert card["kind"] == "eligibility" and card["measure"] == "guarantee_fee_subsidy"
    assert card["verdict"] == "eligible"


def test_that_i_can_after_an_answer_about_a_measure_checks_that_measure() -> None:
    _, _, events = run(
        ActionAnswerMeasure(),
        [("徽商服务卡有什么用", "measure_huishang_service_card"), ("那我能办吗", "ask_followup")],
        slots={"current_measure": "huishang_service_card"},
    )
    assert followup(events) == "huishang_service_card_form"


def test_a_negated_rate_word_does_not_count_and_a_bound_decides_only_when_it_can() -> None:
    card, _, _ = run(
        ActionEligibilityVerdict(),
        [("我们担保公司，给省级专精特新做信用担保，费率超过1.5%，能拿担保费补贴吗", "check_guarantee_fee_subsidy")],
    )
    assert card["verdict"] == "not_eligible"
    rate = next(r for r in card["reasons"] if r["fact_name"] == "guarantee_fee_rate")
    assert rate["met"] is False and rate["fact"] == "超过1.5%"


@pytest.mark.parametrize(
    ("turns", "measure", "verdict"),
    [
        # A guarantee company asking about 专精特新 cultivation is plainly not the audience.
        (
            [("我们是融资担保公司，优质企业梯度培育我们能享受吗", "measure_quality_enterprise_cultivation")],
            8,
            "not_eligible",
        ),
        # A state-owned enterprise: the document concerns private enterprises.
        ([("我们是国企，技改补贴我们能申请吗", "measure_technology_upgrade")], 6, "not_eligible"),
        # An enterprise asking about 技改: whom it is for, criteria from the yearly notices; never eligible.
        ([("我们是民营制造企业，技术改造的支持我们能申请吗", "measure_technology_upgrade")], 6, None),
    ],
)
def test_every_measure_answers_can_we(turns: List[Turn], measure: int, verdict: str | None) -> None:
    card, text, _ = run(ActionAnswerMeasure(), turns)
    assert card["kind"] == "eligibility" and card["citations"] == [measure]
    assert card["verdict"] == verdict
    assert f"第{measure}条" in text and "原文" in text or "原文标题" in text
    if verdict is None:
        assert "申报通知" in text


def test_which_measures_fit_is_still_matching_but_can_we_about_the_measure_discussed_is_a_check() -> None:
    card, _, _ = run(ActionMatchPolicies(), [("我们是民营企业，有哪些政策能享受", "match_policies")])
    assert card["kind"] == "match"
    card, _, _ = run(
        ActionMatchPolicies(),
        [("我们这种情况能拿吗", "match_policies")],
        slots={"current_measure": "technology_upgrade"},
    )
    assert card["kind"] == "eligibility" and card["citations"] == [6]


def test_a_general_question_naming_an_honour_states_no_fact_about_the_asker() -> None:
    turns = [
        ("优秀民营企业家有什么待遇", "measure_huishang_service_card"),
        ("徽商服务卡能办吗", "check_huishang_service_card"),
    ]
    _, _, events = run(ActionEligibilityVerdict(), turns)
    assert followup(events) == "huishang_service_card_form"
    assert not [e for e in events if e.get("name") == "personally_recognized"]


def test_a_question_comparing_loan_products_is_no_check() -> None:
    card, _, _ = run(ActionAnswerMeasure(), [("专精特新贷和小巨人贷有啥区别", "measure_financing_service_campaign")])
    assert card["kind"] == "policy" and card["citations"] == [9]


FISCAL = "measure_fiscal_funds_and_guarantee"
DECIDED_SUBSIDY = {
    "eligibility_rule": "guarantee_fee_subsidy",
    "eligibility_status": "decided",
    "current_measure": "fiscal_funds_and_guarantee",
}
SUBSIDY_MET = ("我们是融资担保公司，客户是省级专精特新，纯信用反担保，年化费率1%", "check_guarantee_fee_subsidy")


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope", "measure_fiscal_funds_and_guarantee", "deny"])
@pytest.mark.parametrize(
    "correction, verdict",
    [
        ("不对，费率是1.5%", "not_eligible"),
        ("说错了，其实是抵押", "not_eligible"),
        ("刚才说错了，客户只是市级专精特新", "not_eligible"),
        ("改一下，年化费率改成1.1%", "eligible"),
    ],
)
def test_a_correction_after_a_verdict_re_evaluates_however_it_was_classified(intent, correction, verdict) -> None:
    action = {
        "nlu_fallback": ActionAnswerFallback(),
        "out_of_scope": ActionAnswerOutOfScope(),
        "deny": ActionEligibilityVerdict(),
    }.get(intent, ActionAnswerMeasure())
    card, text, _ = run(action, [SUBSIDY_MET, (correction, intent)], slots=DECIDED_SUBSIDY)
    assert card is not None and card["kind"] == "eligibility", text
    assert card["verdict"] == verdict, text


def test_a_correction_back_to_an_unknown_value_asks_again() -> None:
    turns = [
        ("民营企业，省委省政府表彰过我们公司，我是法人，徽商服务卡能办吗", "check_huishang_service_card"),
        ("不对，说错了，法人是我父亲，我是总经理", "inform"),
    ]
    # The slots as the first verdict left them (check_events): the legal representative is set.
    slots = {
        "eligibility_rule": "huishang_service_card",
        "eligibility_status": "decided",
        "ownership": "private",
        "honour_level": "province",
        "is_legal_representative": True,
    }
    card, text, events = run(ActionEligibilityVerdict(), turns, slots=slots)
    assert followup(events) == "huishang_service_card_form", text
    assert {"event": "slot", "name": "is_legal_representative", "timestamp": None, "value": None} in events


@pytest.mark.parametrize(
    "turns, rule",
    [
        ([("我们是国企，徽商服务卡怎么申请", "measure_huishang_service_card")], "huishang_service_card"),
        ([("我们担保公司费率2%，降费奖补怎么申报", FISCAL)], "guarantee_fee_reduction_award"),
        ([("我们公司不是担保机构，担保费补贴去哪里申请", FISCAL)], "guarantee_fee_subsidy"),
    ],
)
def test_a_question_whose_facts_already_rule_the_asker_out_gets_the_verdict(turns, rule) -> None:
    card, text, _ = run(ActionAnswerMeasure(), turns)
    assert card["kind"] == "eligibility" and card["measure"] == rule, text
    assert card["verdict"] == "not_eligible"


def test_a_question_about_the_programme_without_disqualifying_facts_is_answered_as_usual() -> None:
    card, _, _ = run(ActionAnswerMeasure(), [("我们是民营企业，徽商服务卡怎么申请", "measure_huishang_service_card")])
    assert card["kind"] == "policy" and card["citations"] == [13]


ASKING_COUNTER_GUARANTEE = [
    ("我们担保公司年化费率1%，客户是省级专精特新，能拿担保费补贴吗", "check_guarantee_fee_subsidy")
]


def run_in_form(action, turns: Sequence[Turn], form: str, requested: str):
    """``action`` on the latest message while ``form`` asks for ``requested`` (the tracker the action
    server gets when the form rejected the message and the rules predicted ``action``)."""
    dispatcher = CollectingDispatcher()
    events = [user_event(text, intent) for text, intent in turns]
    slots = {"requested_slot": requested, "eligibility_rule": form.removesuffix("_form")}
    tracker = Tracker("unit", slots, events[-1]["parse_data"], events, False, None, {"name": form}, "action_listen")
    sent = asyncio.run(action.run(dispatcher, tracker, {}))
    cards = [m["custom"]["answer_card"] for m in dispatcher.messages if "answer_card" in (m.get("custom") or {})]
    return cards, sent


@pytest.mark.parametrize(
    "message, slot",
    [
        ("嗯这个我得回去问问", None),  # nothing for the check: the form asks its question again
        ("其实是信用反担保", ("counter_guarantee", "credit")),  # the fact asked for: the form ends, verdict
        ("/nlu_fallback", None),
    ],
)
def test_an_unsure_message_during_a_check_leaves_the_one_card_to_the_form(message, slot) -> None:
    # The form rejected the message (nothing it could extract) and the rule for nlu_fallback ran the
    # fallback; the form is predicted again after it and sends its question or, via the verdict
    # rule, the verdict. A card from the fallback as well made two cards in one turn.
    cards, events = run_in_form(
        ActionAnswerFallback(),
        [*ASKING_COUNTER_GUARANTEE, (message, "nlu_fallback")],
        "guarantee_fee_subsidy_form",
        "counter_guarantee",
    )
    assert cards == []
    slots = [(e["name"], e["value"]) for e in events if e.get("event") == "slot"]
    assert slots == ([slot] if slot else [])
    assert followup(events) is None


def ask_action(fact: str):
    return next(cls() for cls in ASK_ACTIONS if cls().name() == f"action_ask_{fact}")


def test_the_form_asks_its_own_rules_question_when_the_message_names_another_programme() -> None:
    # "徽商服务卡怎么申请" while the 担保费补贴 form asks about the borrower: the measure action answers
    # it, then the form asks on. The ask action took the rule the message names (徽商服务卡), which
    # has no borrower fact, and failed (the user got "政策库暂时无法查询").
    asking = [("我们担保公司年化费率1.1%，能申请担保费补贴吗", "check_guarantee_fee_subsidy")]
    cards, _ = run_in_form(
        ask_action("borrower_qualification"),
        [*asking, ("徽商服务卡怎么申请", "measure_huishang_service_card")],
        "guarantee_fee_subsidy_form",
        "borrower_qualification",
    )
    assert [card["measure"] for card in cards] == ["guarantee_fee_subsidy"]
    assert "专精特新" in cards[0]["next_question"]


def test_the_forms_question_after_another_answer_in_the_same_turn_is_text_without_a_second_card() -> None:
    # A question about another measure in the middle of the check: action_answer_measure sent its
    # card, then the form asks on. One card per turn: the question follows as text with its buttons.
    asking = [("我们担保公司年化费率1.1%，能申请担保费补贴吗", "check_guarantee_fee_subsidy")]
    question = user_event("技改贷怎么申请", "measure_technology_upgrade")
    answered = {"event": "bot", "text": "【第6条】…", "data": {"custom": {"answer_card": {"kind": "policy"}}}}
    events = [*(user_event(t, i) for t, i in asking), question, answered]
    slots = {"requested_slot": "borrower_qualification", "eligibility_rule": "guarantee_fee_subsidy"}
    tracker = Tracker(
        "unit", slots, question["parse_data"], events, False, None, {"name": "guarantee_fee_subsidy_form"}, "x"
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ask_action("borrower_qualification").run(dispatcher, tracker, {}))
    assert not any("answer_card" in (m.get("custom") or {}) for m in dispatcher.messages)
    assert "专精特新" in dispatcher.messages[0]["text"] and dispatcher.messages[0]["buttons"]
