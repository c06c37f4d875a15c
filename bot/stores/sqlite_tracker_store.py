"""Rasa's SQL tracker store on SQLite, tuned for one server under load (the default `make run`).

Rasa's ``SQLTrackerStore`` runs its database calls inside the server's event loop. On SQLite it
opens a new connection for every call (SQLAlchemy 1.4 uses no pool for SQLite files) and commits
each turn in the default rollback-journal mode, which syncs the disk several times per commit.
Profiling ``make bench`` (docs/benchmarks.md) showed the commit alone taking ~17 % of the busy
Rasa server's time, during which no other user's message was processed.

This store is that same class, same table and same queries, with:

- ``journal_mode=WAL``: a commit appends to the write-ahead log instead of rewriting pages, and
  readers (e.g. the benchmark counting events) do not block the writer;
- ``synchronous=NORMAL``: in WAL mode the log is synced at checkpoints, not at every commit. A
  crash of the server loses nothing; a power cut or OS crash can lose the last committed turns
  (SQLite's documented trade-off). Set ``SQLITE_SYNCHRONOUS=FULL`` to sync every commit;
- one pooled connection kept open instead of a new one per call;
- the bounded view of bot/stores/bounded_tracker_store.py: a turn reads a checkpoint and the last
  few turns, not the whole conversation;
- the database files readable by their owner only (conversations are personal data).

bot/stores/settings.py selects it for the default SQLite tracker
(``type: bot.stores.sqlite_tracker_store.SQLiteTrackerStore``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.pool import QueuePool

from bot.stores.bounded_tracker_store import BoundedTrackerStoreMixin

SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")
DEFAULT_SYNCHRONOUS = "NORMAL"


def synchronous_mode() -> str:
    mode = os.environ.get("SQLITE_SYNCHRONOUS", DEFAULT_SYNCHRONOUS).strip().upper()
    return mode if mode in SYNCHRONOUS_MODES else DEFAULT_SYNCHRONOUS


def owner_only(db: str) -> None:
    """Create the database file readable by its owner only (or tighten one an older version left
    world-readable). SQLite gives its -wal and -shm files the database file's permissions."""
    path = Path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if name.exists():
            name.chmod(0o600)


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous_mode()}")
        # Another process (a test, the benchmark) reading or writing: wait instead of failing at once.
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


class SQLiteTrackerStore(BoundedTrackerStoreMixin, SQLTrackerStore):
    """``SQLTrackerStore(dialect="sqlite", db=…)`` with WAL, a pooled connection, fewer disk syncs and
    the bounded view."""

    def __init__(self, domain: Any = None, db: str = "rasa.db", event_broker: Any = None, **kwargs: Any) -> None:
        owner_only(db)
        kwargs.pop("dialect", None)
        kwargs.pop("host", None)
        super().__init__(domain=domain, dialect="sqlite", db=db, event_broker=event_broker, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        # The event loop thread makes the calls; check_same_thread off lets the pool hand the
        # connection to whichever thread asks (SQLAlchemy 2.0's default for SQLite files).
        self.engine = sa.create_engine(
            url, poolclass=QueuePool, pool_size=1, max_overflow=4, connect_args={"check_same_thread": False}
        )
        sa.event.listen(self.engine, "connect", _set_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._create_side_tables()
