"""Engine and session for the knowledge database.

SQLite in ``var/knowledge.db`` by default; any SQLAlchemy URL through ``DATABASE_URL``
(e.g. ``postgresql://127.0.0.1:5432/test``).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from knowledge.paths import DEFAULT_SQLITE_PATH


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``DATABASE_URL``, else the default SQLite file."""
    if url:
        return url
    env = os.environ.get("DATABASE_URL", "").strip()
    if env:
        return env
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    resolved = database_url(url)
    if resolved.startswith("postgres://"):
        # Heroku-style URLs name the dialect "postgres"; SQLAlchemy 1.4 only knows "postgresql".
        resolved = "postgresql://" + resolved[len("postgres://") :]
    return create_engine(resolved, future=True, pool_pre_ping=True)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    factory = sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
