"""Start and stop the action server and the Rasa server as child processes.

Used by ``make run`` / ``make shell`` and by the test fixtures, so the tests start the assistant
exactly the way a user does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, List

from bot.endpoints import write_endpoints
from bot.paths import CREDENTIALS, PROJECT_DIR, VAR_DIR

# A loaded 2-core machine can take minutes to import TensorFlow and load the model.
READY_TIMEOUT_S = float(os.environ.get("READY_TIMEOUT_S", 600))
PROGRESS_EVERY_S = 30
# Rasa and its dependencies print pages of deprecation warnings at start-up that tell a user
# nothing actionable; the children run with them silenced.
QUIET_ENV = {"PYTHONWARNINGS": "ignore::DeprecationWarning", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


class StartupError(RuntimeError):
    pass


@dataclass
class ManagedProcess:
    name: str
    popen: subprocess.Popen
    log_path: Path | None = None

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path or not self.log_path.exists():
            return "(output went to the terminal above)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 15) -> None:
        if self.popen.poll() is not None:
            return
        try:
            # Each child leads its own process group: signal the group so nothing it forked survives.
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)
        except ProcessLookupError:
            pass


@dataclass
class Stack:
    rasa_url: str
    action_url: str
    processes: List[ManagedProcess] = field(default_factory=list)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def _spawn(name: str, command: List[str], log_dir: Path | None, env: dict) -> ManagedProcess:
    log_path: Path | None = None
    output: IO | None = None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{name}.log"
        output = open(log_path, "ab")
    popen = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT if output else None,
        start_new_session=True,
    )  # fmt: skip
    return ManagedProcess(name=name, popen=popen, log_path=log_path)


def wait_until_ready(process: ManagedProcess, url: str, timeout: float = READY_TIMEOUT_S) -> float:
    """Poll ``url`` until it answers 200; fail early if the process dies. Returns seconds waited.

    The process is stopped if it does not become ready, so a failed start leaves nothing behind.
    """
    try:
        return _poll_ready(process, url, timeout)
    except BaseException:
        process.stop()
        raise


def _poll_ready(process: ManagedProcess, url: str, timeout: float) -> float:
    started = time.monotonic()
    next_progress = PROGRESS_EVERY_S
    while time.monotonic() - started < timeout:
        waited = time.monotonic() - started
        if waited >= next_progress:
            print(f"      … still waiting for the {process.name} ({waited:.0f} s)", flush=True)
            next_progress += PROGRESS_EVERY_S
        if process.popen.poll() is not None:
            raise StartupError(
                f"The {process.name} exited with code {process.popen.returncode} while starting.\n{process.log_tail()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise StartupError(
        f"The {process.name} did not answer {url} within {timeout:.0f} s. "
        f"If the machine is busy, retry with a longer READY_TIMEOUT_S.\n{process.log_tail()}"
    )


def start_action_server(port: int, log_dir: Path | None = None) -> ManagedProcess:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR), **QUIET_ENV)
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    process = _spawn("action server", command, log_dir, env)
    wait_until_ready(process, f"http://127.0.0.1:{port}/health")
    return process


def start_rasa_server(
    model: Path,
    port: int,
    endpoints: Path,
    api_token: str | None = None,
    log_dir: Path | None = None,
) -> ManagedProcess:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR), **QUIET_ENV)
    command = [
        sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port),
        "--endpoints", str(endpoints), "--credentials", str(CREDENTIALS), "--cors", "*",
    ]  # fmt: skip
    if api_token:
        command += ["--enable-api", "--auth-token", api_token]
    process = _spawn("Rasa server", command, log_dir, env)
    # Rasa loads the model before it starts listening, so an answer on / means ready to chat.
    wait_until_ready(process, f"http://127.0.0.1:{port}/")
    return process


def start_stack(
    model: Path,
    rasa_port: int = 5005,
    action_port: int = 5055,
    tracker_sqlite: Path = VAR_DIR / "tracker.db",
    endpoints_path: Path = VAR_DIR / "endpoints.yml",
    api_token: str | None = None,
    log_dir: Path | None = None,
) -> Stack:
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    stack = Stack(rasa_url=f"http://127.0.0.1:{rasa_port}", action_url=action_url)
    try:
        stack.processes.append(start_action_server(action_port, log_dir))
        endpoints = write_endpoints(endpoints_path, action_url, tracker_sqlite)
        stack.processes.append(start_rasa_server(model, rasa_port, endpoints, api_token, log_dir))
    except BaseException:
        stack.stop()
        raise
    return stack
