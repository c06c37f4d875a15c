"""Starting and stopping processes leaves nothing behind: failed starts and Ctrl-C alike."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from bot.paths import PROJECT_DIR
from bot.processes.ports import free_port
from bot.processes.servers import ManagedProcess, StartupError, _spawn, wait_until_ready
from bot.rasa_server.action_failure import unavailable_text
from tools.assistant_client import AssistantClient


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone for every practical purpose.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_a_process_that_never_gets_ready_is_stopped(tmp_path: Path) -> None:
    process = _spawn("sleeper", [sys.executable, "-c", "import time; time.sleep(120)"], tmp_path, dict(os.environ))
    with pytest.raises(StartupError, match="did not answer"):
        wait_until_ready(process, f"http://127.0.0.1:{free_port()}/", timeout=2)
    process.popen.wait(timeout=10)
    assert not alive(process.popen.pid)


def test_a_process_that_dies_while_starting_reports_its_output(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "print('port already in use'); raise SystemExit(3)"]
    process: ManagedProcess = _spawn("crasher", command, tmp_path, dict(os.environ))
    with pytest.raises(StartupError, match="exited with code 3") as error:
        wait_until_ready(process, f"http://127.0.0.1:{free_port()}/", timeout=30)
    assert "port already in use" in str(error.value)


def processes_on_port(port: int) -> list:
    """Command lines of the live processes started with ``--port <port>``."""
    return [cmdline for _, cmdline in pids_on_port(port)]


def pids_on_port(port: int) -> list:
    """(pid, command line) of the live processes started with ``--port <port>``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        pid = int(cmdline.parent.name)
        ports = [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == b"--port"]
        if str(port).encode() in ports and alive(pid):
            found.append((pid, b" ".join(args).decode(errors="replace")))
    return found


def kill_9_on_port(port: int) -> None:
    [(pid, _)] = pids_on_port(port)
    os.killpg(pid, signal.SIGKILL)  # each child leads its process group


def wait_for(condition, timeout_s: float, what: str, every_s: float = 1.0):
    """Poll ``condition`` until it returns something truthy; the bound only catches hangs."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            result = condition()
        except Exception:  # noqa: BLE001 - e.g. connection refused while a server restarts
            result = None
        if result:
            return result
        assert time.monotonic() < deadline, f"{what} (waited {timeout_s:.0f} s)"
        time.sleep(every_s)


@dataclass
class MakeRun:
    popen: subprocess.Popen
    log: Path
    rasa_port: int
    action_port: int

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def make_run(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeRun]:
    """`python -m bot run` (what `make run` runs) on free ports, once it says it is ready."""
    rasa_port, action_port = free_port(), free_port()
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port))
    log = tmp_path_factory.mktemp("make-run") / "run.log"
    with log.open("wb") as output:
        popen = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    run = MakeRun(popen, log, rasa_port, action_port)
    try:
        wait_for(
            lambda: "is ready" in run.output() or popen.poll() is not None, 600, "make run did not become ready"
        )  # fmt: skip
        assert popen.poll() is None, run.output()[-3000:]
        yield run
    finally:
        if popen.poll() is None:
            os.killpg(popen.pid, signal.SIGKILL)


@pytest.mark.server
def test_make_run_restarts_a_dead_child_and_keeps_answering(make_run: MakeRun) -> None:
    """kill -9 of the action server, then of the Rasa server: make run goes on, restarts each, answers."""
    client = AssistantClient(f"http://127.0.0.1:{make_run.rasa_port}")
    sender = client.new_sender()
    assert "第13条" in client.ask(sender, "徽商服务卡有什么用").text

    kill_9_on_port(make_run.action_port)
    # The Rasa server keeps answering (the apology) while its action server is restarted …
    assert client.ask(sender, "徽商服务卡有什么用", timeout=120).text == unavailable_text()
    assert make_run.popen.poll() is None, make_run.output()[-3000:]
    # … and answers from the policy again once it is back.
    wait_for(lambda: "第13条" in client.ask(sender, "徽商服务卡有什么用", timeout=120).text, 300, "no answer again")
    assert "The action server stopped" in make_run.output() and "The action server was restarted" in make_run.output()

    kill_9_on_port(make_run.rasa_port)
    wait_for(lambda: "第13条" in client.ask(sender, "那谁能办？", timeout=120).text, 600, "Rasa server not back")
    assert make_run.popen.poll() is None
    assert "The Rasa server was restarted" in make_run.output()
    assert len(processes_on_port(make_run.rasa_port) + processes_on_port(make_run.action_port)) == 2


@pytest.mark.server
def test_ctrl_c_on_make_run_stops_every_process(make_run: MakeRun) -> None:
    """Ctrl-C leaves no process behind (also after restarts: the test above runs first)."""
    output = make_run.output()
    assert "no training needed" in output  # the session's model is reused, not retrained
    assert f"http://localhost:{make_run.rasa_port}/webhooks/rest/webhook" in output
    children = processes_on_port(make_run.rasa_port) + processes_on_port(make_run.action_port)
    assert len(children) == 2, children

    os.killpg(make_run.popen.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    # Generous: on a loaded 2-core machine the Rasa server alone can take a minute to stop.
    assert make_run.popen.wait(timeout=300) == 0
    wait_for(
        lambda: processes_on_port(make_run.rasa_port) == [] and processes_on_port(make_run.action_port) == [],
        30, "a child outlived make run",
    )  # fmt: skip
    assert "Stopped." in make_run.output()


def test_servers_die_with_a_parent_killed_by_sigkill(tmp_path: Path) -> None:
    """kill -9 of the process that started a server (make run, a test session) leaves no orphan."""
    code = (
        "import sys, time, os\n"
        "from pathlib import Path\n"
        "from bot.processes.servers import _spawn\n"
        "child = _spawn('sleeper', [sys.executable, '-c', 'import time; time.sleep(120)'], None, dict(os.environ))\n"
        f"Path({str(tmp_path / 'child.pid')!r}).write_text(str(child.popen.pid))\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_DIR)
    pid_file = tmp_path / "child.pid"
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline and parent.poll() is None
        time.sleep(0.2)
    child_pid = int(pid_file.read_text())
    assert alive(child_pid)
    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while alive(child_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(child_pid)
