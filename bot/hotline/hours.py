"""Office hours of the hotline (``HOTLINE_HOURS``), read in their own timezone (``HOTLINE_TIMEZONE``).

The form is ``<days> <ranges>`` groups separated by ``;``: days ``Mon-Fri`` or ``Mon,Wed,Sat``
(Mon Tue Wed Thu Fri Sat Sun), ranges ``09:00-17:30`` separated by commas. No hours set: always open
(whether anyone is there is staff presence's to say). Public holidays are not known here: staff who
are off simply do not open the console, and 转人工 then offers the hotline and a call-back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import List, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.hotline.settings import HotlineSettingError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_GROUP = re.compile(r"^\s*([A-Za-z,\-\s]+?)\s+([0-9:,\-\s]+)$")
_RANGE = re.compile(r"^\s*([0-2]?[0-9]):([0-5][0-9])\s*-\s*([0-2]?[0-9]):([0-5][0-9])\s*$")
EXAMPLE = "HOTLINE_HOURS='Mon-Fri 09:00-17:30'"


@dataclass(frozen=True)
class OfficeHours:
    # (weekday 0-6, start, end) with start < end; empty: always open.
    spans: Tuple[Tuple[int, time, time], ...]
    zone: ZoneInfo
    text: str = ""

    def open_at(self, when: datetime) -> bool:
        if not self.spans:
            return True
        local = when.astimezone(self.zone)
        now = local.time()
        return any(day == local.weekday() and start <= now < end for day, start, end in self.spans)

    def label(self) -> str:
        """The hours as users read them: ``周一至周五 09:00-17:30``."""
        groups: List[str] = []
        for days, ranges in _groups(self.text):
            groups.append(f"{_days_label(days)} {'、'.join(f'{a:%H:%M}-{b:%H:%M}' for a, b in ranges)}")
        return "；".join(groups)


def _days(text: str) -> List[int]:
    found: List[int] = []
    for part in text.replace(" ", "").lower().split(","):
        first, _, last = part.partition("-")
        if first[:3] not in DAYS or (last and last[:3] not in DAYS):
            raise HotlineSettingError(f"HOTLINE_HOURS: {part!r} is not a day or range of days like Mon-Fri ({EXAMPLE})")
        a, b = DAYS.index(first[:3]), DAYS.index((last or first)[:3])
        found += list(range(a, b + 1)) if a <= b else list(range(a, 7)) + list(range(0, b + 1))
    return found


def _ranges(text: str) -> List[Tuple[time, time]]:
    found = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match or int(match.group(1)) > 23 or int(match.group(3)) > 24:
            raise HotlineSettingError(f"HOTLINE_HOURS: {part.strip()!r} is not a time range like 09:00-17:30")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = time(h1, m1), time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
        if start >= end:
            raise HotlineSettingError(f"HOTLINE_HOURS: {part.strip()!r} ends before it starts")
        found.append((start, end))
    return found


def _groups(text: str) -> List[Tuple[List[int], List[Tuple[time, time]]]]:
    groups = []
    for chunk in filter(str.strip, text.split(";")):
        match = _GROUP.match(chunk)
        if not match:
            raise HotlineSettingError(f"HOTLINE_HOURS: {chunk.strip()!r} is not '<days> <times>' ({EXAMPLE})")
        groups.append((_days(match.group(1)), _ranges(match.group(2))))
    return groups


def _days_label(days: List[int]) -> str:
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_LABELS[days[0]]}至{DAY_LABELS[days[-1]]}"
    return "、".join(DAY_LABELS[d] for d in days)


def parse(text: str, timezone: str) -> OfficeHours:
    """The office hours ``text`` says, or HotlineSettingError saying what is wrong."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise HotlineSettingError(f"HOTLINE_TIMEZONE={timezone!r} is not a timezone name like Asia/Shanghai") from None
    spans = tuple((day, start, end) for days, ranges in _groups(text) for day in days for start, end in ranges)
    return OfficeHours(spans=spans, zone=zone, text=text)
