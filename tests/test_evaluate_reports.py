"""`make evaluate` reports each held-out question set separately (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.training.heldout_score import chit_chat_texts
from tools.evaluate import (
    DIALOGUE_SETS,
    SETS,
    Outcome,
    is_right,
    load_heldout,
    main,
    set_result,
    summarise,
    write_reports,
)


def outcome(question: str, expected: list, citations: list, right: bool, style: str = "direct") -> Outcome:
    kind = "policy" if citations else "out_of_scope"
    return Outcome(question, style, expected, kind, citations, right, "…")


FIRST = [outcome("技改补贴？", [6], [6], True), outcome("讲个笑话", [], [], True, "oos")]
FRESH = [outcome("买新机器给钱吗", [6], [7], False, "paraphrase"), outcome("下雨吗", [], [], True, "oos")]


def test_every_question_file_is_a_set_and_loads() -> None:
    assert list(SETS)[:2] == ["heldout", "fresh"]
    # Every clause question file is a set; dialogue sets (*_dialogues.yml) are scored on verdicts
    # instead, and duplicates.yml lists near copies.
    folder = SETS["heldout"].parent
    assert sorted(SETS.values()) == sorted([folder / "questions.yml", *folder.glob("*_questions.yml")])
    assert {p.name for p in folder.glob("*.yml")} - {p.name for p in SETS.values()} <= {
        "duplicates.yml",
        *(p.name for p in DIALOGUE_SETS.values()),
    }
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


@pytest.mark.parametrize(
    "expected, card, text, right",
    [
        ([6], {"kind": "policy", "citations": [6]}, "第6条 …", True),
        ([6], {"kind": "policy", "citations": [6, 7]}, "第6条、第7条 …", False),
        ([6], None, "我是皖企政策助手 …", False),
        ([], {"kind": "out_of_scope", "citations": []}, "超出范围 …", True),
        # The fallback's suggestion buttons do not say the question is out of scope: a miss.
        ([], {"kind": "fallback", "citations": []}, "您是想问 …", False),
        ([], None, "", False),
        ([], {"kind": "policy", "citations": [19]}, "第19条 …", False),
        # Without a card only the domain's own chit-chat replies (utter_iamabot …), word for word, reject.
        ([], None, chit_chat_texts() and sorted(chit_chat_texts())[0], True),
        ([], None, "我是皖企政策助手，一个自动问答机器人 …", False),
        ([], None, "请看第13条", False),
    ],
)
def test_what_counts_as_right(expected, card, text, right) -> None:
    assert is_right(expected, card, text) is right


def test_the_card_only_and_lenient_rates_and_near_copies() -> None:
    chit_chat = Outcome("你是机器人吗", "oos", [], None, [], True, "…", lenient_right=True)
    rejected = Outcome("讲个笑话", "oos", [], "out_of_scope", [], True, "…", lenient_right=True)
    suggested = Outcome("下雨吗", "oos", [], "fallback", [], False, "您是想问 …", lenient_right=True)
    copied = Outcome("下雨吗？", "oos", [], "policy", [3], False, "第3条", duplicate_of="fresh#5")
    summary = summarise([chit_chat, rejected, suggested, copied])
    assert summary["out_of_scope_rejection"] == round(2 / 3, 4)
    assert summary["out_of_scope_rejection_card"] == round(1 / 3, 4)
    assert summary["out_of_scope_rejection_lenient"] == 1.0
    assert summary["near_copies_left_out"] == 1 and summary["out_of_scope_rejection_all"] == 0.5
