"""The spoken version of every policy answer (口播稿): what hotline staff read out on the phone.

Every measure and aspect, and every FAQ answer: no digits, symbols, brackets or list markers left,
the citation said as 根据实施意见第N条, at most about 40 seconds of speech, and every number it says
(read back by tests/support/spoken_chinese.py) is a number the written answer states.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.orm import Session

from knowledge import faq, loader
from knowledge.answers import ASPECTS, answer_measure
from knowledge.db import session_scope
from knowledge.repository import get_measure
from knowledge.spoken import spoken_script, style
from knowledge.spoken_numbers import say_integer, say_number, speak_numbers
from tests.support.spoken_chinese import chinese_numbers, written_numbers

TODAY = dt.date(2026, 12, 4)
# What a script may hold: Chinese characters, Latin letters of names (5G, A、B、C三级) and the
# marks that are pauses.
SAYABLE = re.compile(r"^[\u4e00-\u9fffA-Za-z，。、；？！]+$")
LIST_MARKER = re.compile(r"(^|[。，])[一二三四五六七八九十]+、")
# A breath group: the words between two marks.
LONGEST_CLAUSE = 45
CHINESE_NUMERAL = "零一二两三四五六七八九十百千万亿"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('spoken')) / 'kb.db'}"
    loader.load(url)
    with session_scope(url) as opened:
        yield opened


def assert_sayable(written: str, spoken: str, citation: str) -> None:
    assert SAYABLE.match(spoken), f"not sayable: {set(re.sub(SAYABLE.pattern[1:-2] + ']', '', spoken))}"
    assert not re.search(r"\d", spoken)
    assert not LIST_MARKER.search(spoken)
    assert spoken.startswith(citation), spoken
    assert spoken.endswith("。")
    assert len(spoken) <= style().max_chars, len(spoken)
    # A document's full title is a name, said in one breath; every other clause is short.
    titles = [re.sub("[《》〈〉]", "", title) for title in re.findall(r"《[^\n]*》", written)]
    clauses = [part for part in re.split("[，。、；？！]", spoken) if not any(t in part for t in titles if len(t) > 20)]
    assert max(map(len, clauses), default=0) <= LONGEST_CLAUSE, spoken
    stated = set(written_numbers(written))
    said = chinese_numbers(spoken)
    invented = [number for number in said if number not in stated]
    assert not invented, f"says {invented}, the written answer states {sorted(stated)}:\n{spoken}"


def test_forty_seconds_at_the_assumed_reading_speed_is_220_characters() -> None:
    assert style().max_chars == 220


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("number", range(1, 23))
def test_every_measure_and_aspect_has_a_script_staff_can_read_out(session: Session, number: int, aspect: str) -> None:
    answer = answer_measure(get_measure(session, number), aspect, today=TODAY)
    spoken = answer.card.spoken
    assert spoken and spoken == spoken_script(answer.text, [number], "《若干意见》实施意见")
    assert_sayable(answer.text, spoken, f"根据实施意见第{say_integer(number)}条，")
    assert len(spoken) > 30


@pytest.mark.parametrize("entry", faq.load_entries(), ids=lambda entry: entry.key)
def test_every_faq_answer_has_a_script(entry: faq.FaqEntry) -> None:
    answer = faq.answer_faq(entry)
    labels = [f"第{say_integer(n)}条" for n in entry.citations]
    cited = "、".join(labels[:-1]) + "和" + labels[-1] if len(labels) > 1 else "".join(labels)
    assert answer.card.spoken
    assert_sayable(answer.text, answer.card.spoken, f"根据实施意见{cited}，")


def test_amounts_rates_and_citations_are_said_aloud() -> None:
    written = (
        "【第10条·担保费补贴】\n"
        "年化担保费率不超过1.2%、以信用作为反担保措施的，省财政按实际发生额的1%给予补贴；"
        "母基金直投5亿元，安排3000亿元以上信贷（含“首贷”“信用贷”），2021年新增2家。\n"
        "本条面向：\n• 融资担保机构（直接对象）\n• 省中小企业（民营经济）发展专项资金\n"
        "（依据：《若干意见》实施意见第10条）"
    )
    assert spoken_script(written, [10], "《若干意见》实施意见") == (
        "根据实施意见第十条，年化担保费率不超过百分之一点二、以信用作为反担保措施的，"
        "省财政按实际发生额的百分之一给予补贴。母基金直投五亿元，安排三千亿元以上信贷，含首贷、信用贷，"
        "二零二一年新增两家。本条面向，融资担保机构，直接对象。省中小企业发展专项资金。"
    )


def test_a_long_answer_stops_after_a_whole_sentence_within_forty_seconds() -> None:
    sentences = [f"第{n}项工作要在年底前按计划完成并向省里报告进展情况" for n in range(1, 30)]
    written = "【第1条·测试】\n" + "；".join(sentences) + "。\n（依据：《若干意见》实施意见第1条）"
    spoken = spoken_script(written, [1], "《若干意见》实施意见")
    assert len(spoken) <= style().max_chars
    assert spoken.endswith("并向省里报告进展情况。")
    # It uses the time it has: one more sentence would not fit.
    assert len(spoken) + len(sentences[0]) + 1 > style().max_chars


def test_several_measures_and_none_are_cited_as_said() -> None:
    written = "文件共6个部分：一、甲（4条）；二、乙（3条）。\n（依据：《若干意见》实施意见）"
    spoken = spoken_script(written, [], "《若干意见》实施意见")
    assert spoken == "根据实施意见，文件共六个部分，第一，甲，四条。第二，乙，三条。"
    assert spoken_script("详见各条。", [10, 13], "《若干意见》实施意见").startswith("根据实施意见第十条和第十三条，")


@pytest.mark.parametrize(
    "spoken, numbers",
    [
        ("百分之一点二", ["1.2"]),
        ("一千万元", ["10000000"]),
        ("第十三条", ["13"]),
        ("二零二一年六月三十日", ["2021", "6", "30"]),
        ("两万家", ["20000"]),
        ("一百零四个县", ["104"]),
        ("三千亿元", ["300000000000"]),
        ("十万零一十", ["100010"]),
        ("十四五规划", ["14", "5"]),
        ("万企", []),
    ],
)
def test_the_reader_of_spoken_numbers(spoken: str, numbers: list) -> None:
    assert [str(n) for n in chinese_numbers(spoken)] == numbers


@pytest.mark.parametrize("value", [*range(0, 130), 200, 1000, 1005, 2000, 10000, 10005, 11000, 20000, 100010,
                                   3000 * 10**8, 123456789, 100000005, 10**12 // 10])  # fmt: skip
def test_integers_said_aloud_read_back_as_themselves(value: int) -> None:
    assert [int(n) for n in chinese_numbers(say_integer(value))] == [value]


def test_numbers_in_words() -> None:
    assert say_integer(13) == "十三" and say_integer(104) == "一百零四" and say_integer(20000) == "两万"
    assert say_integer(2000) == "两千" and say_integer(110) == "一百一十" and say_number("0.5") == "零点五"
    assert speak_numbers("1000万元") == "一千万元"
    assert speak_numbers("2021—2025年") == "二零二一年至二零二五年"
    assert speak_numbers("皖发〔2021〕10号") == "皖发二零二一年十号"
    assert speak_numbers("第2条有2项", "项") == "第二条有两项"
