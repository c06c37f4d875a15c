"""Keep every child of make run / make run-cluster running: a child that dies is started again,
after a back-off that grows while it keeps dying (issue 17).

Before, the first child to exit stopped all the others: one request that killed the action server
took the whole service down. Now the Rasa server keeps answering while its action server is
restarted (it says "暂时无法查询…" meanwhile: bot/rasa_server/action_failure.py), and behind nginx the
other replicas answer while one Rasa server is restarted. Restarts happen on the calling (main)
thread, so every restarted child is tied to this process's life again (servers._die_with_parent).
"""

from __future__ import annotations

import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Protocol

from bot.processes import descendants
from bot.processes.servers import ManagedProcess, StartupError

FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 60.0
# A child that ran this long before dying is restarted after the first back-off again.
STABLE_AFTER_S = 120.0
POLL_S = 0.5


@dataclass
class _Restarts:
    backoff_s: float = FIRST_BACKOFF_S
    started_at: float = field(default_factory=time.monotonic)
    due_at: float | None = None
    count: int = 0


class Supervisor:
    """Watches ``processes`` (a list it updates in place, so whoever stops them stops the current ones)."""

    def __init__(
        self,
        processes: List[ManagedProcess],
        first_backoff_s: float = FIRST_BACKOFF_S,
        max_backoff_s: float = MAX_BACKOFF_S,
        stable_after_s: float = STABLE_AFTER_S,
        log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
    ) -> None:
        self.processes = processes
        self.first_backoff_s = first_backoff_s
        self.max_backoff_s = max_backoff_s
        self.stable_after_s = stable_after_s
        self.log = log
        self._restarts: Dict[str, _Restarts] = {p.name: _Restarts(first_backoff_s) for p in processes}

    def restarts(self, name: str) -> int:
        return self._restarts[name].count

    def check(self) -> None:
        """One round: schedule a restart for each child found dead, restart those that are due."""
        now = time.monotonic()
        for index, process in enumerate(self.processes):
            state = self._restarts.setdefault(process.name, _Restarts(self.first_backoff_s))
            if process.popen.poll() is None:
                continue
            if state.due_at is None:
                if now - state.started_at >= self.stable_after_s:
                    state.backoff_s = self.first_backoff_s
                state.due_at = now + state.backoff_s
                self.log(
                    f"The {process.name} stopped (exit {process.popen.returncode}); "
                    f"restarting it in {state.backoff_s:.0f} s."
                )
                state.backoff_s = min(state.backoff_s * 2, self.max_backoff_s)
            elif now >= state.due_at:
                self.processes[index] = process.respawn()
                state.due_at, state.started_at = None, time.monotonic()
                state.count += 1
                self.log(f"The {process.name} was restarted (pid {self.processes[index].popen.pid}).")

    def run(self, until: Callable[[], bool] = lambda: False) -> int:
        """Supervise until ``until()`` is true (make run: until Ctrl-C / SIGTERM raise KeyboardInterrupt)."""
        while not until():
            self.check()
            time.sleep(POLL_S)
        return 0


class Started(Protocol):
    """What a start returns: the children to supervise, and how to stop them all."""

    processes: List[ManagedProcess]

    def stop(self) -> None: ...


def raise_keyboard_interrupt(signum: int, frame: Any) -> None:  # noqa: ARG001 - signal handler signature
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """SIGTERM and Ctrl-C end the run as KeyboardInterrupt (Ctrl-C also from a shell that ignores
    SIGINT, e.g. `make run &`); whatever a step leaves behind (a training's helper process …) is
    re-parented here, so that ``run_until_stopped`` stops it too."""
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    descendants.adopt_orphans()


def run_until_stopped(start: Callable[[], Started]) -> int:
    """``start()``, then keep its children running (restarted with back-off when one dies) until
    Ctrl-C or SIGTERM. Every exit path (a failed start, Ctrl-C during a step, the end) stops every child."""
    started: Started | None = None
    try:
        started = start()
        return Supervisor(started.processes).run()
    except StartupError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        if started is not None:
            started.stop()
        descendants.stop_all()
        print("Stopped.", flush=True)
