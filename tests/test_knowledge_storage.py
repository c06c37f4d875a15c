"""Storage: Alembic migrations and the idempotent loader, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text

from knowledge import loader, migrate
from knowledge.db import database_url, get_engine, session_scope
from knowledge.models import Alias, Base, Document, Measure, Section
from knowledge.repository import get_measure, measure_for_alias

# The machine's PostgreSQL (README, Settings): trust auth, a maintenance database to create ours from.
POSTGRES_ADMIN_URL = os.environ.get("KNOWLEDGE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A uniquely named PostgreSQL database for this test session, dropped afterwards."""
    name = f"wanqi_kb_test_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kb.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kb.db'}"
        return
    # A fresh schema per test on the session's database: drop what the last test left.
    pg = request.getfixturevalue("postgres_url")
    with get_engine(pg).begin() as connection:
        for table in ("kb_aliases", "kb_measures", "kb_sections", "kb_documents", "kb_alembic_version"):
            connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    yield pg


def _counts(url: str) -> tuple:
    with session_scope(url) as session:
        return tuple(session.scalar(select(func.count(model.id))) for model in (Document, Section, Measure, Alias))


def test_load_migrates_to_head_and_loads_everything(url: str) -> None:
    report = loader.load(url)
    assert report.revision == migrate.head() == migrate.current(url)
    assert (report.documents, report.measures) == (1, 22)
    assert _counts(url) == (1, 6, 22, report.aliases)
    tables = set(inspect(get_engine(url)).get_table_names())
    assert {"kb_documents", "kb_sections", "kb_measures", "kb_aliases", "kb_alembic_version"} <= tables


def test_loading_again_is_idempotent(url: str) -> None:
    first = loader.load(url)
    counts = _counts(url)
    second = loader.load(url)
    assert first == second and _counts(url) == counts


def test_loaded_data_reads_back(url: str) -> None:
    loader.load(url)
    with session_scope(url) as session:
        card = get_measure(session, "huishang_service_card")
        assert card.number == 13 and card.kind == "eligibility"
        assert card.detail("benefits")[0] == "购房"
        assert card.document.date.isoformat() == "2021-06-30"
        assert measure_for_alias(session, "技改").number == 6
        assert measure_for_alias(session, "首台套").number == 4
        assert get_measure(session, 14).kind == "support" and get_measure(session, 21).kind == "work"


def test_models_and_migrations_agree(url: str) -> None:
    migrate.upgrade(url)
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "version_table": migrate.VERSION_TABLE,
                "include_object": lambda obj, name, kind, *_: not (kind == "table" and name == migrate.VERSION_TABLE),
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def test_a_database_made_before_migrations_is_stamped_and_upgraded(url: str) -> None:
    # What the walking skeleton left behind: the 0001 tables made by create_all, no version table.
    config = migrate.alembic_config()
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, migrate.BASELINE)
        connection.execute(text(f"DROP TABLE {migrate.VERSION_TABLE}"))
    assert migrate.current(url) is None
    report = loader.load(url)
    assert report.revision == migrate.head()
    columns = {column["name"] for column in inspect(get_engine(url)).get_columns("kb_measures")}
    assert "kind" in columns


def test_downgrade_to_base_and_up_again(url: str) -> None:
    migrate.upgrade(url)
    config = migrate.alembic_config()
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert "kb_measures" not in inspect(get_engine(url)).get_table_names()
    assert loader.load(url).measures == 22


def test_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert database_url() == sqlite_url
    assert loader.load().measures == 22
    assert _counts(sqlite_url)[2] == 22
    monkeypatch.setenv("DATABASE_URL", "")
    assert database_url().endswith("var/knowledge.db")


@pytest.mark.postgres
def test_postgres_heroku_style_url_is_accepted(postgres_url: str) -> None:
    heroku = "postgres://" + postgres_url.split("://", 1)[1]
    assert loader.load(heroku).measures == 22
    get_engine(heroku).dispose()
