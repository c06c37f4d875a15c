"""Reading numbers back out of Chinese text, to check what a spoken answer (口播稿) says.

Written independently of knowledge/spoken_numbers.py (which goes the other way): 百分之一点二 →
1.2, 一千万 → 10000000, 第十三条 → 13, 二零二一 → 2021, 两万 → 20000, 一百零四 → 104. In a
written answer the Arabic numbers count too, with their 万/亿 (1000万 → 10000000, 1.2% → 1.2).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import List

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNIT = {"十": 10, "百": 100, "千": 1000}
_BIG_UNIT = {"万": 10**4, "亿": 10**8}
_CHARS = "".join(_DIGIT) + "".join(_SMALL_UNIT) + "".join(_BIG_UNIT)
_RUN = re.compile(f"[{_CHARS}]+(?:点[{''.join(_DIGIT)}]+)?")
_PERCENT = re.compile(f"百分之([{_CHARS}]+(?:点[{''.join(_DIGIT)}]+)?)")
_ARABIC = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?")


def _integers(run: str) -> List[int]:
    """The integers a run of numeral characters says; a digit after a digit starts a new number
    (十四五 → 14, 5), a run of bare digits is said digit by digit (二零二一 → 2021)."""
    if len(run) > 1 and all(char in _DIGIT for char in run):
        return [int("".join(str(_DIGIT[char]) for char in run))]
    numbers: List[int] = []
    total = section = 0
    digit: int | None = None
    last_small = 10**5
    started = False

    def flush() -> None:
        nonlocal total, section, digit, started, last_small
        if started:
            numbers.append(total + section + (digit or 0))
        total = section = 0
        digit = None
        started = False
        last_small = 10**5

    after_big = False
    for char in run:
        if char == "零" and started and digit is None:
            continue  # 一百零四: the 零 only holds the empty place
        if char in _DIGIT:
            if digit is not None:
                flush()
            digit = _DIGIT[char]
            started = True
        elif char in _SMALL_UNIT:
            unit = _SMALL_UNIT[char]
            if unit >= last_small and digit is None:
                flush()
            section += (1 if digit is None else digit) * unit
            last_small = unit
            digit = None
            started = True
        else:
            if not started or after_big:
                flush()
                after_big = False
                continue  # 万 alone (万企, 千亿万企) is a word, not a number
            if char == "亿":  # 亿 multiplies all before it (一万亿), 万 only its own section
                total = (total + section + (digit or 0)) * _BIG_UNIT[char]
            else:
                total += (section + (digit or 0)) * _BIG_UNIT[char]
            section = 0
            digit = None
            last_small = 10**5
            after_big = True
            continue
        after_big = False
    flush()
    return numbers


def _decimal(run: str) -> List[Decimal]:
    whole, _, fraction = run.partition("点")
    numbers = [Decimal(n) for n in _integers(whole)] if whole else [Decimal(0)]
    if fraction:
        numbers[-1] += Decimal("0." + "".join(str(_DIGIT[c]) for c in fraction))
    return numbers


def chinese_numbers(text: str) -> List[Decimal]:
    """Every number ``text`` says in Chinese numerals, in order (百分之X counts as X)."""
    found: List[Decimal] = []
    for match in _PERCENT.finditer(text):
        found.extend(_decimal(match.group(1)))
    rest = _PERCENT.sub("，", text)
    for match in _RUN.finditer(rest):
        found.extend(_decimal(match.group(0)))
    return found


def written_numbers(text: str) -> List[Decimal]:
    """Every number a written answer states: Arabic numbers with their 万/亿, and Chinese numerals."""
    found = [Decimal(m.group(1)) * (_BIG_UNIT[m.group(2)] if m.group(2) else 1) for m in _ARABIC.finditer(text)]
    return found + chinese_numbers(_ARABIC.sub("，", text))
