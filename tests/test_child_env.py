"""Each child process gets only the environment variables it needs (issue 17, item 10): a secret of
one process (the Telegram bot token, the console token, WeChat's app secret, anything unrelated in
the operator's shell) never reaches another. Read from /proc/<pid>/environ of the real children."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict

import pytest

from bot.processes import servers

SECRETS = {
    "TELEGRAM_BOT_TOKEN": "123:telegram-secret",
    "CONSOLE_TOKEN": "console-secret-of-enough-length",
    "WECHAT_APP_SECRET": "wechat-secret",
    "RASA_API_TOKEN": "rasa-api-secret",
    "AWS_SECRET_ACCESS_KEY": "unrelated-secret",
    "DATABASE_URL": "postgresql://bot:pw@127.0.0.1:5432/wanqi",
}


def environ_of(pid: int) -> Dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


@pytest.fixture
def secrets_in_shell(monkeypatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def test_the_action_server_gets_the_knowledge_base_and_no_secret(secrets_in_shell, tmp_path: Path) -> None:
    process = servers.spawn_action_server(servers.free_port(), tmp_path)
    try:
        env = environ_of(process.popen.pid)
    finally:
        process.stop()
    assert env["DATABASE_URL"] == SECRETS["DATABASE_URL"] and "PATH" in env
    leaked = {"TELEGRAM_BOT_TOKEN", "CONSOLE_TOKEN", "WECHAT_APP_SECRET", "RASA_API_TOKEN", "AWS_SECRET_ACCESS_KEY"}
    assert leaked.isdisjoint(env), leaked & set(env)


def test_the_rasa_server_gets_its_channels_settings_and_no_other_secret(secrets_in_shell, tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("{}\n")
    process = servers.spawn_rasa_server(tmp_path / "no-model.tar.gz", servers.free_port(), endpoints, log_dir=tmp_path)
    try:
        env = environ_of(process.popen.pid)
    finally:
        process.stop()
    assert env["CONSOLE_TOKEN"] == SECRETS["CONSOLE_TOKEN"] and env["WECHAT_APP_SECRET"] == SECRETS["WECHAT_APP_SECRET"]
    # The bot token: staff replies reach Telegram users from the Rasa server (bot/channels/delivery/telegram.py).
    assert env["TELEGRAM_BOT_TOKEN"] == SECRETS["TELEGRAM_BOT_TOKEN"]
    assert {"AWS_SECRET_ACCESS_KEY", "RASA_API_TOKEN"}.isdisjoint(env)


def test_the_rasa_api_token_is_not_on_any_command_line(secrets_in_shell, tmp_path: Path) -> None:
    """`ps` shows every local user each process's command line; the environment only its owner."""
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("{}\n")
    token = "rasa-api-token-given-to-this-server"
    process = servers.spawn_rasa_server(tmp_path / "no-model.tar.gz", servers.free_port(), endpoints, token, tmp_path)
    try:
        command_line = Path(f"/proc/{process.popen.pid}/cmdline").read_bytes().decode()
        env = environ_of(process.popen.pid)
    finally:
        process.stop()
    assert token not in command_line and "--enable-api" in command_line
    assert env["RASA_API_TOKEN"] == token  # not the shell's SECRETS value: the one this server was given


def test_the_rasa_server_hands_its_api_token_to_rasa_in_process() -> None:
    from bot.rasa_server import api_token

    environ = {"RASA_API_TOKEN": "the-token", "OTHER": "1"}
    argv = api_token.with_token(["run", "--enable-api"], environ)
    assert argv == ["run", "--enable-api", "--auth-token", "the-token"]
    assert "RASA_API_TOKEN" not in environ  # nothing the server starts later inherits it
    assert api_token.with_token(["run"], {}) == ["run"]


def test_the_telegram_bridge_gets_its_token_and_no_other_secret(secrets_in_shell) -> None:
    env = servers.child_environment("telegram", {"RASA_URL": "http://127.0.0.1:1"})
    assert env["TELEGRAM_BOT_TOKEN"] == SECRETS["TELEGRAM_BOT_TOKEN"] and env["RASA_URL"] == "http://127.0.0.1:1"
    assert {"CONSOLE_TOKEN", "WECHAT_APP_SECRET", "RASA_API_TOKEN", "AWS_SECRET_ACCESS_KEY", "DATABASE_URL"}.isdisjoint(
        env
    )


def test_nginx_gets_no_secret(secrets_in_shell) -> None:
    env = servers.child_environment("nginx")
    assert set(SECRETS).isdisjoint(env) and "PATH" in env


def test_what_a_caller_passes_explicitly_always_arrives(secrets_in_shell) -> None:
    env = servers.child_environment("action server", {"KNOWLEDGE_DATABASE_URL": "sqlite:///x", "CUSTOM": "1"})
    assert env["CUSTOM"] == "1"
    assert os.environ["PATH"] == env["PATH"]


# Read by the parent (bot run / the cluster / a tool), never by a child.
PARENT_ONLY = {
    "READY_TIMEOUT_S",
    "CLUSTER_REPLICAS",
    "CLUSTER_FIRST_PORT",
    "CLUSTER_FIRST_ACTION_PORT",
    "ACTION_PORT",
    "RASA_API_TOKEN",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
}  # fmt: skip  (the last two: WSGI environ keys)
_READ = re.compile(
    r"""(?:environ\.get|environ\[|getenv|env\.get|env\[)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|_ENV = ["']([A-Z][A-Z0-9_]+)["']"""
)


def test_every_setting_the_code_reads_reaches_some_child_or_is_the_parents() -> None:
    # A new setting read at run time but missing from bot/processes/child_env.py would silently never arrive.
    from bot.paths import PROJECT_DIR
    from bot.processes import child_env

    read = {
        name
        for room in ("bot", "actions", "knowledge")
        for path in (PROJECT_DIR / room).rglob("*.py")
        for match in _READ.finditer(path.read_text(encoding="utf-8"))
        for name in match.groups()
        if name
    }
    reaching = {
        name for name in read for kind in child_env.OWN_SETTINGS if name in child_env.for_child(kind, {name: "x"})
    }
    assert read - reaching - PARENT_ONLY == set()


def test_a_training_gets_the_knowledge_base_and_no_secret(secrets_in_shell, monkeypatch) -> None:
    """`rasa train` runs from make train and from inside the Rasa server (the review inbox's gate),
    whose environment holds the console, WeChat and Telegram secrets: none reaches the training."""
    from bot.training.model import TRAINING_ENV, training_env

    monkeypatch.setenv("MAINTAINER_TOKENS", "wang:maintainer-secret-of-enough-length")
    monkeypatch.setenv("INTERNAL_CALLER_TOKEN", "internal-secret-of-enough-length")
    env = training_env()
    assert env["DATABASE_URL"] == SECRETS["DATABASE_URL"] and env["PATH"] == os.environ["PATH"]
    assert all(env[name] == value for name, value in TRAINING_ENV.items())
    leaked = {*SECRETS, "MAINTAINER_TOKENS", "INTERNAL_CALLER_TOKEN"} - {"DATABASE_URL"}
    assert leaked.isdisjoint(env), leaked & set(env)
