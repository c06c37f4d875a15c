"""Every exit path of a process that started others stops all of them, orphans included (issue 17)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.paths import PROJECT_DIR

# A parent like `python -m bot run`: it starts a step (like `rasa train`) whose own child outlives
# it (forks, then the step exits), then is interrupted by Ctrl-C.
PARENT = """
import os, subprocess, sys, time
from pathlib import Path
from bot.processes import descendants
from bot.processes.supervisor import stop_on_signals
stop_on_signals()  # as `python -m bot run` does: Ctrl-C raises KeyboardInterrupt, orphans come here
try:
    orphan_maker = (
        "import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']); "
        "open(sys.argv[1], 'w').write(str(p.pid))"
    )
    subprocess.run([sys.executable, "-c", orphan_maker, sys.argv[1]], check=True)
    Path(sys.argv[2]).write_text("ready")
    time.sleep(300)
except KeyboardInterrupt:
    pass
finally:
    descendants.stop_all(timeout_s=5)
"""


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "State:\tZ" not in status.read_text()
    except OSError:
        return False


def _signal_state(pid: int) -> str:
    """The signal lines of /proc/<pid>/status (blocked, ignored, caught masks), for a failure message."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError as error:
        return repr(error)
    return "; ".join(line for line in lines if line.startswith(("SigBlk", "SigIgn", "SigCgt", "State")))


def test_ctrl_c_stops_an_orphan_a_finished_step_left_behind(tmp_path: Path) -> None:
    orphan_file, ready_file = tmp_path / "orphan.pid", tmp_path / "ready"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(orphan_file), str(ready_file)], cwd=PROJECT_DIR,
        env=dict(os.environ, PYTHONPATH=str(PROJECT_DIR)),
    )  # fmt: skip
    orphan = None
    try:
        deadline = time.monotonic() + 60
        while not ready_file.exists():
            assert parent.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        orphan = int(orphan_file.read_text())
        assert alive(orphan)
        parent.send_signal(signal.SIGINT)
        try:
            assert parent.wait(timeout=60) == 0
        except subprocess.TimeoutExpired:
            raise AssertionError(f"Ctrl-C did not stop the parent: {_signal_state(parent.pid)}") from None
        deadline = time.monotonic() + 10
        while alive(orphan) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(orphan), "the orphan of a finished step outlived make run"
    finally:
        if parent.poll() is None:
            parent.kill()
        if orphan and alive(orphan):
            os.kill(orphan, signal.SIGKILL)
