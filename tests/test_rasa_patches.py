"""The patches of Rasa internals (bot/rasa_server/) are guarded: every patched target still exists with
the parameters its patch expects, and the server refuses another Rasa version with what to re-check."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.paths import PROJECT_DIR
from bot.rasa_server import (
    action_failure,
    action_validation,
    event_types,
    hotline_stamp,
    input_guard,
    log_masking,
    model_loading,
    recent_tracker,
)
from bot.rasa_server.patched_targets import (
    PATCHED_TARGETS,
    RASA_VERSION,
    UnsupportedRasaVersion,
    check_rasa_version,
)


def test_the_installed_rasa_is_the_one_the_patches_were_written_for() -> None:
    import rasa

    assert rasa.__version__ == RASA_VERSION
    check_rasa_version()  # does not raise


@pytest.mark.parametrize("target", PATCHED_TARGETS, ids=lambda t: f"{t.module}.{t.qualname}")
def test_every_patched_target_exists_with_the_parameters_its_patch_expects(target) -> None:
    assert target.actual_parameters() == target.parameters


def test_every_patch_module_names_its_targets() -> None:
    patches = {action_failure, action_validation, event_types, hotline_stamp, input_guard, model_loading}
    patches |= {recent_tracker}
    named = {t.patch for t in PATCHED_TARGETS}
    assert {m.__name__ for m in patches} <= named
    assert log_masking.__name__ not in named  # it uses logging's public record factory, no Rasa internals


def test_another_rasa_version_is_refused_with_what_to_recheck() -> None:
    with pytest.raises(UnsupportedRasaVersion) as refused:
        check_rasa_version("3.7.0")
    message = str(refused.value)
    assert "3.7.0" in message and RASA_VERSION in message
    for target in PATCHED_TARGETS:
        assert f"{target.module}.{target.qualname}" in message


def test_the_server_entry_point_refuses_before_installing_any_patch() -> None:
    script = (
        "import rasa, sys\n"
        "rasa.__version__ = '3.7.0'\n"
        "from bot.rasa_server.__main__ import main\n"
        "sys.argv = ['rasa', 'run']\n"
        "main()\n"
    )
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "written for Rasa 3.6.21" in result.stderr
