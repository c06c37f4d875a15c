"""Negation after the noun, doubt and corrections in one message (knowledge/statements.py,
knowledge/facts.py), written from the rule text of 第10条 and 第13条 in our own words.

The rules: 担保费补贴 needs a 融资担保机构, a 省级专精特新中小企业 borrower, a rate ≤ 1.2 % and a credit
counter-guarantee; 降费奖补 a 融资担保机构 serving 小微企业 at ≤ 1.5 %; the 徽商服务卡 a 民营 company
honoured by the province with the speaker its 法定代表人, or the speaker honoured by the province.
A negation standing after what it negates, at the end of the clause, negates it as much as one
before it; a word of doubt leaves the fact unknown; after 不对 / 说错了 / 其实是 / 改成 the later value
wins. None of these may ever turn into an 'eligible'.
"""

from __future__ import annotations

import pytest

from knowledge.eligibility import evaluate
from knowledge.facts import extract_facts

NOT_PROVINCE = "not:province"


@pytest.mark.parametrize(
    "text",
    [
        "小微企业基本不做",
        "小微企业我们基本不做",
        "小微这块我们没有",
        "中小微的业务从来没做过",
        "小微企业融资我们不是主要做的",
        "服务小微我们还没开展",
        "小微企业的担保我们很少，基本没有",
    ],
)
def test_small_firms_negated_after_the_noun(text: str) -> None:
    assert extract_facts(text).get("serves_small_micro") is False


@pytest.mark.parametrize(
    "text",
    [
        "省里的表彰没有过",
        "省委省政府的表彰我们没有",
        "省级荣誉我们公司未曾获得",
        "省政府的称号从来没拿过",
        "省里表彰过的名单里我们没有",
        "省级表彰还没拿到",
    ],
)
def test_a_provincial_honour_negated_after_it_is_no_provincial_honour(text: str) -> None:
    facts = extract_facts(text)
    assert facts.get("honour_level") != "province"
    assert facts.get("personally_recognized") is not True


@pytest.mark.parametrize(
    "text",
    [
        "专精特新还没拿到",
        "专精特新目前还没有认定",
        "省级专精特新我们不是",
        "省专精特新没评上",
        "专精特新企业未曾申报成功",
    ],
)
def test_a_qualification_negated_after_it_is_not_the_qualification(text: str) -> None:
    assert extract_facts(text).get("borrower_qualification") != "provincial_specialized_sme"


@pytest.mark.parametrize("text", ["法人代表我不是", "法定代表人我并不是", "法人的话我不是", "法人从来没当过"])
def test_the_legal_representative_negated_after_it(text: str) -> None:
    assert extract_facts(text).get("is_legal_representative") is not True


@pytest.mark.parametrize("text", ["抵押不需要，纯信用", "抵押物没有，走的信用", "质押不用，是信用反担保"])
def test_a_counter_guarantee_denied_after_it_leaves_the_one_affirmed(text: str) -> None:
    assert extract_facts(text).get("counter_guarantee") == "credit"


@pytest.mark.parametrize(
    "text, fact, value",
    [
        # The trailing negator belongs to another keyword or a noun of its own: the first stays.
        ("我们公司不是国企", "ownership", "not:state"),
        ("我们是民营企业，不是国企", "ownership", "private"),
        ("本人也没有得过表彰", "applicant_role", "entrepreneur"),
        ("我们主要服务小微企业", "serves_small_micro", True),
        ("小微企业做得不错", "serves_small_micro", True),
        ("服务小微企业的业务不少", "serves_small_micro", True),
        ("我是法人，公司不是国企", "is_legal_representative", True),
    ],
)
def test_what_a_trailing_negator_does_not_negate(text: str, fact: str, value) -> None:
    assert extract_facts(text).get(fact) == value


@pytest.mark.parametrize("text", ["优秀民营企业家我没评上", "我不是优秀民营企业家"])
def test_a_denied_honour_does_not_deny_the_company_is_private(text: str) -> None:
    facts = extract_facts(text)
    assert facts.get("personally_recognized") is False
    assert "ownership" not in facts


@pytest.mark.parametrize(
    "text, fact",
    [
        ("小微企业不一定", "serves_small_micro"),
        ("是不是法人我不清楚", "is_legal_representative"),
        ("好像得过省里的表彰", "honour_level"),
        ("可能是省级专精特新吧", "borrower_qualification"),
        ("法人应该算是我吧，不太清楚", "is_legal_representative"),
    ],
)
def test_doubt_leaves_the_fact_unknown(text: str, fact: str) -> None:
    assert fact not in extract_facts(text)


@pytest.mark.parametrize(
    "text, fact, value",
    [
        ("费率1.5%，不对，说错了，是1.2%", "guarantee_fee_rate", 1.2),
        ("费率1.5%，其实是1.2%", "guarantee_fee_rate", 1.2),
        ("担保费率写错了，改成1.0%", "guarantee_fee_rate", 1.0),
        ("刚才说的是抵押，说错了，其实是纯信用", "counter_guarantee", "credit"),
        ("信用反担保，不对，是房产抵押", "counter_guarantee", "mortgage"),
        ("我是法人，不对，法人是我爱人，我是总经理", "is_legal_representative", None),
        ("我们是国企，说错了，是民营企业", "ownership", "private"),
        ("是省级专精特新，不对，只是市级专精特新", "borrower_qualification", "municipal_specialized_sme"),
    ],
)
def test_after_a_correction_the_later_value_wins(text: str, fact: str, value) -> None:
    assert extract_facts(text).get(fact) == value


def test_a_question_tag_is_no_correction() -> None:
    assert extract_facts("费率1.2%对不对")["guarantee_fee_rate"] == 1.2


@pytest.mark.parametrize(
    "rule, text",
    [
        ("guarantee_fee_reduction_award", "我们是融资担保公司，费率1.2%，小微企业基本不做"),
        ("guarantee_fee_reduction_award", "担保公司，年化1%，小微企业不一定"),
        ("guarantee_fee_subsidy", "我们是担保公司，费率1%，信用反担保，借款企业专精特新还没拿到"),
        ("guarantee_fee_subsidy", "担保公司，费率1%，信用反担保，借款企业是省级专精特新，不对，是市级的"),
        ("guarantee_fee_subsidy", "我们是担保公司，省级专精特新客户，纯信用，费率1.2%，不对，其实是1.3%"),
        ("huishang_service_card", "民营企业，省委省政府的表彰我们没有，法人是我"),
        ("huishang_service_card", "民营企业，省里的表彰好像有过，法人是我"),
        ("huishang_service_card", "民企，获得过省政府表彰，法人代表我不是"),
        ("huishang_service_card", "民企，省里表彰过，我是法人，说错了，法人是我哥"),
    ],
)
def test_none_of_these_is_ever_eligible(rule: str, text: str) -> None:
    assert evaluate(rule, extract_facts(text)).verdict != "eligible"


@pytest.mark.parametrize(
    "rule, text, verdict",
    [
        ("guarantee_fee_reduction_award", "我们是融资担保公司，费率1.2%，小微企业基本不做", "not_eligible"),
        ("guarantee_fee_subsidy", "担保公司，费率1.5%，说错了，是1%，信用反担保，客户是省级专精特新", "eligible"),
        ("huishang_service_card", "民营企业，省里的表彰没有过，我本人也没有", "not_eligible"),
    ],
)
def test_a_decided_verdict_is_given(rule: str, text: str, verdict: str) -> None:
    assert evaluate(rule, extract_facts(text)).verdict == verdict
