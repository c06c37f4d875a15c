"""Session fixtures: one trained model and one running assistant shared by all integration tests."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.browser import chromium, context, widget  # noqa: F401 - browser fixtures (web chat tests)
from tools.assistant_client import AssistantClient

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def knowledge_db() -> str:
    """The default knowledge database, (re)loaded from the YAML once per session."""
    from knowledge import loader
    from knowledge.db import database_url

    loader.load()
    return database_url()


@pytest.fixture(scope="session")
def trained_model(knowledge_db: str) -> Path:
    """A model for the current config, domain and data; trains only if none matches."""
    from bot.training.model import ensure_model

    return ensure_model()


@pytest.fixture(scope="session")
def running_assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssistantClient]:
    """Action server + Rasa server on free ports, started the way `make run` starts them."""
    from bot.processes.servers import start_private_stack

    workdir = tmp_path_factory.mktemp("assistant")
    # channels: the server runs the WeChat channel with test settings and a fake WeChat API.
    from tests.support.wechat_messages import server_env as wechat_server_env

    os.environ.update(wechat_server_env())
    # the review inbox (bot/channels/webchat/review_inbox.py): a maintainer and a project copy to write to.
    from tests.support.review_workspace import server_env as review_server_env

    os.environ.update(review_server_env(workdir / "review-workspace"))
    token = secrets.token_hex(12)
    # The staff console (bot/channels/webchat/console.py) is enabled by CONSOLE_TOKEN in the server's environment.
    console_token = secrets.token_hex(12)
    previous_console_token = os.environ.get("CONSOLE_TOKEN")
    os.environ["CONSOLE_TOKEN"] = console_token
    # Staff replies to Telegram users go to a fake Bot API (only the Rasa server's environment: no bridge starts).
    from tests.support.fake_telegram_api import server_env as telegram_server_env

    stack = start_private_stack(trained_model, workdir, api_token=token, extra_env=telegram_server_env())
    try:
        yield AssistantClient(
            stack.rasa_url, api_token=token, console_token=console_token, internal_token=stack.internal_token
        )
    finally:
        stack.stop()
        if previous_console_token is None:
            os.environ.pop("CONSOLE_TOKEN", None)
        else:
            os.environ["CONSOLE_TOKEN"] = previous_console_token


@pytest.fixture
def assistant(running_assistant: AssistantClient) -> AssistantClient:
    return running_assistant


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of its own for this test session (127.0.0.1:5432), dropped after."""
    import sqlalchemy

    name = f"wanqi_test_{secrets.token_hex(6)}"
    admin = sqlalchemy.create_engine(
        "postgresql://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT", future=True
    )
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def redis_key_prefix() -> Iterator[str]:
    """A Redis key prefix of its own for this test session; its keys are deleted after."""
    import redis

    prefix = f"wanqitest{secrets.token_hex(6)}"
    yield prefix
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for db in range(16):
        client = redis.Redis(host="127.0.0.1", port=6379, db=db)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
