"""``make lint``'s type check fails on a new mypy error and only on a new one (tools/typecheck.py)."""

from __future__ import annotations

import pytest

from tools import typecheck

KNOWN = "knowledge/search.py: Incompatible types in assignment  [assignment]"
NEW = 'actions/messages.py: Argument 1 to "f" has incompatible type "int"; expected "str"  [arg-type]'


@pytest.fixture
def baseline(tmp_path, monkeypatch):
    path = tmp_path / "baseline.txt"
    path.write_text(f"# comment\n{KNOWN}\n", encoding="utf-8")
    monkeypatch.setattr(typecheck, "BASELINE", path)
    monkeypatch.setattr(typecheck, "PROJECT_DIR", tmp_path)
    return path


def test_known_errors_pass_and_a_new_one_fails(baseline, monkeypatch, capsys) -> None:
    monkeypatch.setattr(typecheck, "current_errors", lambda: [KNOWN])
    assert typecheck.main() == 0
    monkeypatch.setattr(typecheck, "current_errors", lambda: [KNOWN, NEW])
    assert typecheck.main() == 1
    assert NEW in capsys.readouterr().out


def test_a_second_copy_of_a_known_error_is_new(baseline, monkeypatch) -> None:
    monkeypatch.setattr(typecheck, "current_errors", lambda: [KNOWN, KNOWN])
    assert typecheck.main() == 1


def test_a_fixed_error_is_reported_for_deletion(baseline, monkeypatch, capsys) -> None:
    monkeypatch.setattr(typecheck, "current_errors", lambda: [])
    assert typecheck.main() == 0
    assert "fixed (delete it from" in capsys.readouterr().out


def test_the_repository_has_no_new_type_errors() -> None:
    assert typecheck.main() == 0
