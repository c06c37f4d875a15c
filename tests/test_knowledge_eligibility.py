"""The eligibility rules of 第10条 and 第13条, each condition both ways and at its boundary."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from knowledge.eligibility import UnknownRule, evaluate, rules

SUBSIDY_OK: Dict[str, Any] = {
    "applicant_role": "guarantee_institution",
    "borrower_qualification": "provincial_specialized_sme",
    "guarantee_fee_rate": 1.2,
    "counter_guarantee": "credit",
}
AWARD_OK: Dict[str, Any] = {
    "applicant_role": "guarantee_institution",
    "guarantee_fee_rate": 1.5,
    "serves_small_micro": True,
}
CARD_LEGAL_REP: Dict[str, Any] = {"ownership": "private", "honour_level": "province", "is_legal_representative": True}


def test_the_agreed_rules_exist_and_cite_their_measures() -> None:
    loaded = rules()
    assert {key: rule.measure_number for key, rule in loaded.items()} == {
        "guarantee_fee_subsidy": 10,
        "guarantee_fee_reduction_award": 10,
        "huishang_service_card": 13,
    }
    for rule in loaded.values():
        for fact in rule.facts:
            assert fact.question and fact.label


# --- 第10条 担保费补贴 -------------------------------------------------------------------------


def test_subsidy_all_conditions_met_is_eligible() -> None:
    result = evaluate("guarantee_fee_subsidy", SUBSIDY_OK)
    assert result.verdict == "eligible"
    assert result.measure_number == 10
    assert [reason.met for reason in result.reasons] == [True, True, True, True]
    assert result.next_fact is None and result.next_question is None
    assert "1%" in result.benefit_text


@pytest.mark.parametrize(
    ("rate", "verdict"),
    [
        ("1.2%", "eligible"),
        ("1.21%", "not_eligible"),
        ("百分之一点二", "eligible"),
        ("千分之十二", "eligible"),
        ("0.012", "eligible"),
        ("一个点二", "eligible"),
        (1.19, "eligible"),
        ("1.5%", "not_eligible"),
        ("0.5%", "eligible"),
    ],
)
def test_subsidy_rate_boundary(rate: object, verdict: str) -> None:
    result = evaluate("guarantee_fee_subsidy", {**SUBSIDY_OK, "guarantee_fee_rate": rate})
    assert result.verdict == verdict
    rate_reason = next(r for r in result.reasons if "1.2%" in r.condition)
    assert rate_reason.met is (verdict == "eligible")


def test_subsidy_failed_rate_is_named_with_the_users_value() -> None:
    result = evaluate("guarantee_fee_subsidy", {**SUBSIDY_OK, "guarantee_fee_rate": "1.21%"})
    failed = [reason for reason in result.reasons if reason.met is False]
    assert [(r.condition, r.fact) for r in failed] == [("年化担保费率不超过1.2%", "1.21%")]
    assert "✗ 年化担保费率不超过1.2%（您的情况：1.21%）" in result.text


@pytest.mark.parametrize(
    ("counter", "verdict"),
    [
        ("credit", "eligible"),
        ("信用", "eligible"),
        ("mortgage", "not_eligible"),
        ("抵押", "not_eligible"),
        ("pledge", "not_eligible"),
        ("guarantee", "not_eligible"),
    ],
)
def test_subsidy_counter_guarantee_must_be_credit(counter: str, verdict: str) -> None:
    assert evaluate("guarantee_fee_subsidy", {**SUBSIDY_OK, "counter_guarantee": counter}).verdict == verdict


@pytest.mark.parametrize(
    ("qualification", "verdict"),
    [
        ("provincial_specialized_sme", "eligible"),
        ("none", "not_eligible"),
        ("municipal_specialized_sme", "not_eligible"),
    ],
)
def test_subsidy_borrower_must_be_provincial_specialized(qualification: str, verdict: str) -> None:
    assert evaluate("guarantee_fee_subsidy", {**SUBSIDY_OK, "borrower_qualification": qualification}).verdict == verdict


@pytest.mark.parametrize("amount", ["500万", "五百万元", "5000000", 5_000_000])
def test_subsidy_is_one_percent_of_the_loan(amount: object) -> None:
    result = evaluate("guarantee_fee_subsidy", {**SUBSIDY_OK, "loan_amount": amount})
    assert "补贴为5万元" in result.benefit_text


def test_an_enterprise_asking_for_itself_is_not_the_recipient_but_learns_how_it_benefits() -> None:
    result = evaluate(
        "guarantee_fee_subsidy",
        {"applicant_role": "enterprise", "borrower_qualification": "provincial_specialized_sme"},
    )
    assert result.verdict == "not_eligible"
    assert result.reasons[0].met is False
    assert result.next_question is None
    how = " ".join(result.notes)
    assert "企业本身不是补贴对象" in how and "信用担保贷款" in how and "1.2%" in how
    assert "补贴为" not in result.benefit_text


@pytest.mark.parametrize("missing", list(SUBSIDY_OK))
def test_subsidy_missing_fact_is_asked_for(missing: str) -> None:
    facts = {name: value for name, value in SUBSIDY_OK.items() if name != missing}
    result = evaluate("guarantee_fee_subsidy", facts)
    assert result.verdict == "need_info"
    assert result.next_fact == missing
    assert result.next_question == rules()["guarantee_fee_subsidy"].fact(missing).question
    assert [r.met for r in result.reasons].count(None) == 1


def test_subsidy_asks_in_order_starting_with_the_role() -> None:
    result = evaluate("guarantee_fee_subsidy", {})
    assert (result.verdict, result.next_fact) == ("need_info", "applicant_role")
    assert [option.value for option in result.next_options][:2] == ["guarantee_institution", "service_platform"]


def test_a_failed_condition_settles_the_verdict_without_more_questions() -> None:
    result = evaluate("guarantee_fee_subsidy", {"guarantee_fee_rate": "2%"})
    assert result.verdict == "not_eligible" and result.next_fact is None


def test_unreadable_fact_is_reported_not_guessed() -> None:
    result = evaluate("guarantee_fee_subsidy", {**SUBSIDY_OK, "guarantee_fee_rate": "很低"})
    assert result.verdict == "need_info" and result.next_fact == "guarantee_fee_rate"
    assert any("很低" in note for note in result.notes)


# --- 第10条 降费奖补 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "verdict"),
    [
        ("1.5%", "eligible"),
        ("1.51%", "not_eligible"),
        ("千分之十五", "eligible"),
        ("1.2%", "eligible"),
        ("2%", "not_eligible"),
    ],
)
def test_award_rate_boundary(rate: str, verdict: str) -> None:
    assert evaluate("guarantee_fee_reduction_award", {**AWARD_OK, "guarantee_fee_rate": rate}).verdict == verdict


@pytest.mark.parametrize(
    ("serves", "verdict"), [(True, "eligible"), ("是", "eligible"), (False, "not_eligible"), ("否", "not_eligible")]
)
def test_award_needs_small_micro_financing(serves: object, verdict: str) -> None:
    assert evaluate("guarantee_fee_reduction_award", {**AWARD_OK, "serves_small_micro": serves}).verdict == verdict


@pytest.mark.parametrize("role", ["enterprise", "service_platform", "entrepreneur"])
def test_award_is_for_guarantee_institutions_only(role: str) -> None:
    result = evaluate("guarantee_fee_reduction_award", {**AWARD_OK, "applicant_role": role})
    assert result.verdict == "not_eligible"
    assert result.notes and "融资担保机构" in result.notes[0]


def test_award_states_no_amount_the_document_does_not_give() -> None:
    result = evaluate("guarantee_fee_reduction_award", AWARD_OK)
    assert "没有写明奖补金额" in result.benefit_text
    assert result.next_fact is None


@pytest.mark.parametrize("missing", list(AWARD_OK))
def test_award_missing_fact_is_asked_for(missing: str) -> None:
    result = evaluate("guarantee_fee_reduction_award", {k: v for k, v in AWARD_OK.items() if k != missing})
    assert (result.verdict, result.next_fact) == ("need_info", missing)


# --- 第13条 徽商服务卡 ------------------------------------------------------------------------


def test_card_for_the_legal_representative_of_a_provincially_honoured_private_enterprise() -> None:
    result = evaluate("huishang_service_card", CARD_LEGAL_REP)
    assert result.verdict == "eligible" and result.measure_number == 13
    for benefit in ["购房", "未成年子女上学", "优先预约省内医疗专家", "申请职称评审绿色通道", "乘机乘高铁绿色通道"]:
        assert benefit in result.benefit_text


def test_card_for_a_personally_recognised_private_entrepreneur() -> None:
    facts = {"ownership": "private", "personally_recognized": True}
    assert evaluate("huishang_service_card", facts).verdict == "eligible"


@pytest.mark.parametrize("level", ["city", "county", "none", "市级", "县里"])
def test_city_or_county_honours_alone_do_not_qualify(level: str) -> None:
    facts = {**CARD_LEGAL_REP, "honour_level": level, "personally_recognized": False}
    result = evaluate("huishang_service_card", facts)
    assert result.verdict == "not_eligible"
    honour = next(r for r in result.reasons if "省委、省政府" in r.condition)
    assert honour.met is False


def test_city_honour_then_asks_whether_the_person_is_recognised() -> None:
    result = evaluate("huishang_service_card", {**CARD_LEGAL_REP, "honour_level": "city"})
    assert (result.verdict, result.next_fact) == ("need_info", "personally_recognized")


@pytest.mark.parametrize("extra", [{}, {"personally_recognized": True}])
def test_state_owned_enterprises_do_not_qualify(extra: dict) -> None:
    result = evaluate("huishang_service_card", {**CARD_LEGAL_REP, "ownership": "state", **extra})
    assert result.verdict == "not_eligible"
    assert result.reasons[0].met is False


def test_an_executive_who_is_neither_legal_representative_nor_recognised_does_not_qualify() -> None:
    facts = {**CARD_LEGAL_REP, "is_legal_representative": False, "personally_recognized": False}
    assert evaluate("huishang_service_card", facts).verdict == "not_eligible"
    asked = evaluate("huishang_service_card", {**CARD_LEGAL_REP, "is_legal_representative": "不是"})
    assert (asked.verdict, asked.next_fact) == ("need_info", "personally_recognized")


def test_card_asks_ownership_first_then_honour() -> None:
    assert evaluate("huishang_service_card", {}).next_fact == "ownership"
    assert evaluate("huishang_service_card", {"ownership": "民营"}).next_fact == "honour_level"


def test_evaluation_card_is_an_eligibility_card_with_citation() -> None:
    card = evaluate("huishang_service_card", {"ownership": "private"}).card(confidence=0.9).to_dict()
    assert card["kind"] == "eligibility" and card["citations"] == [13] and card["verdict"] == "need_info"
    assert card["measure"] == "huishang_service_card" and card["next_question"]
    first = card["reasons"][0]
    assert {key: first[key] for key in ("condition", "met", "fact", "fact_name")} == {
        "condition": "民营企业（国有企业不在发放范围）",
        "met": True,
        "fact": "民营企业",
        "fact_name": "ownership",
    }
    assert first["requirement"].endswith("（第13条）") and first["source"]


def test_text_cites_the_measure() -> None:
    assert "第13条" in evaluate("huishang_service_card", CARD_LEGAL_REP).text


def test_unknown_rule_is_a_clear_error() -> None:
    with pytest.raises(UnknownRule, match="guarantee_fee_subsidy"):
        evaluate("no_such_rule", {})


@pytest.mark.parametrize("bad", [["a"], {"x": 1}, float("nan"), "", None, object()])
def test_odd_slot_values_count_as_unknown(bad: object) -> None:
    result = evaluate("guarantee_fee_subsidy", {**SUBSIDY_OK, "counter_guarantee": bad})
    assert (result.verdict, result.next_fact) == ("need_info", "counter_guarantee")
