"""`make evaluate` reports each held-out question set separately (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluate import SETS, Outcome, load_heldout, main, set_result, write_reports


def outcome(question: str, expected: list, citations: list, right: bool, style: str = "direct") -> Outcome:
    kind = "policy" if citations else "out_of_scope"
    return Outcome(question, style, expected, kind, citations, right, "…")


FIRST = [outcome("技改补贴？", [6], [6], True), outcome("讲个笑话", [], [], True, "oos")]
FRESH = [outcome("买新机器给钱吗", [6], [7], False, "paraphrase"), outcome("下雨吗", [], [], True, "oos")]


def test_every_question_file_is_a_set_and_loads() -> None:
    assert list(SETS)[:2] == ["heldout", "fresh"]
    assert sorted(SETS.values()) == sorted((SETS["heldout"].parent).glob("*.yml"))
    for path in SETS.values():
        questions = load_heldout(path)
        assert questions and all({"q", "expect", "style"} <= set(q) for q in questions)


def test_each_set_has_its_own_numbers_and_section(tmp_path: Path) -> None:
    write_reports({"heldout": set_result(SETS["heldout"], FIRST), "fresh": set_result(SETS["fresh"], FRESH)}, tmp_path)
    report = json.loads((tmp_path / "heldout.json").read_text(encoding="utf-8"))
    assert list(report) == ["heldout", "fresh"]
    assert report["heldout"]["summary"]["clause_accuracy"] == 1.0
    assert report["fresh"]["summary"]["clause_accuracy"] == 0.0
    assert report["fresh"]["summary"]["clause_accuracy_paraphrase"] == 0.0
    assert report["fresh"]["file"] == "tests/heldout/fresh_questions.yml"
    summary = (tmp_path / "heldout-summary.md").read_text(encoding="utf-8")
    first, fresh = summary.split("## heldout ")[1].split("## fresh ")
    assert "clause accuracy: 100.0%" in first and "- none" in first
    assert "clause accuracy: 0.0%" in fresh and "`买新机器给钱吗` expected [6], got policy [7]" in fresh


def test_scoring_one_set_keeps_the_other_sets_last_results(tmp_path: Path) -> None:
    write_reports({"heldout": set_result(SETS["heldout"], FIRST)}, tmp_path)
    write_reports({"fresh": set_result(SETS["fresh"], FRESH)}, tmp_path)
    report = json.loads((tmp_path / "heldout.json").read_text(encoding="utf-8"))
    assert list(report) == ["heldout", "fresh"]
    assert report["heldout"]["summary"]["questions"] == 2


def test_an_old_one_set_report_is_replaced_not_merged(tmp_path: Path) -> None:
    (tmp_path / "heldout.json").write_text(json.dumps({"summary": {"questions": 1}, "outcomes": []}))
    write_reports({"fresh": set_result(SETS["fresh"], FRESH)}, tmp_path)
    assert list(json.loads((tmp_path / "heldout.json").read_text(encoding="utf-8"))) == ["fresh"]


def test_an_unknown_set_is_refused(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--set", "nosuchset", "--url", "http://127.0.0.1:9"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
