"""Starting and stopping processes leaves nothing behind: failed starts and Ctrl-C alike."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.paths import PROJECT_DIR
from bot.processes.ports import free_port
from bot.processes.servers import ManagedProcess, StartupError, _spawn, wait_until_ready


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
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--port" in args and str(port).encode() in args and alive(int(cmdline.parent.name)):
            found.append(b" ".join(args).decode(errors="replace"))
    return found


@pytest.mark.server
def test_ctrl_c_on_make_run_stops_every_process(trained_model: Path, tmp_path: Path) -> None:
    """`python -m bot run` (what `make run` runs) answers, then Ctrl-C leaves no process behind."""
    rasa_port, action_port = free_port(), free_port()
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port))
    log = (tmp_path / "run.log").open("wb")
    run = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 600
        while "is ready" not in (tmp_path / "run.log").read_text(errors="replace"):
            assert run.poll() is None, (tmp_path / "run.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "make run did not become ready"
            time.sleep(1)
        output = (tmp_path / "run.log").read_text()
        assert "no training needed" in output  # the session's model is reused, not retrained
        assert f"http://localhost:{rasa_port}/webhooks/rest/webhook" in output
        children = processes_on_port(rasa_port) + processes_on_port(action_port)
        assert len(children) == 2, children

        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        # Generous: on a loaded 2-core machine the Rasa server alone can take a minute to stop.
        assert run.wait(timeout=300) == 0
        time.sleep(1)
        assert processes_on_port(rasa_port) == [] and processes_on_port(action_port) == []
        assert "Stopped." in (tmp_path / "run.log").read_text()
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)


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
