"""Dialogue behaviour over the REST channel: eligibility forms, corrections, leaving, matching,
out-of-scope and fallback replies. Shares the session's running assistant (tests/conftest.py)."""

from __future__ import annotations

import re

import pytest

from tests.support.console_api import set_on_duty
from tools.assistant_client import AssistantClient, Reply

pytestmark = pytest.mark.server

CITATION = re.compile(r"第\d+条")


def eligibility_card(reply: Reply, measure: int, rule: str) -> dict:
    card = reply.card
    assert card is not None, reply.messages
    assert card["kind"] == "eligibility", card
    assert card["citations"] == [measure]
    assert card["measure"] == rule
    assert f"第{measure}条" in reply.text, reply.text
    return card


def press(assistant: AssistantClient, sender: str, reply: Reply, title_part: str) -> Reply:
    """Press the button whose title contains ``title_part``, as a channel would (its payload)."""
    matching = [b for b in reply.buttons if title_part in b["title"]]
    assert matching, f"no button with {title_part!r} in {reply.buttons}"
    return assistant.ask(sender, matching[0]["payload"])


def test_a_question_with_every_fact_gets_its_verdict_at_once(assistant: AssistantClient) -> None:
    reply = assistant.ask(
        assistant.new_sender(),
        "我们是融资担保公司，给一家省级专精特新企业做信用反担保的贷款担保，年化费率百分之一，贷款五百万，能拿担保费补贴吗",
    )
    card = eligibility_card(reply, 10, "guarantee_fee_subsidy")
    assert card["verdict"] == "eligible"
    assert card["next_question"] is None
    assert all(reason["met"] for reason in card["reasons"])
    assert "5万元" in reply.text  # 500万 × 1%, computed by the rules engine


def test_the_form_asks_only_missing_facts_one_at_a_time_with_buttons(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    first = assistant.ask(sender, "我们担保公司年化费率1.1%，能申请担保费补贴吗")
    card = eligibility_card(first, 10, "guarantee_fee_subsidy")
    assert card["verdict"] == "need_info"
    # Role and rate were given: the first question is about the borrower, not about them.
    assert "专精特新" in card["next_question"]
    assert first.buttons
    second = press(assistant, sender, first, "是省级专精特新")
    card = eligibility_card(second, 10, "guarantee_fee_subsidy")
    assert card["verdict"] == "need_info" and "反担保" in card["next_question"]
    assert {b["title"] for b in second.buttons} >= {"信用", "抵押"}
    verdict = press(assistant, sender, second, "信用")
    card = eligibility_card(verdict, 10, "guarantee_fee_subsidy")
    assert card["verdict"] == "eligible"


def test_a_correction_after_the_verdict_changes_it(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    first = assistant.ask(sender, "我们是担保机构，费率1.2%，信用反担保，对象是省级专精特新企业，能拿担保费补贴吗")
    assert eligibility_card(first, 10, "guarantee_fee_subsidy")["verdict"] == "eligible"
    corrected = assistant.ask(sender, "不对，费率是1.5%")
    card = eligibility_card(corrected, 10, "guarantee_fee_subsidy")
    assert card["verdict"] == "not_eligible"
    failed = [reason for reason in card["reasons"] if reason["met"] is False]
    assert failed and "1.2%" in failed[0]["condition"] and failed[0]["fact"] == "1.5%"


def test_a_typed_answer_and_a_yes_fill_the_form(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    first = assistant.ask(sender, "我们是担保机构，年化担保费率1.2%，能不能拿降费奖补")
    card = eligibility_card(first, 10, "guarantee_fee_reduction_award")
    assert card["verdict"] == "need_info" and "小微" in card["next_question"]
    verdict = assistant.ask(sender, "是的")
    assert eligibility_card(verdict, 10, "guarantee_fee_reduction_award")["verdict"] == "eligible"


def test_huishang_card_is_not_for_state_owned_enterprises(assistant: AssistantClient) -> None:
    reply = assistant.ask(assistant.new_sender(), "我是一家国有企业的法定代表人，能办徽商服务卡吗")
    card = eligibility_card(reply, 13, "huishang_service_card")
    assert card["verdict"] == "not_eligible"
    assert any(reason["met"] is False and "民营" in reason["condition"] for reason in card["reasons"])


def test_huishang_card_dialogue_to_a_verdict(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    first = assistant.ask(sender, "我能办徽商服务卡吗")
    assert eligibility_card(first, 13, "huishang_service_card")["verdict"] == "need_info"
    reply = first
    for answer in ("民营企业", "省委省政府表彰的", "我是法定代表人"):
        if reply.card and reply.card.get("verdict") != "need_info":
            break
        reply = assistant.ask(sender, answer)
    card = eligibility_card(reply, 13, "huishang_service_card")
    assert card["verdict"] == "eligible"


def test_the_user_can_leave_the_check(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    first = assistant.ask(sender, "帮我看看我能不能领徽商卡")
    assert eligibility_card(first, 13, "huishang_service_card")["verdict"] == "need_info"
    left = assistant.ask(sender, "算了，不查了")
    assert left.card is None and not CITATION.search(left.text)
    tracker = assistant.tracker(sender)
    assert tracker["active_loop"] in (None, {}) or not tracker["active_loop"].get("name")
    after = assistant.ask(sender, "技改有什么补贴")
    assert after.card and after.card["citations"] == [6]


def test_asking_for_a_human_in_the_middle_of_a_check_ends_the_form_and_hands_over(
    assistant: AssistantClient,
) -> None:
    sender = assistant.new_sender()
    first = assistant.ask(sender, "我能办徽商服务卡吗")
    assert eligibility_card(first, 13, "huishang_service_card")["verdict"] == "need_info"
    set_on_duty(assistant, True)  # a staff console is open (its heartbeat), else 转人工 offers the hotline
    try:
        reply = assistant.ask(sender, "转人工")
    finally:
        set_on_duty(assistant, False)
    assert reply.card is not None and reply.card["kind"] == "handoff", reply.messages
    assert reply.card["citations"] == [] and not CITATION.search(reply.text)
    tracker = assistant.tracker(sender)
    assert tracker["paused"] is True
    assert tracker["active_loop"] in (None, {}) or not tracker["active_loop"].get("name")
    # Staff hand the conversation back (the events the console's 「交还机器人」 appends): the bot
    # answers the next question, the form stays closed.
    assistant.append_events(sender, [{"event": "resume"}, {"event": "action", "name": "action_listen"}])
    after = assistant.ask(sender, "技改有什么补贴")
    assert after.card and after.card["kind"] == "policy" and after.card["citations"] == [6], after.messages


def test_policy_matching_lists_the_measures_for_a_guarantee_company(assistant: AssistantClient) -> None:
    reply = assistant.ask(assistant.new_sender(), "我们是一家融资担保公司，能享受这个文件里哪些政策")
    card = reply.card
    assert card is not None and card["kind"] == "match", reply.messages
    assert 10 in card["citations"]
    for number in card["citations"]:
        assert f"第{number}条" in reply.text


OUT_OF_SCOPE = ["今天合肥天气怎么样", "个人所得税怎么退", "浙江省的专精特新奖励有多少", "讲个笑话"]


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_says_what_is_covered_and_where_to_ask(assistant: AssistantClient, question: str) -> None:
    reply = assistant.ask(assistant.new_sender(), question)
    card = reply.card
    assert card is not None and card["kind"] in ("out_of_scope", "fallback"), reply.messages
    assert card["citations"] == []
    assert not CITATION.search(reply.text)
    if card["kind"] == "out_of_scope":
        assert "12345" in reply.text and "22条" in reply.text


@pytest.mark.parametrize(
    ("question", "region"), [("江苏省的技改补贴有哪些", "江苏"), ("上海那边的专精特新奖励多少", "上海")]
)
def test_another_provinces_version_of_a_measure_is_out_of_scope(
    assistant: AssistantClient, question: str, region: str
) -> None:
    reply = assistant.ask(assistant.new_sender(), question)
    assert reply.card is not None and reply.card["kind"] == "out_of_scope", reply.messages
    assert reply.card["citations"] == [] and not CITATION.search(reply.text)
    assert region in reply.text and "12345" in reply.text


def test_a_company_from_another_province_asking_about_anhui_is_answered(assistant: AssistantClient) -> None:
    reply = assistant.ask(assistant.new_sender(), "我们是江苏的企业，在安徽有工厂，技改有什么补贴")
    assert reply.card and reply.card["kind"] != "out_of_scope", reply.messages
    # Answered (第6条), or — when the classifier is unsure — 第6条 offered first.
    offered = [button["payload"] for button in reply.buttons]
    assert reply.card["citations"] == [6] or offered[:1] == ["/measure_technology_upgrade"], reply.messages


def test_fallback_suggestions_cite_nothing_and_are_buttons(assistant: AssistantClient) -> None:
    reply = assistant.ask(assistant.new_sender(), "/nlu_fallback")
    card = reply.card
    assert card is not None and card["kind"] == "fallback"
    assert card["citations"] == [] and not CITATION.search(reply.text)
    for button in reply.buttons:
        assert button["payload"].startswith("/measure_")


def test_an_unsure_message_in_the_middle_of_a_check_gets_one_card_and_the_check_goes_on(
    assistant: AssistantClient,
) -> None:
    # The form can read nothing from the message, the rule for nlu_fallback runs the fallback, and
    # the form, predicted again, asks its question: that question is the turn's one card.
    sender = assistant.new_sender()
    first = assistant.ask(sender, "我们担保公司年化费率1.1%，能申请担保费补贴吗")
    asked = eligibility_card(first, 10, "guarantee_fee_subsidy")
    assert asked["verdict"] == "need_info"
    unsure = assistant.ask(sender, "/nlu_fallback")
    cards = [m["custom"]["answer_card"] for m in unsure.messages if "answer_card" in (m.get("custom") or {})]
    assert len(cards) == 1, unsure.messages
    card = eligibility_card(unsure, 10, "guarantee_fee_subsidy")
    assert card["verdict"] == "need_info" and card["next_question"] == asked["next_question"]
    after = press(assistant, sender, unsure, "是省级专精特新")
    assert "反担保" in eligibility_card(after, 10, "guarantee_fee_subsidy")["next_question"]


def test_a_question_about_another_measure_in_the_middle_of_a_check_gets_one_card(assistant: AssistantClient) -> None:
    # The measure is answered (its card), then the form asks on: its question comes as text with
    # its buttons, without a second card, and pressing one carries the check on.
    sender = assistant.new_sender()
    eligibility_card(assistant.ask(sender, "我们担保公司年化费率1.1%，能申请担保费补贴吗"), 10, "guarantee_fee_subsidy")
    other = assistant.ask(sender, "/measure_technology_upgrade")
    card = other.card  # asserts that the turn has one card
    assert card is not None and card["kind"] == "policy" and card["citations"] == [6], other.messages
    assert "专精特新" in other.text and other.buttons
    after = press(assistant, sender, other, "是省级专精特新")
    assert "反担保" in eligibility_card(after, 10, "guarantee_fee_subsidy")["next_question"]


@pytest.mark.parametrize(
    "question, measure",
    [
        ("我们厂想换新设备政府给钱吗", 6),
        ("客户欠款不还政府管不管", 19),
        ("我們想參加創客中國比賽", 1),
        ("ｅｒｐ上云有补贴吗", 7),
        ("专精特新 小巨人 怎么评", 8),
    ],
)
def test_situations_and_spellings_reach_the_right_measure(
    assistant: AssistantClient, question: str, measure: int
) -> None:
    reply = assistant.ask(assistant.new_sender(), question)
    assert reply.card and reply.card["kind"] == "policy" and reply.card["citations"] == [measure], reply.messages
    assert f"第{measure}条" in reply.text


def test_that_i_can_after_an_answer_checks_the_measure_just_answered(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    assistant.ask(sender, "徽商服务卡有什么用")
    reply = assistant.ask(sender, "那我能办吗")
    card = eligibility_card(reply, 13, "huishang_service_card")
    assert card["verdict"] == "need_info" and card["next_question"]


def test_facts_in_earlier_messages_count_and_the_card_says_where_each_was_given(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    assistant.ask(sender, "我们是一家融资担保公司")
    assistant.ask(sender, "客户是省级专精特新企业，纯信用，没有抵押")
    reply = assistant.ask(sender, "年化费率一点二个点，担保费补贴我们能拿吗")
    card = eligibility_card(reply, 10, "guarantee_fee_subsidy")
    assert card["verdict"] == "eligible", reply.text
    stated = {reason["fact_name"]: reason["stated_in"]["message"] for reason in card["reasons"]}
    assert stated["applicant_role"] == 1 and stated["counter_guarantee"] == 2


def test_a_negated_personal_honour_and_no_legal_representative_is_never_eligible(assistant: AssistantClient) -> None:
    reply = assistant.ask(
        assistant.new_sender(), "我是民营企业总经理，不是法定代表人，本人也没得过表彰，公司省里表彰过，徽商卡我能拿吗"
    )
    card = eligibility_card(reply, 13, "huishang_service_card")
    assert card["verdict"] == "not_eligible", reply.text


def test_an_english_question_about_a_measure_is_answered_with_the_cited_measure(assistant: AssistantClient) -> None:
    reply = assistant.ask(assistant.new_sender(), "What is the Huishang Service Card?")
    assert reply.card is not None and reply.card["citations"] == [13]
    assert "This answer cites Article 13" in reply.text and not reply.buttons
