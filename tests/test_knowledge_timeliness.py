"""Targets tied to 2021, 十四五 (2021–2025) or 到2023年 are flagged by today's date."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.timeliness import document_age_note, period, target_notes

DOC = dt.date(2021, 6, 30)


@pytest.mark.parametrize(
    ("key", "day", "status"),
    [
        ("2021", dt.date(2021, 12, 31), "current"),
        ("2021", dt.date(2022, 1, 1), "past"),
        ("fourteenth_five_year", dt.date(2025, 12, 31), "current"),
        ("fourteenth_five_year", dt.date(2026, 1, 1), "past"),
        ("fourteenth_five_year", dt.date(2020, 5, 1), "future"),
        ("by_2023", dt.date(2023, 6, 1), "current"),
        ("by_2023", dt.date(2024, 1, 1), "past"),
        ("three_years", dt.date(2023, 12, 31), "current"),
        ("three_years", dt.date(2024, 1, 2), "past"),
        ("yearly", dt.date(2030, 1, 1), "recurring"),
        ("unspecified", dt.date(2030, 1, 1), "open"),
    ],
)
def test_period_status_at_its_boundaries(key: str, day: dt.date, status: str) -> None:
    assert period(key).status(day) == status


def test_fourteenth_five_year_plan_is_2021_to_2025() -> None:
    span = period("fourteenth_five_year")
    assert (span.first_year, span.last_year) == (2021, 2025)


def test_unknown_period_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown target period"):
        period("someday")


def test_past_notes_name_the_target_the_end_and_today() -> None:
    notes = target_notes([{"text": "新增挂牌企业150户", "period": "2021"}], on=dt.date(2026, 11, 27), document_date=DOC)
    assert len(notes) == 1
    assert "新增挂牌企业150户" in notes[0] and "2021年底结束" in notes[0] and "2026年11月27日" in notes[0]
    assert "通知为准" in notes[0]


def test_the_same_target_is_current_in_its_own_year() -> None:
    (note,) = target_notes([{"text": "新增挂牌企业150户", "period": "2021"}], on=dt.date(2021, 8, 1), document_date=DOC)
    assert "仍在该时期内" in note and "结束" not in note


def test_notes_follow_the_injected_date_not_a_fixed_year() -> None:
    targets = [{"text": "新培育专精特新中小企业1000户", "period": "fourteenth_five_year"}]
    assert "仍在该时期内" in target_notes(targets, on=dt.date(2024, 1, 1))[0]
    assert "2025年底结束" in target_notes(targets, on=dt.date(2027, 1, 1))[0]


def test_yearly_targets_get_a_note_only_when_asked_and_after_the_document_year() -> None:
    targets = [{"text": "每年培训200人", "period": "yearly"}]
    assert target_notes(targets, on=dt.date(2026, 1, 1), document_date=DOC) == []
    assert target_notes(targets, on=dt.date(2021, 9, 1), document_date=DOC, include_yearly=True) == []
    (note,) = target_notes(targets, on=dt.date(2026, 1, 1), document_date=DOC, include_yearly=True)
    assert "没有写明截止年份" in note and "2026年" in note


def test_targets_of_one_period_share_one_note() -> None:
    targets = [{"text": "a", "period": "by_2023"}, {"text": "b", "period": "by_2023"}]
    (note,) = target_notes(targets, on=dt.date(2025, 1, 1))
    assert "a；b" in note


def test_document_age_note() -> None:
    assert document_age_note(DOC, on=dt.date(2021, 12, 1)) is None
    note = document_age_note(DOC, on=dt.date(2026, 11, 27))
    assert note and "2021年6月30日" in note and "没有写明有效期" in note
