"""How long conversations are kept: ``CONVERSATION_RETENTION_DAYS``, and the purge that applies it.

``python -m bot purge`` (make purge; run it daily from cron or a systemd timer) deletes every
conversation whose last event is older than the retention, from Rasa's ``events`` table in the
configured tracker store (PostgreSQL ``DATABASE_URL`` or the SQLite ``var/tracker.db``). A
conversation still in use keeps its whole history: a user's context does not vanish mid-talk.
Unset, nothing is ever deleted (``make run`` says so at start-up).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Mapping

import sqlalchemy as sa

RETENTION_ENV = "CONVERSATION_RETENTION_DAYS"
# Rows of a conversation outside Rasa's events table: bot/stores/bounded_tracker_store.py keeps slots
# there, bot/stores/conversation_index.py the console's summaries.
SIDE_TABLES = ("tracker_checkpoints", "console_conversations")
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Purged:
    conversations: int
    events: int


def retention_days(environ: Mapping[str, str] = os.environ) -> int | None:
    raw = environ.get(RETENTION_ENV, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{RETENTION_ENV} must be a whole number of days (1 or more), got {raw!r}")
    return int(raw)


def purge(tracker_store_url: str, days: int, now: float | None = None) -> Purged:
    """Delete the conversations whose newest event is older than ``days``."""
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    engine = sa.create_engine(tracker_store_url, future=True)
    stale = sa.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff")
    try:
        with engine.begin() as connection:
            if not sa.inspect(connection).has_table("events"):
                return Purged(0, 0)
            senders = [row[0] for row in connection.execute(stale, {"cutoff": cutoff})]
            deleted = 0
            for start in range(0, len(senders), 500):
                batch = senders[start : start + 500]
                statement = sa.text("DELETE FROM events WHERE sender_id IN :senders").bindparams(
                    sa.bindparam("senders", expanding=True)
                )
                deleted += connection.execute(statement, {"senders": batch}).rowcount or 0
                for table in SIDE_TABLES:
                    if sa.inspect(connection).has_table(table):
                        side = sa.text(f"DELETE FROM {table} WHERE sender_id IN :senders").bindparams(
                            sa.bindparam("senders", expanding=True)
                        )
                        connection.execute(side, {"senders": batch})
    finally:
        engine.dispose()
    return Purged(conversations=len(senders), events=deleted)
