"""Arabic numbers in Chinese text as they are said aloud: 1.2% → 百分之一点二, 1000万元 → 一千万元,
第13条 → 第十三条, 2021年 → 二零二一年, 〔2021〕10号 → 二零二一年十号. No Rasa; used by the spoken
answers (knowledge/spoken.py)."""

from __future__ import annotations

import re
from typing import Iterable

DIGITS = "零一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
_SECTIONS = ((10**8, "亿"), (10**4, "万"), (1, ""))
# Above this an integer is read digit by digit (a code, not an amount).
_LARGEST = 10**12

_DOC_NUMBER = re.compile(r"〔(\d{4})〕(\d+)号")
_YEAR_RANGE = re.compile(r"(\d{4})\s*[—–\-~～至到]\s*(\d{4})(?=年)")
_YEAR = re.compile(r"(\d{4})(?=年)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def say_digits(digits: str) -> str:
    """Digit by digit, as years and codes are said: 2021 → 二零二一."""
    return "".join(DIGITS[int(digit)] for digit in digits)


def _section(value: int, first: bool) -> str:
    """0 < value < 10000 in words; ``first``: the number starts here (十五, not 一十五)."""
    out = []
    started = zero_pending = False
    for unit, name in _UNITS:
        digit = value // unit % 10
        if digit == 0:
            zero_pending = started
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        word = DIGITS[digit]
        if name == "十" and digit == 1 and first and not started:
            word = ""
        elif name == "千" and digit == 2:
            word = "两"
        out.append(word + name)
        started = True
    return "".join(out)


def say_integer(value: int) -> str:
    """An integer as it is said: 13 → 十三, 104 → 一百零四, 3000 → 三千, 20000 → 两万."""
    if value < 0:
        return "负" + say_integer(-value)
    if value == 0:
        return "零"
    if value >= _LARGEST:
        return say_digits(str(value))
    out = ""
    gap = False
    for size, name in _SECTIONS:
        section = value // size % 10**4
        if section == 0:
            gap = bool(out)
            continue
        if out and (gap or section < 1000):
            out += "零"
        word = "两" if section == 2 and name else _section(section, first=not out)
        out += word + name
        gap = False
    return out


def say_number(number: str) -> str:
    """A decimal number written with Arabic digits: 1.2 → 一点二, 0.5 → 零点五."""
    whole, _, fraction = number.partition(".")
    spoken = say_integer(int(whole))
    return spoken + ("点" + say_digits(fraction) if fraction else "")


def _two(match: re.Match, text: str, measure_words: str) -> str:
    after = text[match.end() : match.end() + 1]
    before = text[max(0, match.start() - 1) : match.start()]
    if match.group(0) == "2" and after and after in measure_words and before != "第":
        return "两"
    return say_number(match.group(0))


def speak_numbers(text: str, measure_words: Iterable[str] = ()) -> str:
    """Every Arabic number in ``text`` in words; ``measure_words``: after these 2 is said 两."""
    words = "".join(measure_words)
    text = _DOC_NUMBER.sub(lambda m: f"{say_digits(m.group(1))}年{say_number(m.group(2))}号", text)
    text = _YEAR_RANGE.sub(lambda m: f"{say_digits(m.group(1))}年至{say_digits(m.group(2))}", text)
    text = _YEAR.sub(lambda m: say_digits(m.group(1)), text)
    text = _PERCENT.sub(lambda m: "百分之" + say_number(m.group(1)), text)
    return _NUMBER.sub(lambda m: _two(m, text, words), text)
