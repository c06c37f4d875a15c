"""knowledge.textnorm: one spelling for training data, messages, search and facts."""

from __future__ import annotations

import pytest

from knowledge.textnorm import normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("五百万元", "5000000元"),
        ("百分之一点二", "1.2%"),
        ("零点八个点", "0.8个点"),
        ("第十三条", "第13条"),
        ("成立三年", "成立3年"),
        ("两年内", "2年内"),
        ("費率１．２％", "费率1.2%"),
        ("徽商 服务卡", "徽商 服务卡"),
    ],
)
def test_numbers_become_digits(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize("word", ["统一", "唯一", "一般", "五金", "一次性", "千方百计", "一直", "十四五"])
def test_words_that_only_contain_numeral_characters_are_kept(word: str) -> None:
    assert normalise(f"我们{word}的情况") == f"我们{word}的情况"


def test_a_kept_word_next_to_a_number_leaves_the_number_converted() -> None:
    assert normalise("统一贷款五百万") == "统一贷款5000000"


def test_normalising_twice_changes_nothing() -> None:
    from knowledge.vocabulary import policy_terms

    samples = ["统一贷款五百万", "一基地一业一品", "年化百分之一点五", "三重一创", *policy_terms()]
    for text in samples:
        once = normalise(text)
        assert normalise(once) == once, text
