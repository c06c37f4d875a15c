"""The yardstick of ``make bench``: a bare Rasa bot, as ``rasa init`` makes it, trained and served in
the same run as this assistant, so every figure can be given as a ratio to it on the same machine
at the same moment.

The project is copied from the ``rasa init`` template inside the installed Rasa package (nothing is
downloaded), trained with ``rasa train`` in its own temporary directory (its own empty component
cache) and served by plain ``rasa run``: in-memory tracker store, no action server, none of this
project's hooks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict

from bot.processes import servers
from bot.processes.ports import free_port

MODEL_NAME = "bare"
TRAIN_TIMEOUT_S = 1800


def template_dir() -> Path:
    import rasa.cli

    return Path(rasa.cli.__file__).resolve().parent / "initial_project"


def _env() -> Dict[str, str]:
    return {**os.environ, **servers.QUIET_ENV, "RASA_TELEMETRY_ENABLED": "false"}


def create_project(directory: Path) -> Path:
    """``rasa init``'s project, copied from the installed package into ``directory``."""
    shutil.copytree(template_dir(), directory, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    return directory


def train(directory: Path, log: Path, force: bool = False) -> tuple:
    """Train the bare bot (``force``: every component, none from a cache); (model path, seconds).
    Raises StartupError with the log tail if it fails."""
    started = time.monotonic()
    command = [sys.executable, "-m", "rasa", "train", "--fixed-model-name", MODEL_NAME, "--out", "models"]
    if force:
        command.append("--force")
    with log.open("ab") as output:
        result = subprocess.run(
            command, cwd=directory, env=_env(), stdout=output, stderr=subprocess.STDOUT, timeout=TRAIN_TIMEOUT_S
        )
    model = directory / "models" / f"{MODEL_NAME}.tar.gz"
    if result.returncode != 0 or not model.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise servers.StartupError(f"Training the bare Rasa bot failed (exit {result.returncode}):\n{tail}")
    return model, time.monotonic() - started


def start(directory: Path, model: Path, log_dir: Path) -> tuple:
    """``rasa run`` of the bare bot on a free port; (process, url, seconds to ready)."""
    port = free_port()
    log_path = log_dir / "bare-rasa.log"
    command = [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port)]
    started = time.monotonic()
    popen = subprocess.Popen(
        command, cwd=directory, env=_env(), stdout=log_path.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )
    process = servers.ManagedProcess(name="bare Rasa server", popen=popen, log_path=log_path)
    servers.wait_until_ready(process, servers.rasa_ready_url(port))
    return process, f"http://127.0.0.1:{port}", time.monotonic() - started
