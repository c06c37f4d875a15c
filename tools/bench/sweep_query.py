"""`python -m tools.bench.sweep_query [N]`: how long the hand-off wait sweep's store query
(bot/hotline/wait_sweep.py) takes on a SQLite tracker store of N conversations (default 100,000;
10 events each, 2 % handed over and back, 0.1 % still waiting), without and with its index.
A benchmark to run and report (docs/HOTLINE.md), not a test."""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, List, Tuple

import sqlalchemy as sa

from bot.hotline.wait_sweep import ensure_index, waiting_too_long

EVENTS_TABLE = (
    "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL, "
    "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
)  # Rasa's SQLTrackerStore table, with its index on sender_id
TURNS = ("action", "user", "action", "bot", "bot", "action", "user", "action", "bot", "bot")


class _Store:
    """What the sweep reads of a SQL tracker store: its engine."""

    def __init__(self, path: Path) -> None:
        self.engine = sa.create_engine(f"sqlite:///{path}")

    def session_scope(self) -> Any:  # present on Rasa's SQLTrackerStore; the sweep only checks for it
        raise NotImplementedError


def build(path: Path, conversations: int, now: float) -> Tuple[int, int]:
    rows: List[Tuple[str, str, float, str]] = []
    waiting = 0
    for i in range(conversations):
        sender, start = f"user-{i:06d}", now - random.uniform(600, 30 * 86400)
        for k, kind in enumerate(TURNS):
            rows.append((sender, kind, start + k, json.dumps({"event": kind, "timestamp": start + k, "text": "技改"})))
        draw = random.random()
        if draw < 0.02:
            rows += [
                (sender, "pause", start + 20, '{"event": "pause"}'),
                (sender, "resume", start + 60, '{"event": "resume"}'),
            ]
        elif draw < 0.021:
            rows.append((sender, "pause", start + 20, '{"event": "pause"}'))
            waiting += 1
    connection = sqlite3.connect(path)
    connection.execute(EVENTS_TABLE)
    connection.execute("CREATE INDEX ix_events_sender_id ON events (sender_id)")
    connection.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()
    return len(rows), waiting


def median_ms(store: _Store, cutoff: float, expected: int) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        found = waiting_too_long(store, cutoff)
        times.append(time.perf_counter() - started)
        assert len(found) == expected, (len(found), expected)
    return sorted(times)[2] * 1000


def main(argv: List[str]) -> int:
    conversations = int(argv[0]) if argv else 100_000
    now = time.time()
    path = Path(tempfile.mkdtemp()) / "tracker.db"
    events, waiting = build(path, conversations, now)
    store = _Store(path)
    print(f"{conversations} conversations, {events} events, {waiting} waiting for staff")
    print(f"  sweep query without its index: median {median_ms(store, now - 300, waiting):.0f} ms")
    started = time.perf_counter()
    ensure_index(store)
    print(f"  index created in {time.perf_counter() - started:.1f} s")
    print(f"  sweep query with its index: median {median_ms(store, now - 300, waiting):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
