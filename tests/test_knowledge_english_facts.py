"""Eligibility facts stated in English (knowledge/english_facts.py), in our own phrasings of the rule
text of 第10条 and 第13条: the same names and values as the Chinese reading, negation and doubt read
the careful way (a negated fact can fail a condition, never meet one)."""

from __future__ import annotations

import pytest

from knowledge.eligibility import evaluate
from knowledge.facts import extract_facts


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We are a financing guarantee company", {"applicant_role": "guarantee_institution"}),
        (
            "Our guarantee firm charges an annual fee of 1.2%",
            {"applicant_role": "guarantee_institution", "guarantee_fee_rate": 1.2},
        ),  # fmt: skip
        ("the fee rate is 0.8 percent", {"guarantee_fee_rate": 0.8}),
        ("our rate is no more than 1.5%", {"guarantee_fee_rate": "at_most:1.5"}),
        ("the rate is above 2%", {"guarantee_fee_rate": "above:2"}),
        ("the rate is not 1.5%, it is 1.2%", {"guarantee_fee_rate": 1.2}),
        ("the loan is RMB 5 million", {"loan_amount": 5_000_000.0}),
        ("a loan of 3.5 million yuan", {"loan_amount": 3_500_000.0}),
        ("no collateral at all", {"counter_guarantee": "credit"}),
        ("the counter-guarantee is a property mortgage", {"counter_guarantee": "mortgage"}),
        ("backed by an equity pledge", {"counter_guarantee": "pledge"}),
        (
            "the borrower is a provincial-level specialised SME",
            {"borrower_qualification": "provincial_specialized_sme"},
        ),
        ("the borrower is only a city-level specialized SME", {"borrower_qualification": "municipal_specialized_sme"}),
        (
            "the borrower is not a specialized and sophisticated SME",
            {"borrower_qualification": "not:provincial_specialized_sme"},
        ),  # fmt: skip
        ("we mainly serve small and micro enterprises", {"serves_small_micro": True}),
        ("we do not serve small and micro businesses", {"serves_small_micro": False}),
        ("we are a privately owned company", {"ownership": "private"}),
        ("we are a state-owned enterprise", {"ownership": "state"}),
        ("we aren't state-owned", {"ownership": "not:state"}),
        ("I am the legal representative", {"is_legal_representative": True}),
        ("I'm not the legal representative", {"is_legal_representative": False}),
    ],
)
def test_english_facts(text: str, expected: dict) -> None:
    facts = extract_facts(text)
    assert {name: facts.get(name) for name in expected} == expected


@pytest.mark.parametrize(
    "text",
    [
        "I am the chairman; the legal representative is my father",
        "my wife is the legal representative",
        "I'm not sure whether I am the legal representative",
        "maybe I am the legal representative",
    ],
)
def test_somebody_else_or_a_doubt_never_makes_the_speaker_the_legal_representative(text: str) -> None:
    assert extract_facts(text).get("is_legal_representative") is not True


@pytest.mark.parametrize(
    "text, honour_level, personal",
    [
        ("Our company was commended by the provincial government", "province", None),
        ("I am the legal representative of a private company honoured by the provincial government", "province", None),
        ("I was named an outstanding private entrepreneur by the provincial government", None, True),
        ("Our company was honoured by the city government", "city", False),
        ("Our company has no provincial honour, only a city one", "not:province", None),
        ("We have never been honoured by the province", "not:province", None),
        ("I have never been honoured personally", None, False),
        ("I think we may have been honoured by the province", None, None),
    ],
)
def test_english_honours(text: str, honour_level, personal) -> None:
    facts = extract_facts(text)
    assert facts.get("honour_level") == honour_level
    assert facts.get("personally_recognized") == personal


@pytest.mark.parametrize(
    "rule, text, verdict",
    [
        (
            "guarantee_fee_subsidy",
            "We are a guarantee company, 1% a year, pure credit, the borrower is a provincial SRDI firm",
            "eligible",
        ),  # fmt: skip
        (
            "guarantee_fee_subsidy",
            "We are a guarantee company, 1% a year, but the loan is secured by a mortgage, the "
            "borrower is a provincial SRDI firm",
            "not_eligible",
        ),  # fmt: skip
        (
            "guarantee_fee_reduction_award",
            "Guarantee company here, 1.4%, we don't serve small and micro firms",
            "not_eligible",
        ),  # fmt: skip
        ("huishang_service_card", "We are state-owned and I am the legal representative", "not_eligible"),
        (
            "huishang_service_card",
            "Private firm honoured by the provincial government; the legal representative is my brother",
            "need_info",
        ),  # fmt: skip
        (
            "huishang_service_card",
            "Private firm, maybe honoured by the province, I am the legal representative",
            "need_info",
        ),  # fmt: skip
    ],
)
def test_english_verdicts(rule: str, text: str, verdict: str) -> None:
    assert evaluate(rule, extract_facts(text)).verdict == verdict
