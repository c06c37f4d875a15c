"""Reading rates, amounts and eligibility facts from what users type."""

from __future__ import annotations

import pytest

from knowledge.facts import (
    FACT_NAMES,
    extract_facts,
    fact_definitions,
    format_yuan,
    parse_amount,
    parse_bool,
    parse_rate,
)


@pytest.mark.parametrize(
    "text",
    [
        "1.2%",
        "1.2％",
        "１．２％",
        "百分之一点二",
        "百分之1.2",
        "千分之十二",
        "千分之12",
        "0.012",
        "一个点二",
        "1个点2",
        "1.2个百分点",
        "年化1.2%",
        "1.2",
        "费率是百分之一点二",
    ],
)
def test_every_spelling_of_one_point_two_percent(text: str) -> None:
    assert parse_rate(text) == pytest.approx(1.2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.21%", 1.21),
        ("百分之一点二一", 1.21),
        ("千分之十五", 1.5),
        ("1.5%", 1.5),
        ("0.015", 1.5),
        ("一个点", 1.0),
        ("0.8", 0.8),
        ("零点八个点", 0.8),
        ("1个点5", 1.5),
        ("2%", 2.0),
        (0.012, 1.2),
        (1.2, 1.2),
    ],
)
def test_other_rates(text: object, expected: float) -> None:
    assert parse_rate(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "信用", "500万", "费率不高", None, True])
def test_no_rate(text: object) -> None:
    assert parse_rate(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "500万",
        "500万元",
        "五百万元",
        "五百万",
        "5000000",
        "5,000,000元",
        "500w",
        "500W",
        "伍佰万",
        "贷款五百万",
        "5000000元",
    ],
)
def test_every_spelling_of_five_million(text: str) -> None:
    assert parse_amount(text) == 5_000_000.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.5亿", 1.5e8),
        ("两千万", 2e7),
        ("1千万", 1e7),
        ("三百五十万", 3.5e6),
        ("3.5万元", 35000.0),
        ("费率1.2%，贷款500万", 5e6),
        (2000000, 2e6),
    ],
)
def test_other_amounts(text: object, expected: float) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "信用", "1.2%", "百分之一点二", None])
def test_no_amount(text: object) -> None:
    assert parse_amount(text) is None


def test_several_facts_in_one_message() -> None:
    facts = extract_facts("我们是担保公司，费率一点二个点，信用反担保，贷款五百万")
    assert facts == {
        "applicant_role": "guarantee_institution",
        "guarantee_fee_rate": 1.2,
        "counter_guarantee": "credit",
        "loan_amount": 5_000_000.0,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "我们企业是省级专精特新，想问担保费补贴",
            {"applicant_role": "enterprise", "borrower_qualification": "provincial_specialized_sme"},
        ),
        ("我们不是专精特新", {"borrower_qualification": "none"}),
        ("担保费率千分之十二，房产抵押", {"guarantee_fee_rate": 1.2, "counter_guarantee": "mortgage"}),
        ("股权质押", {"counter_guarantee": "pledge"}),
        ("无抵押的", {"counter_guarantee": "credit"}),
        ("担保费0.012", {"guarantee_fee_rate": 1.2}),
        ("费率1.2，贷款5000000", {"guarantee_fee_rate": 1.2, "loan_amount": 5_000_000.0}),
        (
            "担保机构，费率1.5%，主要服务小微企业",
            {"applicant_role": "guarantee_institution", "guarantee_fee_rate": 1.5, "serves_small_micro": True},
        ),
        ("我们不服务小微", {"serves_small_micro": False}),
        ("我们是国企", {"ownership": "state"}),
        (
            "我是公司高管，市级表彰",
            # A title is not the legal representative, either way: that is asked.
            # A city honour named alone is the honour there is: not a provincial one either way.
            {"applicant_role": "enterprise", "honour_level": "city", "personally_recognized": False},
        ),
        ("县里评过先进", {"honour_level": "county", "personally_recognized": False}),
        (
            "我是民营企业法定代表人，获得过省委、省政府表彰",
            {
                "applicant_role": "enterprise",
                "ownership": "private",
                "honour_level": "province",
                "is_legal_representative": True,
            },
        ),
        ("我不是法人", {"is_legal_representative": False}),
        (
            "我是省里表彰的优秀民营企业家",
            {
                "applicant_role": "entrepreneur",
                "ownership": "private",
                # The speaker's own honour; the company's is another fact, not stated here.
                "personally_recognized": True,
            },
        ),
        (
            "本人没有获得过表彰",
            {"applicant_role": "entrepreneur", "personally_recognized": False},
        ),
    ],
)
def test_facts_of_a_message(text: str, expected: dict) -> None:
    assert extract_facts(text) == expected


@pytest.mark.parametrize("text", ["", "徽商服务卡有什么用", "担保费补贴有多少", "你好"])
def test_messages_without_facts(text: str) -> None:
    assert extract_facts(text) == {}


def test_vocabulary_defines_every_agreed_fact_with_a_question() -> None:
    definitions = fact_definitions()
    assert set(FACT_NAMES) == set(definitions)
    for definition in definitions.values():
        assert "？" in definition.question


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("是", True),
        ("是的", True),
        ("不是", False),
        ("没有", False),
        ("yes", True),
        ("否", False),
        ("不知道", None),
        (True, True),
    ],
)
def test_yes_no(text: object, expected: bool | None) -> None:
    assert parse_bool(text) is expected


@pytest.mark.parametrize(("value", "text"), [(5e6, "500万元"), (5e4, "5万元"), (1.5e8, "1.5亿元"), (3000, "3000元")])
def test_yuan_reads_naturally(value: float, text: str) -> None:
    assert format_yuan(value) == text


@pytest.mark.parametrize("text", ["9" * 400, "9" * 400 + "%", "百分之一百五十", float("nan"), float("inf")])
def test_absurd_rates_are_not_rates(text: object) -> None:
    assert parse_rate(text) is None


@pytest.mark.parametrize("text", ["9" * 400 + "亿", "0元", float("inf"), -5.0])
def test_absurd_amounts_are_not_amounts(text: object) -> None:
    assert parse_amount(text) is None


def test_hostile_messages_give_no_facts_and_do_not_crash() -> None:
    assert extract_facts("😀" * 20000) == {}
    assert extract_facts("担保费率" + "1" * 5000 + "%") == {}
    assert extract_facts("费率1.2%" * 2000) == {"guarantee_fee_rate": 1.2}


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        ("我们公司是担保公司", "applicant_role", "guarantee_institution"),
        ("作为担保机构，想问补贴", "applicant_role", "guarantee_institution"),
        ("我们企业找担保公司担保", "applicant_role", "enterprise"),
        ("我们是专精特新企业，找担保公司贷款", "applicant_role", "enterprise"),
        ("不是抵押，是信用", "counter_guarantee", "credit"),
        ("是抵押，不是信用", "counter_guarantee", "mortgage"),
        ("我们是县里评的，不是省里", "honour_level", "county"),
    ],
)
def test_what_follows_shi_says_what_something_is(text: str, fact: str, value: str) -> None:
    assert extract_facts(text)[fact] == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Negation: a negated value never meets a condition.
        ("本人也没有得过表彰", {"applicant_role": "entrepreneur", "personally_recognized": False}),
        ("公司没有得过省里的表彰", {"honour_level": "not:province"}),
        ("我们公司不是国企", {"applicant_role": "enterprise", "ownership": "not:state"}),
        ("不是1.2%，是1.5%", {"guarantee_fee_rate": 1.5}),
        ("不是信用，是抵押", {"counter_guarantee": "mortgage"}),
        # A question form states nothing.
        ("是不是法人都可以吗", {}),
        ("有没有抵押都行吗", {}),
        # Titles are not the legal representative.
        ("我是董事长", {}),
        # Honours by level in everyday words, and by whom.
        (
            "我被市里评为优秀民营企业家",
            {
                "applicant_role": "entrepreneur",
                "ownership": "private",
                "personally_recognized": False,
                "honour_level": "city",
            },
        ),
        ("市里评过，省里也表彰过", {"honour_level": "province"}),
        ("公司获得国家级荣誉", {"honour_level": "national", "personally_recognized": False}),
        # A qualification's level is not an honour; "小微企业" does not say the asker is an enterprise.
        ("借款企业是市级专精特新", {"borrower_qualification": "municipal_specialized_sme"}),
        ("费率百分之一点三，主要做小微企业", {"guarantee_fee_rate": 1.3, "serves_small_micro": True}),
        (
            "客户是省级专精特新企业，纯信用没有抵押",
            {"borrower_qualification": "provincial_specialized_sme", "counter_guarantee": "credit"},
        ),
        # Rate bounds.
        ("费率不超过1.2%", {"guarantee_fee_rate": "at_most:1.2"}),
        ("费率超过1.5%", {"guarantee_fee_rate": "above:1.5"}),
    ],
)
def test_negations_titles_honours_and_bounds(text: str, expected: dict) -> None:
    assert extract_facts(text) == expected


@pytest.mark.parametrize(
    "text",
    ["公司的法定代表人是我岳父，我负责日常经营", "我们法人是董事长，我是副总", "法人代表是我哥哥，公司拿过省里的表彰"],
)
def test_naming_somebody_else_as_legal_representative_never_makes_the_speaker_one(text: str) -> None:
    assert extract_facts(text).get("is_legal_representative") is not True


@pytest.mark.parametrize("text", ["法人是我，公司是民营的", "我是公司的法定代表人", "法定代表人就是我本人"])
def test_the_speaker_named_as_legal_representative_is_one(text: str) -> None:
    assert extract_facts(text).get("is_legal_representative") is True
