"""Where conversations live: the tracker store and the lock store, chosen from the environment.

- Default: Rasa's ``SQLTrackerStore`` on SQLite (``var/tracker.db``), in WAL mode with a pooled
  connection and the bounded view (bot/stores/sqlite_tracker_store.py), and
  ``bot.stores.lock_store.InProcessLockStore`` (one server's turns of a sender in order, none
  expiring; see there why not Rasa's in-memory store); conversations survive a restart of the one
  Rasa server.
- ``DATABASE_URL=postgresql://…``: ``SQLTrackerStore`` on that PostgreSQL database, with the bounded
  view of bot/stores/bounded_tracker_store.py (a turn reads a checkpoint and the last few turns).
  The knowledge base reads the same URL (knowledge/db.py); the tables do not clash (``kb_*`` vs
  Rasa's ``events``).
- ``REDIS_URL=redis://host:port/db``: ``bot.stores.lock_store.SerialisingRedisLockStore`` (Rasa's
  ``RedisLockStore`` made safe across processes; see there why), so several Rasa replicas serve one sender one message
  at a time. ``REDIS_KEY_PREFIX`` (letters and digits) keeps deployments apart.

``check_reachable`` is run before any server starts: Rasa's SQLTrackerStore retries an
unreachable database for ever, which looks like a hang; we fail at once with a clear message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, Mapping
from urllib.parse import urlsplit

POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg2")
SQLITE_TRACKER_STORE = "bot.stores.sqlite_tracker_store.SQLiteTrackerStore"
SQL_TRACKER_STORE = "bot.stores.bounded_tracker_store.BoundedSQLTrackerStore"
CONNECT_TIMEOUT_S = 3
# Rasa loads a lock store named by module path; that module imports Rasa, this one does not.
SERIALISING_REDIS_LOCK_STORE = "bot.stores.lock_store.SerialisingRedisLockStore"
IN_PROCESS_LOCK_STORE = "bot.stores.lock_store.InProcessLockStore"


class StoreUnreachable(RuntimeError):
    """A configured database or Redis does not answer; the message says what to do."""


def _normalise_postgres_url(url: str) -> str:
    # Heroku-style URLs name the dialect "postgres"; SQLAlchemy 1.4 only knows "postgresql".
    if url.startswith("postgres://"):
        return "postgresql://" + url[len("postgres://") :]
    return url


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in POSTGRES_SCHEMES


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


@dataclass(frozen=True)
class StoreSettings:
    """PostgreSQL tracker store URL (None: SQLite) and Redis lock store URL (None: in memory)."""

    tracker_database_url: str | None = None
    redis_url: str | None = None
    redis_key_prefix: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> StoreSettings:
        database_url = environ.get("DATABASE_URL", "").strip()
        return cls(
            tracker_database_url=_normalise_postgres_url(database_url) if is_postgres_url(database_url) else None,
            redis_url=environ.get("REDIS_URL", "").strip() or None,
            redis_key_prefix=environ.get("REDIS_KEY_PREFIX", "").strip() or None,
        )

    def tracker_store(self, tracker_sqlite: os.PathLike | str) -> Dict[str, Any]:
        if self.tracker_database_url:
            # Rasa's SQLTrackerStore with the bounded view; it takes a full SQLAlchemy URL in `url`
            # (passed on as its host).
            return {"type": SQL_TRACKER_STORE, "url": self.tracker_database_url}
        return {"type": SQLITE_TRACKER_STORE, "db": str(tracker_sqlite)}

    def lock_store(self) -> Dict[str, Any]:
        if not self.redis_url:
            return {"type": IN_PROCESS_LOCK_STORE}
        parts = urlsplit(self.redis_url)
        if parts.scheme not in ("redis", "rediss"):
            raise StoreUnreachable(f"REDIS_URL must look like redis://host:6379/0, got {self.redis_url!r}")
        config: Dict[str, Any] = {
            "type": SERIALISING_REDIS_LOCK_STORE,
            "url": parts.hostname or "localhost",
            "port": parts.port or 6379,
            "db": int(parts.path.lstrip("/") or 0),
        }
        if parts.username:
            config["username"] = parts.username
        if parts.password:
            config["password"] = parts.password
        if parts.scheme == "rediss":
            config["use_ssl"] = True
        if self.redis_key_prefix:
            config["key_prefix"] = self.redis_key_prefix
        return config


def check_database(url: str) -> None:
    """Connect once to ``url`` (any SQLAlchemy URL); raise StoreUnreachable with advice if it fails."""
    import sqlalchemy
    from sqlalchemy.exc import SQLAlchemyError

    url = _normalise_postgres_url(url)
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S} if is_postgres_url(url) else {}
    try:
        engine = sqlalchemy.create_engine(url, connect_args=connect_args, future=True)
    except (SQLAlchemyError, ValueError, ImportError) as error:
        raise StoreUnreachable(
            f"DATABASE_URL {redacted(url)!r} is not a database URL SQLAlchemy understands: {error}"
        ) from None
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StoreUnreachable(
            f"The database {redacted(url)} is not reachable ({reason}).\n"
            "Start it, or fix DATABASE_URL (unset it to use the built-in SQLite files in var/)."
        ) from None
    finally:
        engine.dispose()


def check_redis(url: str) -> None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=CONNECT_TIMEOUT_S)
        client.ping()
    except (redis.RedisError, ValueError) as error:
        raise StoreUnreachable(
            f"Redis at {redacted(url)} is not reachable ({error}).\nStart Redis, or unset REDIS_URL to run one server."
        ) from None


def check_reachable(settings: StoreSettings, knowledge_database_url: str | None = None) -> None:
    """Fail fast, before any server starts, if a configured store does not answer."""
    for url in dict.fromkeys(u for u in (knowledge_database_url, settings.tracker_database_url) if u):
        check_database(url)
    if settings.redis_url:
        settings.lock_store()  # validates the URL's shape
        check_redis(settings.redis_url)
