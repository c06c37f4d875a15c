"""Time awareness: notes for targets tied to a period, computed from today's date.

The document (2021) sets targets "每年", "2021年", "“十四五”" (2021–2025), "到2023年" and
"三年内". Which of them are past depends on the day a user asks, so every note is computed
here from ``today`` (injectable for tests), never written into the data or the answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Sequence

PERIODS = ("yearly", "2021", "fourteenth_five_year", "by_2023", "three_years", "unspecified")
ADVICE = "请以省、市经信部门最新发布的通知为准。"


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    first_year: int | None
    last_year: int | None

    def status(self, today: dt.date) -> str:
        """past | current | future | recurring | open."""
        if self.key == "yearly":
            return "recurring"
        if self.last_year is None:
            return "open"
        if today.year > self.last_year:
            return "past"
        if self.first_year is not None and today.year < self.first_year:
            return "future"
        return "current"


def period(key: str, document_year: int = 2021) -> Period:
    """The calendar years a period key stands for. "三年内" counts from the document's year."""
    key = str(key)
    if key == "yearly":
        return Period(key, "每年", None, None)
    if key == "fourteenth_five_year":
        return Period(key, "“十四五”时期（2021—2025年）", 2021, 2025)
    if key == "by_2023":
        return Period(key, "到2023年", document_year, 2023)
    if key == "three_years":
        return Period(key, f"三年内（自文件印发的{document_year}年起算）", document_year, document_year + 2)
    if key.isdigit():
        return Period(key, f"{key}年", int(key), int(key))
    if key == "unspecified":
        return Period(key, "未写明期限", None, None)
    raise ValueError(f"unknown target period {key!r}; known: {', '.join(PERIODS)}")


def today() -> dt.date:
    return dt.date.today()


def _date_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _join(texts: Sequence[str]) -> str:
    return "；".join(texts)


def target_notes(
    targets: Iterable[Mapping[str, Any]],
    on: dt.date | None = None,
    document_date: dt.date | None = None,
    include_yearly: bool = False,
) -> List[str]:
    """One note per period the targets fall in, saying whether it is past, as of ``on``.

    ``include_yearly`` adds a note for "每年" targets when the document is from an earlier year
    (they carry no end date, so whether they still apply is for the yearly notices to say).
    """
    day = on or today()
    document_year = document_date.year if document_date else 2021
    grouped: dict = {}
    for target in targets:
        key = str(target.get("period", "unspecified"))
        grouped.setdefault(key, []).append(str(target["text"]))
    notes = []
    for key, texts in grouped.items():
        span = period(key, document_year)
        status = span.status(day)
        as_of = f"（按今天{_date_label(day)}计）"
        if status == "past":
            notes.append(
                f"本条中{span.label}的目标（{_join(texts)}）所对应的时期已于{span.last_year}年底结束{as_of}，"
                f"属于当时的工作目标，不代表现在仍在执行。{ADVICE}"
            )
        elif status == "current":
            notes.append(f"本条中{span.label}的目标（{_join(texts)}）目前仍在该时期内{as_of}。{ADVICE}")
        elif status == "future":
            notes.append(f"本条中{span.label}的目标（{_join(texts)}）所对应的时期尚未开始{as_of}。")
        elif status == "recurring" and include_yearly and day.year > document_year:
            notes.append(
                f"本条的“每年”目标（{_join(texts)}）没有写明截止年份；文件印发于{document_year}年，"
                f"{day.year}年是否仍按这些目标执行，{ADVICE}"
            )
    return notes


def measure_notes(measure: Any, on: dt.date | None = None, include_yearly: bool = False) -> List[str]:
    """Notes for one measure (a ``models.Measure`` or a measure dict from the YAML)."""
    if isinstance(measure, Mapping):
        targets = measure.get("targets") or []
        document_date = None
    else:
        targets = measure.detail("targets")
        document_date = measure.document.date if measure.document is not None else None
    return target_notes(targets, on=on, document_date=document_date, include_yearly=include_yearly)


def document_age_note(document_date: dt.date, on: dt.date | None = None) -> str | None:
    """A note that the document is from an earlier year, or None in its own year."""
    day = on or today()
    if day.year <= document_date.year:
        return None
    return (
        f"该文件印发于{_date_label(document_date)}，文件本身没有写明有效期；"
        f"到今天（{_date_label(day)}）已过去{day.year - document_date.year}年左右，{ADVICE}"
    )
