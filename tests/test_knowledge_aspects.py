"""knowledge.aspects: which aspect a question asks about, and bare follow-ups."""

from __future__ import annotations

import pytest

from knowledge.aspects import detect, is_bare_followup


@pytest.mark.parametrize(
    ("question", "aspect"),
    [("徽商服务卡怎么申请", "how_to_apply"), ("技改找谁咨询", "contact"), ("谁能办", "who"), ("徽商服务卡", "what")],
)
def test_detect(question: str, aspect: str) -> None:
    assert detect(question) == aspect


@pytest.mark.parametrize(
    "question", ["那谁能办？", "那怎么办理？", "怎么申请呢", "找谁咨询", "能补多少钱？", "这个还有效吗"]
)
def test_an_aspect_and_nothing_else_is_a_bare_followup(question: str) -> None:
    assert is_bare_followup(question)


@pytest.mark.parametrize(
    "question", ["社保怎么办理", "徽商服务卡谁能办", "个税怎么申报", "今天天气怎么样", "我们能办吗", "你好", ""]
)
def test_a_question_naming_something_else_or_no_aspect_is_not(question: str) -> None:
    assert not is_bare_followup(question)
