"""Every process this one started, however deep, is stopped when it stops (issue 17).

A child that forks and exits leaves an orphan that Linux hands to init: nobody stops it, and it can
hold a port or the CPU long after ``make run`` ended (seen after a first run that installed and
trained: a process of its group ran for more than 30 s after Ctrl-C). ``adopt_orphans`` makes
this process the "child subreaper" of everything it starts, so such orphans are re-parented here
instead of to init, and ``stop_all`` (run on every exit path of make run / make run-cluster)
terminates every descendant, then kills what did not stop.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
from pathlib import Path
from typing import Dict, List

_PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> bool:
    """Become the subreaper of this process's descendants (Linux); False where unsupported."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _parents() -> Dict[int, int]:
    parents: Dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":  # a zombie is already gone; its parent reaps it
            parents[int(stat.parent.name)] = int(fields[1])
    return parents


def descendants(pid: int | None = None) -> List[int]:
    """The live descendants of ``pid`` (default: this process), children first."""
    root = os.getpid() if pid is None else pid
    parents = _parents()
    found: List[int] = []
    frontier = [root]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found.extend(children)
        frontier = children
    return found


def _signal_all(pids: List[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def _reap() -> None:
    """Collect exited children (ours and adopted orphans) so they do not linger as zombies."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def stop_all(timeout_s: float = 15) -> List[int]:
    """SIGTERM every descendant, SIGKILL those alive after ``timeout_s``; returns the pids killed."""
    pids = descendants()
    if not pids:
        return []
    _signal_all(pids, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _reap()
        if not descendants():
            return []
        time.sleep(0.2)
    stubborn = descendants()
    _signal_all(stubborn, signal.SIGKILL)
    time.sleep(0.2)
    _reap()
    return stubborn
