"""Start and stop the action server and the Rasa server as child processes.

Used by ``make run`` / ``make shell`` and by the test fixtures, so the tests start the assistant
exactly the way a user does.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Dict, List, Mapping

from bot.channels import internal_callers
from bot.paths import CREDENTIALS, PROJECT_DIR, VAR_DIR
from bot.processes import child_env
from bot.processes.ports import free_port
from bot.rasa_server import api_token as api_token_env
from bot.stores.endpoints import write_endpoints
from bot.stores.settings import StoreSettings

# A loaded 2-core machine can take minutes to import TensorFlow and load the model.
READY_TIMEOUT_S = float(os.environ.get("READY_TIMEOUT_S", 600))
PROGRESS_EVERY_S = 30
# Rasa and its dependencies print pages of deprecation warnings at start-up that tell a user
# nothing actionable; the children run with them silenced.
QUIET_ENV = {"PYTHONWARNINGS": "ignore::DeprecationWarning", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
TELEGRAM_READY_TIMEOUT_S = 60


class StartupError(RuntimeError):
    pass


@dataclass
class ManagedProcess:
    name: str
    popen: subprocess.Popen
    log_path: Path | None = None
    # Starts the same command again (bot/processes/supervisor.py restarts a child that died).
    restarter: Callable[[], ManagedProcess] | None = None

    def respawn(self) -> ManagedProcess:
        if self.restarter is None:
            raise RuntimeError(f"The {self.name} cannot be restarted")
        return self.restarter()

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
    # What internal callers (Telegram bridge, benchmark, tests) send to speak for any channel's user.
    internal_token: str | None = None

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child before exec: ask Linux to SIGTERM it when its parent dies, even by
    kill -9, so a killed `make run` or test session leaves no server behind."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: children outlive a killed parent, as everywhere else


def _spawn(
    name: str,
    command: List[str],
    log_dir: Path | None,
    env: dict,
    restart_command: List[str] | None = None,
    line_filter: Callable[[str], str] | None = None,
) -> ManagedProcess:
    """Start ``command``; its ``respawn()`` starts ``restart_command`` (default: the same) the same way.
    With ``line_filter``, every line of its output passes through it on the way to the log."""
    log_path: Path | None = None
    output: IO | None = None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{name}.log"
        # Logs hold what users typed (masked, but still conversations): readable by their owner only.
        output = os.fdopen(os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        os.fchmod(output.fileno(), 0o600)
    into = subprocess.PIPE if line_filter else output
    popen = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=into, stderr=subprocess.STDOUT if into else None,
        start_new_session=True,
        # The death signal follows the spawning *thread*: only tie children to the main thread,
        # which lives as long as the process (bot/processes/cluster.py starts replicas from worker threads).
        preexec_fn=_die_with_parent if threading.current_thread() is threading.main_thread() else None,
    )  # fmt: skip
    if line_filter is not None:
        _relay(popen, line_filter, output, name)
    elif output is not None:
        output.close()  # the child holds its own copy
    again = restart_command or command
    return ManagedProcess(
        name=name, popen=popen, log_path=log_path,
        restarter=lambda: _spawn(name, again, log_dir, env, again, line_filter),
    )  # fmt: skip


def _relay(popen: subprocess.Popen, line_filter: Callable[[str], str], output: IO | None, name: str) -> None:
    """Copy the child's output, filtered line by line, to ``output`` (or this process's stderr)."""

    def copy() -> None:
        assert popen.stdout is not None
        target = output or sys.stderr.buffer
        try:
            for raw in popen.stdout:
                target.write(line_filter(raw.decode("utf-8", errors="replace")).encode("utf-8"))
                target.flush()
        finally:
            popen.stdout.close()
            if output is not None:
                output.close()

    threading.Thread(target=copy, daemon=True, name=f"log relay: {name}").start()


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


def child_environment(kind: str, extra_env: Mapping[str, str] | None = None) -> dict:
    """Only the variables a child of this kind reads (bot/processes/child_env.py), plus ``extra_env``."""
    env = child_env.for_child(kind, os.environ, {**QUIET_ENV, **(extra_env or {}), "PYTHONPATH": str(PROJECT_DIR)})
    # No usage data leaves the machine (and no waiting on a network that may not be there).
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    return env


def start_action_server(
    port: int, log_dir: Path | None = None, extra_env: Mapping[str, str] | None = None, name: str = "action server"
) -> ManagedProcess:
    process = spawn_action_server(port, log_dir, extra_env, name)
    wait_until_ready(process, action_health_url(port))
    return process


def action_health_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/health"


def spawn_action_server(
    port: int, log_dir: Path | None = None, extra_env: Mapping[str, str] | None = None, name: str = "action server"
) -> ManagedProcess:
    """The action server, started but not waited for (``start_action_server`` waits)."""
    # bot.action_server is rasa_sdk's server on loopback, with an optional token and bounded bodies.
    command = [sys.executable, "-m", "bot.action_server", "--port", str(port)]
    return _spawn(name, command, log_dir, child_environment("action server", extra_env))


def start_rasa_server(
    model: Path,
    port: int,
    endpoints: Path,
    api_token: str | None = None,
    log_dir: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
    name: str = "Rasa server",
) -> ManagedProcess:
    process = spawn_rasa_server(model, port, endpoints, api_token, log_dir, extra_env, name)
    wait_until_ready(process, rasa_ready_url(port))
    return process


def rasa_ready_url(port: int) -> str:
    # Rasa loads the model before it starts listening, so an answer on / means ready to chat.
    return f"http://127.0.0.1:{port}/"


def spawn_rasa_server(
    model: Path,
    port: int,
    endpoints: Path,
    api_token: str | None = None,
    log_dir: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
    name: str = "Rasa server",
) -> ManagedProcess:
    """The Rasa server, started but not waited for (``start_rasa_server`` waits)."""
    # bot.rasa_server is `rasa run` plus log masking and the reply when the action server is down.
    command = [
        sys.executable, "-m", "bot.rasa_server", "run", "--model", str(model), "--port", str(port),
        # No --cors: Rasa's would answer any origin, with credentials, on every route (the console too);
        # the web chat's own routes answer embedding sites (bot/channels/webchat/cors.py).
        "--endpoints", str(endpoints), "--credentials", str(CREDENTIALS),
    ]  # fmt: skip
    env = child_environment("Rasa server", extra_env)
    if api_token:
        # Through the environment (owner-only /proc/<pid>/environ), not the command line that every
        # local user sees in `ps`: bot.rasa_server hands it to `rasa run --auth-token` in-process.
        command += ["--enable-api"]
        env[api_token_env.ENV] = api_token
    return _spawn(name, command, log_dir, env)


def internal_caller_token() -> str:
    """The environment's INTERNAL_CALLER_TOKEN, or a fresh one for this run (it never has to be typed)."""
    return internal_callers.configured_token() or secrets.token_urlsafe(32)


def redis_env(stores: StoreSettings | None) -> Dict[str, str]:
    """The Redis the lock store uses, for what else the Rasa server shares through it: the web chat's
    socket.io message queue (staff replies across replicas) and WeChat's access token."""
    if stores is None or not stores.redis_url:
        return {}
    env = {"REDIS_URL": stores.redis_url}
    if stores.redis_key_prefix:
        env["REDIS_KEY_PREFIX"] = stores.redis_key_prefix
    return env


def start_stack(
    model: Path,
    rasa_port: int = 5005,
    action_port: int = 5055,
    tracker_sqlite: Path = VAR_DIR / "tracker.db",
    endpoints_path: Path = VAR_DIR / "endpoints.yml",
    api_token: str | None = None,
    log_dir: Path | None = None,
    stores: StoreSettings | None = None,
    extra_env: Mapping[str, str] | None = None,
    internal_token: str | None = None,
) -> Stack:
    """Action server and Rasa server, started together; returns when both answer. ``stores``
    defaults to the environment (DATABASE_URL, REDIS_URL); ``extra_env`` is added to both
    processes' environment (e.g. the knowledge DATABASE_URL).

    The Rasa server needs the action server only when a message arrives, so the two start side by
    side: the action server's imports and search index are ready long before Rasa's model is.
    """
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    internal_token = internal_token or internal_caller_token()
    stack = Stack(rasa_url=f"http://127.0.0.1:{rasa_port}", action_url=action_url, internal_token=internal_token)
    try:
        endpoints = write_endpoints(endpoints_path, action_url, tracker_sqlite, stores)
        action = spawn_action_server(action_port, log_dir, extra_env)
        stack.processes.append(action)
        rasa_env = {**redis_env(stores), **(extra_env or {}), internal_callers.TOKEN_ENV: internal_token}
        rasa = spawn_rasa_server(model, rasa_port, endpoints, api_token, log_dir, rasa_env)
        stack.processes.append(rasa)
        wait_until_ready(action, action_health_url(action_port))
        wait_until_ready(rasa, rasa_ready_url(rasa_port))
    except BaseException:
        stack.stop()
        raise
    return stack


def start_private_stack(
    model: Path,
    workdir: Path,
    api_token: str | None = None,
    stores: StoreSettings | None = None,
    extra_env: Mapping[str, str] | None = None,
    internal_token: str | None = None,
) -> Stack:
    """A stack of its own on free ports, its tracker, endpoints file and logs in ``workdir``: what the
    tests, the evaluation and the benchmark run against."""
    return start_stack(
        model,
        rasa_port=free_port(),
        action_port=free_port(),
        tracker_sqlite=workdir / "tracker.db",
        endpoints_path=workdir / "endpoints.yml",
        api_token=api_token,
        log_dir=workdir,
        stores=stores,
        extra_env=extra_env,
        internal_token=internal_token,
    )


def wait_until_file(process: ManagedProcess, path: Path, timeout: float) -> float:
    """Wait until ``process`` writes ``path`` (its "ready" signal); fail early if it dies."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if path.exists():
            return time.monotonic() - started
        if process.popen.poll() is not None:
            raise StartupError(
                f"The {process.name} exited with code {process.popen.returncode} while starting.\n{process.log_tail()}"
            )
        time.sleep(0.2)
    raise StartupError(f"The {process.name} was not ready within {timeout:.0f} s.\n{process.log_tail()}")


def start_telegram_bridge(
    rasa_url: str,
    log_dir: Path | None = None,
    env: dict | None = None,
    timeout: float = TELEGRAM_READY_TIMEOUT_S,
    internal_token: str | None = None,
) -> ManagedProcess:
    """The Telegram bridge (bot/channels/telegram/bridge.py) forwarding to ``rasa_url``, once it is polling.

    Its settings (TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, webhook mode …) come from ``env``
    (default: this process's environment).
    """
    ready_dir = log_dir or VAR_DIR
    ready_dir.mkdir(parents=True, exist_ok=True)
    ready_file = ready_dir / f"telegram-bridge-{uuid.uuid4().hex[:8]}.ready"
    extra = {"PYTHONPATH": str(PROJECT_DIR), "RASA_URL": rasa_url}
    env = child_environment("telegram", extra) if env is None else dict(env, **extra)
    if internal_token:  # the bridge speaks for telegram:<chat> senders, which only internal callers may
        env[internal_callers.TOKEN_ENV] = internal_token
    command = [sys.executable, "-m", "bot.channels.telegram.bridge"]
    process = _spawn("Telegram bridge", [*command, "--ready-file", str(ready_file)], log_dir, env, command)
    try:
        wait_until_file(process, ready_file, timeout)
    except BaseException:
        process.stop()
        raise
    finally:
        ready_file.unlink(missing_ok=True)
    return process
