"""Schema migrations of the knowledge database (Alembic, knowledge/migrations/).

``upgrade(url)`` brings any database to the newest schema and is safe to run every time. A
database created before migrations existed (by ``create_all``, with the tables of revision
0001 but no version table) is stamped at 0001 first, then upgraded.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from knowledge.db import get_engine
from knowledge.paths import PACKAGE_DIR

MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
VERSION_TABLE = "kb_alembic_version"
BASELINE = "0001_knowledge_schema"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head() -> str:
    current = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current is None:
        raise RuntimeError("knowledge/migrations has no revision: the migrations folder is incomplete")
    return current


def current(url: str | None = None) -> str | None:
    """The revision the database is at (None before the first migration)."""
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade(url: str | None = None) -> str:
    """Apply every pending migration; returns the revision the database is now at."""
    engine = get_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "kb_documents" in tables and VERSION_TABLE not in tables:
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
    return current(url) or ""
