"""`rasa test core --fail-on-prediction-errors` on the eligibility test stories (tests/stories/).

The stories carry user texts, so the trained model classifies them too: a wrong intent or a
wrong next action fails the test. Needs the session's trained model, not the servers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
STORIES = PROJECT_DIR / "tests" / "stories"

pytestmark = pytest.mark.server


def test_eligibility_test_stories_pass(trained_model: Path, tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "rasa", "test", "core",
        "--model", str(trained_model), "--stories", str(STORIES),
        "--fail-on-prediction-errors", "--out", str(tmp_path), "--no-plot",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=900)
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8") if result.returncode else ""
    assert result.returncode == 0, failed or (result.stdout[-3000:] + result.stderr[-3000:])
