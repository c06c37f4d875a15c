"""The maintainers' FAQ tool: one entry in one place reaches the training data, safely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.paths import PROJECT_DIR
from knowledge.faq import FaqEntry, FaqError, load_entries
from tools.assistant_client import AssistantClient
from tools.faq import Workspace, add, check, main, render_training_data

NEW_ENTRY = FaqEntry(
    key="guarantee_subsidy_payer",
    questions=["担保费补贴由谁出钱", "担保费补贴的钱是哪里出的", "补贴资金来源是什么"],
    answer="担保费补贴由省财政按担保贷款实际发生额的1%给予补贴（第10条）。",
    citations=[10],
)


@pytest.fixture
def project(tmp_path: Path) -> Workspace:
    """A copy of the files the tool touches, so tests never change the repository."""
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_DIR / name, tmp_path / name)
    shutil.copytree(PROJECT_DIR / "data", tmp_path / "data")
    (tmp_path / "knowledge" / "data").mkdir(parents=True)
    shutil.copy(PROJECT_DIR / "knowledge" / "data" / "faq.yaml", tmp_path / "knowledge" / "data" / "faq.yaml")
    return Workspace(tmp_path)


def snapshot(workspace: Workspace) -> dict:
    return {path: path.read_bytes() for path in (workspace.faq_file, workspace.generated)}


def test_the_repository_faq_is_valid_and_its_training_data_up_to_date() -> None:
    assert check(Workspace(PROJECT_DIR)) == []


def test_adding_an_entry_writes_faq_and_training_data_and_validates(project: Workspace) -> None:
    comments_before = [line for line in project.faq_file.read_text().splitlines() if line.startswith("#")]
    add(project, NEW_ENTRY, validate=True, train=False)

    assert load_entries(project.faq_file)[-1] == NEW_ENTRY
    assert [line for line in project.faq_file.read_text().splitlines() if line.startswith("#")] == comments_before
    generated = yaml.safe_load(project.generated.read_text())
    intents = {item["intent"]: item["examples"] for item in generated["nlu"]}
    assert "- 担保费补贴由谁出钱" in intents["faq/guarantee_subsidy_payer"]
    assert generated["responses"]["utter_faq/guarantee_subsidy_payer"] == [{"text": NEW_ENTRY.answer}]
    assert check(project) == []


@pytest.mark.parametrize(
    "entry, message",
    [
        (FaqEntry("issue_date", ["新的问法一", "新的问法二", "新的问法三"], "答案"), "already used"),
        (FaqEntry("new_key", ["发文单位是谁", "新的问法二", "新的问法三"], "答案"), "already a question of FAQ"),
        (FaqEntry("new_key", ["问法一", "问法二"], "答案"), "at least 3"),
        (FaqEntry("New-Key", ["问法一", "问法二", "问法三"], "答案"), "key must be"),
        (FaqEntry("new_key", ["问法一", "问法二", "问法三"], ""), "answer is empty"),
        (FaqEntry("new_key", ["问法一", "问法二", "问法三"], "见第23条", [23]), "no measure 23"),
        (FaqEntry("new_key", ["问法一", "问法二", "问法三"], "省财政给补贴", [10]), "does not name 第10条"),
    ],
)
def test_a_bad_entry_is_refused_and_changes_nothing(project: Workspace, entry: FaqEntry, message: str) -> None:
    before = snapshot(project)
    with pytest.raises(FaqError, match=message):
        add(project, entry, validate=False, train=False)
    assert snapshot(project) == before


def test_a_question_that_is_already_training_data_elsewhere_is_refused(project: Workspace) -> None:
    measure_file = next((project.data_dir / "nlu").rglob("*.yml"))
    raw = yaml.safe_load(measure_file.read_text())
    taken = next(line.strip()[2:] for item in raw["nlu"] for line in item["examples"].splitlines() if line.strip()[2:])
    if "](" in taken or "]{" in taken:
        pytest.fail(f"pick an example without annotations: {taken}")
    before = snapshot(project)
    with pytest.raises(FaqError, match="already a training example"):
        add(project, FaqEntry("new_key", [taken, "问法二", "问法三"], "答案"), validate=False, train=False)
    assert snapshot(project) == before


def test_when_rasa_refuses_the_data_every_file_is_restored(project: Workspace) -> None:
    domain = project.root / "domain.yml"
    # The FAQ rule now names an action the domain does not know.
    domain.write_text(domain.read_text().replace("  - action_answer_faq\n", "", 1))
    before = snapshot(project)
    with pytest.raises(FaqError, match="rasa data validate"):
        add(project, NEW_ENTRY, validate=True, train=False)
    assert snapshot(project) == before


def test_the_command_line_reports_malformed_files_clearly(project: Workspace, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "entry.yaml"
    bad.write_text("key: x\nquestions: [unclosed\n")
    before = snapshot(project)
    assert main(["--project", str(project.root), "add", "--file", str(bad), "--no-train"]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad.write_text("key: new_key\nquestions: 只有一句\nanswer: 答案\n")
    assert main(["--project", str(project.root), "add", "--file", str(bad), "--no-train"]) == 2
    assert "questions must be a list" in capsys.readouterr().err
    assert snapshot(project) == before


def test_check_notices_stale_training_data(project: Workspace) -> None:
    project.generated.write_text(render_training_data(load_entries(project.faq_file)[:-1]))
    assert any("out of date" in problem for problem in check(project))
    assert main(["--project", str(project.root), "sync"]) == 0
    assert check(project) == []


@pytest.mark.server
@pytest.mark.parametrize(
    "question, expected, citations",
    [
        ("请问这个政策文件是哪个部门印发的？", "安徽省经济和信息化厅", []),
        ("这份文件的落款日期是哪天", "2021年6月30日", []),
        ("这个政策主要面向哪些对象", "融资担保机构", [1, 2, 10]),
    ],
)
def test_faq_answers_over_rest(assistant: AssistantClient, question: str, expected: str, citations: list) -> None:
    reply = assistant.ask(assistant.new_sender(), question)
    assert expected in reply.text
    assert reply.card is not None and reply.card["kind"] == "policy"
    assert reply.card["citations"] == citations
    for number in citations:
        assert f"第{number}条" in reply.text
