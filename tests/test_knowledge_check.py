"""`python -m knowledge check`: the real data passes; each kind of mistake is caught and named."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
import yaml

from knowledge.check import check
from knowledge.paths import POLICIES_DIR

MEASURES = "wanjingxin_2021/measures"


def test_the_policy_data_passes() -> None:
    report = check()
    assert report.ok, report.summary()
    assert (report.documents, report.measures, report.rules) == (1, 22, 3)
    assert report.aliases > 100 and report.signals > 20
    assert report.summary().startswith("check: OK")


def _edit(folder: Path, name: str, change: Callable[[dict], None]) -> None:
    path = next((folder / MEASURES).glob(f"{name}*.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(POLICIES_DIR, tmp_path / "policies")
    return tmp_path / "policies"


def _problems(folder: Path) -> str:
    report = check(folder)
    assert not report.ok
    return "\n".join(report.problems)


def test_copied_data_passes(copy: Path) -> None:
    assert check(copy).ok


def test_a_changed_text_is_caught(copy: Path) -> None:
    _edit(copy, "13_", lambda m: m.update(text=m["text"].replace("购房", "买房")))
    assert "'text' differs from 第13条" in _problems(copy)


def test_an_alias_naming_two_measures_is_caught(copy: Path) -> None:
    _edit(copy, "14_", lambda m: m["programmes"][0]["aliases"].append("技改"))
    assert "alias '技改' names both 第6条 and 第14条" in _problems(copy)


def test_an_invented_amount_is_caught(copy: Path) -> None:
    _edit(copy, "06_", lambda m: m.update(amounts=["设备补助最高500万元"]))
    assert "'amounts' states 500" in _problems(copy)


def test_an_invented_phone_number_or_url_is_caught(copy: Path) -> None:
    _edit(copy, "13_", lambda m: m["contacts"].append("咨询电话 0551-12345678，https://example.cn"))
    problems = _problems(copy)
    assert "contains a URL" in problems and "states 0551" in problems


def test_an_unknown_period_and_field_and_kind_are_caught(copy: Path) -> None:
    def change(m: dict) -> None:
        m["targets"].append({"text": "x", "period": "someday"})
        m["benefitz"] = ["typo"]
        m["kind"] = "magic"

    _edit(copy, "07_", change)
    problems = _problems(copy)
    assert "target period 'someday'" in problems
    assert "unknown field 'benefitz'" in problems
    assert "kind 'magic'" in problems


def test_a_missing_field_and_a_bad_rule_reference_are_caught(copy: Path) -> None:
    def change(m: dict) -> None:
        del m["summary"]
        m["eligibility_rules"] = ["huishang_service_card"]

    _edit(copy, "10_", change)
    problems = _problems(copy)
    assert "missing 'summary'" in problems
    assert "rule huishang_service_card belongs to 第13条" in problems
