"""Training runs reproducibly: the environment every training subprocess gets (no training here)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from bot.training import model


def test_a_training_gets_deterministic_ops_and_a_fixed_hash_seed(monkeypatch, tmp_path: Path) -> None:
    target = tmp_path / "wanqi-test.tar.gz"
    seen = {}

    def fake_run(command, cwd=None, env=None, **kwargs):
        seen["command"], seen["env"] = command, env
        target.write_bytes(b"model")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(model, "fingerprint", lambda: "test")
    monkeypatch.setattr(model, "PROJECT_DIR", tmp_path)
    monkeypatch.setattr(model, "model_path_for", lambda fp: target)
    monkeypatch.setattr(model, "_prune_old_models", lambda keep: None)
    monkeypatch.setattr(model.subprocess, "run", fake_run)
    monkeypatch.setenv("WANQI_SOMETHING_ELSE", "kept")
    assert model.ensure_model(log=lambda message: None) == target
    assert seen["command"][1:4] == ["-m", "rasa", "train"]
    assert seen["env"]["TF_DETERMINISTIC_OPS"] == "1"
    assert seen["env"]["PYTHONHASHSEED"] == "0"
    # The rest is what a training reads (bot/processes/child_env.py), not whatever the shell holds.
    assert seen["env"]["PATH"] == os.environ["PATH"] and "WANQI_SOMETHING_ELSE" not in seen["env"]


def test_the_training_environment_is_part_of_the_fingerprint(monkeypatch) -> None:
    before = model.fingerprint()
    monkeypatch.setattr(model, "TRAINING_ENV", {**model.TRAINING_ENV, "PYTHONHASHSEED": "1"})
    assert model.fingerprint() != before
