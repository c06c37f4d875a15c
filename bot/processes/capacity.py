"""How many Rasa replicas this machine can serve with: one per core, as many as the memory holds.

A Rasa server handles its turns in one event loop, so it uses one core; the way to use the others is
more replicas (make run-cluster), each with its own model in memory (about 1.3 GB with its action
server, docs/benchmarks.md). ``make run``'s single server says so in its banner.
"""

from __future__ import annotations

import os
from pathlib import Path

# Peak RSS of one Rasa server + its action server on the current model, rounded up.
MB_PER_REPLICA = 1400


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def available_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def default_replicas() -> int:
    """One replica per core, fewer if the free memory cannot hold them (at least one)."""
    memory = available_mb()
    by_memory = memory // MB_PER_REPLICA if memory else cores()
    return max(1, min(cores(), by_memory))


def scale_out_hint() -> str | None:
    """One line for make run's banner when the machine has cores the single server leaves idle."""
    count = cores()
    if count < 2:
        return None
    return (
        f"Cores:    this server uses 1 of {count}; to use all of them run `make run-cluster` "
        f"({default_replicas()} replicas behind nginx, PostgreSQL + Redis)"
    )
