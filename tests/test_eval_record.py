"""The record of scorings in docs/eval/ (tools/eval_record.py): every number kept there is backed by
its rows, and a set's first scoring of a version is never replaced by a later one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import eval_record
from tools.eligibility_eval import DialogueOutcome, summarise_dialogues
from tools.evaluate import Outcome, dialogue_set_result, set_result, summary_from_rows

RECORD_DIR = eval_record.RECORD_DIR


def kept_records():
    return eval_record.load_index(RECORD_DIR)


def test_every_summary_of_the_index_is_recomputed_from_its_rows() -> None:
    for entry in kept_records():
        rows = eval_record.read_rows(entry, RECORD_DIR)
        assert rows, f"{entry['rows']} has no rows"
        result_type = "dialogues" if "verdict_accuracy" in entry["summary"] else None
        assert summary_from_rows(result_type, rows) == entry["summary"], entry["rows"]


# Records kept before the index existed: one JSON file with the summary and its dialogues.
LEGACY_RECORDS = sorted(p for p in RECORD_DIR.glob("*.json") if p.name != eval_record.INDEX_FILE)


@pytest.mark.parametrize("path", LEGACY_RECORDS, ids=lambda path: path.name)
def test_every_summary_kept_before_the_index_matches_its_dialogues(path: Path) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    recomputed = summarise_dialogues([DialogueOutcome(**row) for row in record["dialogues"]])
    for key, value in record["summary"].items():
        assert recomputed[key] == value, key


def test_the_record_folder_holds_something_to_check() -> None:
    assert kept_records() or LEGACY_RECORDS


def question_result(tmp_path: Path, rights) -> dict:
    outcomes = [
        Outcome(f"问题{n}", "direct", [13] if n % 2 else [], "policy", [13], right, "…")
        for n, right in enumerate(rights, start=1)
    ]
    return set_result(tmp_path / "set.yml", outcomes)


def test_the_first_scoring_is_kept_and_a_rescoring_does_not_replace_it(tmp_path: Path) -> None:
    set_file = tmp_path / "set.yml"
    set_file.write_text("questions: []\n", encoding="utf-8")
    folder = tmp_path / "eval"
    version = eval_record.Version(model="wanqi-0123456789abcdef", code="abcdefabcdef")
    first = question_result(tmp_path, [True, False, True])
    entry, is_first = eval_record.record_first_scoring("demo", set_file, first, version, folder)
    assert is_first
    assert entry["summary"] == first["summary"]
    better = question_result(tmp_path, [True, True, True])
    again, is_first_again = eval_record.record_first_scoring("demo", set_file, better, version, folder)
    assert not is_first_again
    assert again["summary"] == first["summary"]
    assert eval_record.load_index(folder) == [entry]
    rows = eval_record.read_rows(entry, folder)
    assert [row["right"] for row in rows] == [True, False, True]
    assert summary_from_rows(None, rows) == entry["summary"]
    assert eval_record.differing_rows(rows, better["outcomes"]) == [2]


def test_another_version_or_a_changed_set_file_starts_a_new_record(tmp_path: Path) -> None:
    set_file = tmp_path / "set.yml"
    set_file.write_text("questions: []\n", encoding="utf-8")
    folder = tmp_path / "eval"
    version = eval_record.Version(model="wanqi-0123456789abcdef", code="abcdefabcdef")
    result = question_result(tmp_path, [True])
    eval_record.record_first_scoring("demo", set_file, result, version, folder)
    other = eval_record.Version(model="wanqi-0123456789abcdef", code="000000000000")
    assert eval_record.record_first_scoring("demo", set_file, result, other, folder)[1]
    set_file.write_text("questions: [] # a corrected label\n", encoding="utf-8")
    assert eval_record.record_first_scoring("demo", set_file, result, version, folder)[1]
    assert len(eval_record.load_index(folder)) == 3


def test_a_dialogue_scoring_is_kept_row_by_row_and_recomputes(tmp_path: Path) -> None:
    set_file = tmp_path / "dialogues.yml"
    set_file.write_text("dialogues: []\n", encoding="utf-8")
    outcomes = [
        DialogueOutcome("a-1", "single", 10, "eligible", "eligibility", "eligible", [10], True, True, False, "…"),
        DialogueOutcome("a-2", "negation", 13, "not_eligible", "eligibility", "eligible", [13], True, False, True, "…"),
    ]
    result = dialogue_set_result(set_file, outcomes)
    version = eval_record.Version(model="wanqi-0123456789abcdef", code="abcdefabcdef")
    entry, _ = eval_record.record_first_scoring("eligibility", set_file, result, version, tmp_path)
    rows = eval_record.read_rows(entry, tmp_path)
    assert summary_from_rows("dialogues", rows) == entry["summary"]
    assert entry["summary"]["false_eligible_ids"] == ["a-2"]


def test_the_code_hash_follows_the_code_that_answers(tmp_path: Path) -> None:
    (tmp_path / "knowledge").mkdir()
    rule = tmp_path / "knowledge" / "rule.yaml"
    rule.write_text("at_most: 1.2\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text("a\n", encoding="utf-8")
    before = eval_record.code_hash(tmp_path)
    (tmp_path / "docs" / "notes.md").write_text("b\n", encoding="utf-8")
    assert eval_record.code_hash(tmp_path) == before  # documentation does not answer
    rule.write_text("at_most: 1.5\n", encoding="utf-8")
    assert eval_record.code_hash(tmp_path) != before
