"""The maintainer CLI: python -m knowledge load | check | show | search | match | eligible."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.__main__ import main
from tests.test_knowledge_storage import postgres_url  # noqa: F401 - the session database fixture

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    assert main(["--database", url, "load"]) == 0
    return url


def test_load_reports_what_it_loaded(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    assert main(["--database", url, "load"]) == 0
    assert main(["--database", url, "load"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all("22 measures" in line and "0002_measure_kind" in line for line in out)


@pytest.mark.postgres
def test_load_on_postgres(postgres_url: str, capsys: pytest.CaptureFixture) -> None:  # noqa: F811
    assert main(["--database", postgres_url, "load"]) == 0
    assert "22 measures" in capsys.readouterr().out


def test_check(capsys: pytest.CaptureFixture) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("check: OK")


def test_show_prints_the_original_text(db: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["--database", db, "show", "13"]) == 0
    out = capsys.readouterr().out
    assert "第13条 发放“徽商服务卡”" in out and "乘机乘高铁绿色通道等方面提供优待服务。" in out


def test_show_lists_and_answers(db: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["--database", db, "show"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 22
    assert main(["--database", db, "show", "8", "--aspect", "validity", "--today", "2027-01-01"]) == 0
    assert "2025年底结束" in capsys.readouterr().out


def test_show_unknown_measure_is_a_clean_error(db: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["--database", db, "show", "99"]) == 2
    assert "no measure '99'" in capsys.readouterr().err


def test_search(capsys: pytest.CaptureFixture) -> None:
    assert main(["search", "技改", "补贴"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[1] == "第6条"
    assert main(["search", "天气"]) == 1


def test_match(capsys: pytest.CaptureFixture) -> None:
    assert main(["match", "--role", "guarantee_institution"]) == 0
    assert "第10条" in capsys.readouterr().out.splitlines()[0]
    assert main(["match", "我们想做技改", "--plan", "xyz"]) == 0
    captured = capsys.readouterr()
    assert "第6条" in captured.out.splitlines()[0] and "not understood: plans=xyz" in captured.err
    assert main(["match"]) == 2


def test_eligible_with_facts_in_any_spelling(capsys: pytest.CaptureFixture) -> None:
    args = ["eligible", "guarantee_fee_subsidy", "--fact", "applicant_role=担保公司", "--fact",
            "borrower_qualification=专精特新", "--fact", "guarantee_fee_rate=千分之十二", "--fact",
            "counter_guarantee=信用", "--fact", "loan_amount=五百万元"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "结论：符合条件" in out and "补贴为5万元" in out and "第10条" in out


def test_eligible_boundary_and_json(capsys: pytest.CaptureFixture) -> None:
    assert main(["eligible", "guarantee_fee_subsidy", "--fact", "guarantee_fee_rate=1.21%", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)["answer_card"]
    assert card["verdict"] == "not_eligible" and card["citations"] == [10]
    assert card["source"]["date"] == "2021-06-30"


def test_eligible_by_measure_number_lists_and_errors(capsys: pytest.CaptureFixture) -> None:
    assert main(["eligible", "13", "--fact", "ownership=国企"]) == 0
    assert "不符合条件" in capsys.readouterr().out
    assert main(["eligible", "10"]) == 2
    assert "guarantee_fee_subsidy" in capsys.readouterr().err
    assert main(["eligible"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert main(["eligible", "huishang_service_card", "--fact", "nonsense"]) == 2


def test_runs_as_a_module(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "knowledge", "--database", url, "load"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "loaded 1 document(s), 22 measures" in result.stdout
