"""Answers for every measure and aspect: cited, from the data, with time notes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.orm import Session

from knowledge import loader
from knowledge.answers import ASPECTS, answer_measure
from knowledge.db import session_scope
from knowledge.repository import get_measure

TODAY = dt.date(2026, 11, 27)
GUIDANCE_ONLY = (1, 2, 4, 5, 6, 7, 8, 11, 14, 18)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('answers')) / 'kb.db'}"
    loader.load(url)
    with session_scope(url) as opened:
        yield opened


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("number", range(1, 23))
def test_every_measure_and_aspect_is_answered_and_cited(session: Session, number: int, aspect: str) -> None:
    measure = get_measure(session, number)
    answer = answer_measure(measure, aspect, 0.9, today=TODAY)
    assert answer.text.startswith(f"【第{number}条·")
    assert f"第{number}条）" in answer.text
    assert answer.card.citations == [number] and answer.card.measure == measure.key
    assert answer.card.kind == "policy" and answer.card.confidence == 0.9
    assert "http" not in answer.text and not re.search(r"\d{7,}", answer.text)
    body = answer.text.split("\n", 1)[1]
    assert len(body) > 30


# Numbers an answer may add to the measure's own: citations, dates, years, the count of a list.
_DERIVED = re.compile(r"第\d+条|\d{4}年\d{1,2}月\d{1,2}日|\d{4}—\d{4}年|\d+年|共\d+项")


def _numbers(text: str) -> set:
    return set(re.findall(r"\d+(?:\.\d+)?", _DERIVED.sub("", text)))


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("number", range(1, 23))
def test_answers_state_no_number_the_measure_does_not_contain(session: Session, number: int, aspect: str) -> None:
    measure = get_measure(session, number)
    answer = answer_measure(measure, aspect, today=TODAY)
    invented = _numbers(answer.text) - _numbers(measure.text)
    assert not invented, f"第{number}条 {aspect}: numbers not in the text: {invented}"


@pytest.mark.parametrize("number", GUIDANCE_ONLY)
def test_guidance_measures_say_what_to_whom_and_that_criteria_come_from_yearly_notices(
    session: Session, number: int
) -> None:
    measure = get_measure(session, number)
    what = answer_measure(measure, "what", today=TODAY).text
    who = answer_measure(measure, "who", today=TODAY).text
    assert measure.summary in what
    assert "每年发布的申报通知" in what and "每年发布的申报通知" in who
    for beneficiary in measure.detail("beneficiaries"):
        assert beneficiary in who


def test_three_firsts_guidance(session: Session) -> None:
    text = answer_measure(get_measure(session, 4), "what", today=TODAY).text
    assert "首台套装备200项左右" in text and "首批次新材料40项左右" in text and "首版次软件100项左右" in text


def test_technology_upgrade_names_its_support_without_amounts(session: Session) -> None:
    text = answer_measure(get_measure(session, 6), "amount", today=TODAY).text
    assert "设备补助" in text and "贷款贴息" in text and "没有规定本条的具体金额" in text


def test_guarantee_measure_lists_both_rules_conditions(session: Session) -> None:
    text = answer_measure(get_measure(session, 10), "who", today=TODAY).text
    assert "年化担保费率不超过1.2%" in text and "年化担保费率不超过1.5%" in text
    assert "以信用作为反担保措施" in text


def test_guarantee_amount_is_one_percent(session: Session) -> None:
    assert "实际发生额的1%" in answer_measure(get_measure(session, 10), "amount", today=TODAY).text


def test_card_lists_its_five_benefits(session: Session) -> None:
    text = answer_measure(get_measure(session, "huishang_service_card"), "what", today=TODAY).text
    assert "共5项" in text
    for benefit in ["购房", "未成年子女上学", "优先预约省内医疗专家", "申请职称评审绿色通道", "乘机乘高铁绿色通道"]:
        assert benefit in text


def test_work_measures_say_they_are_not_applied_for(session: Session) -> None:
    for number in (15, 16, 20, 21, 22):
        text = answer_measure(get_measure(session, number), "how_to_apply", today=TODAY).text
        assert "不是企业" in text or "没有规定" in text


def test_contact_names_departments_only(session: Session) -> None:
    text = answer_measure(get_measure(session, 19), "contact", today=TODAY).text
    assert "省发展改革委、省财政厅" in text and "没有提供电话或网址" in text


def test_time_bound_targets_carry_notes_from_todays_date(session: Session) -> None:
    measure = get_measure(session, 8)
    late = answer_measure(measure, "what", today=dt.date(2026, 11, 27))
    assert any("十四五" in note and "2025年底结束" in note for note in late.card.notes)
    assert "提示：" in late.text
    early = answer_measure(measure, "what", today=dt.date(2023, 3, 1))
    assert any("仍在该时期内" in note for note in early.card.notes)


def test_2021_targets_are_past_after_2021(session: Session) -> None:
    answer = answer_measure(get_measure(session, 11), "amount", today=dt.date(2022, 1, 1))
    assert any("2021年底结束" in note for note in answer.card.notes)
    assert "母基金直投5亿元" in answer.text


def test_contact_answer_keeps_notes_on_the_card_only(session: Session) -> None:
    answer = answer_measure(get_measure(session, 9), "contact", today=TODAY)
    assert answer.card.notes and "提示：" not in answer.text


def test_validity_mentions_document_date_and_age(session: Session) -> None:
    answer = answer_measure(get_measure(session, 13), "validity", today=TODAY)
    assert "2021年6月30日" in answer.text and any("没有写明有效期" in n for n in answer.card.notes)


def test_unknown_aspect_falls_back_to_what(session: Session) -> None:
    measure = get_measure(session, 13)
    assert answer_measure(measure, "nonsense", today=TODAY).text == answer_measure(measure, "what", today=TODAY).text
