"""A child that dies is started again after a back-off that grows while it keeps dying (issue 17);
cheap processes stand in for the servers (tests/test_process_lifecycle.py does it with make run)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import List

from bot.processes.servers import _spawn
from bot.processes.supervisor import Supervisor


def test_a_dying_child_is_restarted_with_growing_back_off_and_the_others_keep_running(tmp_path: Path) -> None:
    env = dict(os.environ)
    crasher = _spawn("crasher", [sys.executable, "-c", "raise SystemExit(3)"], tmp_path, env)
    steady = _spawn("steady", [sys.executable, "-c", "import time; time.sleep(120)"], tmp_path, env)
    processes = [crasher, steady]
    lines: List[str] = []
    supervisor = Supervisor(processes, first_backoff_s=0.2, max_backoff_s=0.8, log=lines.append)
    steady_pid = steady.popen.pid
    try:
        deadline = time.monotonic() + 60  # generous: only catches a supervisor that never restarts
        supervisor.run(until=lambda: supervisor.restarts("crasher") >= 4 or time.monotonic() > deadline)
        assert supervisor.restarts("crasher") >= 4
        assert processes[1].popen.pid == steady_pid and processes[1].popen.poll() is None  # untouched
        delays = [line.split("restarting it in ")[1] for line in lines if "restarting it in" in line]
        # 0.2, 0.4, 0.8, 0.8 … shown rounded to whole seconds; the doubling is in the numbers below.
        assert len(delays) >= 4
        assert processes[0] is not crasher  # the list was updated in place: stop() stops the current one
    finally:
        for process in processes:
            process.stop()
    assert "The crasher stopped (exit 3)" in lines[0]


def test_back_off_doubles_up_to_its_limit(tmp_path: Path) -> None:
    crasher = _spawn("crasher", [sys.executable, "-c", "raise SystemExit(1)"], tmp_path, dict(os.environ))
    supervisor = Supervisor([crasher], first_backoff_s=1, max_backoff_s=4, log=lambda _: None)
    seen = []
    deadline = time.monotonic() + 60
    while len(seen) < 4 and time.monotonic() < deadline:
        supervisor.check()
        state = supervisor._restarts["crasher"]
        if state.due_at is not None and (not seen or seen[-1][0] != state.count):
            seen.append((state.count, round(state.due_at - time.monotonic())))
            state.due_at = time.monotonic()  # do not actually wait in a test
        time.sleep(0.05)
    assert [delay for _, delay in seen] == [1, 2, 4, 4]
    supervisor.processes[0].stop()
