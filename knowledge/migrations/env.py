"""Alembic environment for the knowledge database.

Used both by the ``alembic`` command (alembic.ini) and by ``knowledge.migrate`` (which passes
an open connection in ``config.attributes["connection"]``). The URL comes from DATABASE_URL or
the default SQLite file (knowledge/db.py), never from alembic.ini.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from knowledge.db import get_engine
from knowledge.models import Base

config = context.config
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
# The knowledge tables share a database with others (e.g. Rasa's tracker store on PostgreSQL):
# autogenerate must only look at ours.
TABLE_PREFIX = "kb_"
# Our own version table, so another Alembic user of the same database is not disturbed.
VERSION_TABLE = "kb_alembic_version"


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    if type_ == "table":
        return name.startswith(TABLE_PREFIX) and name != VERSION_TABLE
    return True


def _configure(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or str(get_engine().url),
        target_metadata=target_metadata,
        literal_binds=True,
        include_object=include_object,
        version_table=VERSION_TABLE,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    with get_engine(config.get_main_option("sqlalchemy.url") or None).connect() as opened:
        _configure(opened)
        opened.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
