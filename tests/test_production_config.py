"""Production settings without a server: which stores the environment selects, .env loading,
fail-fast checks of unreachable stores, log masking and the input guards."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.channels import sender_ids
from bot.channels.rest import body as rest_body
from bot.processes import env_file
from bot.processes.ports import free_port
from bot.rasa_server import input_guard, log_masking
from bot.stores import settings as stores
from bot.stores.endpoints import render_endpoints
from knowledge.textnorm import normalise
from tests.support.hostile_inputs import BAD_REST_BODIES, HOSTILE_TEXTS

ACTION_URL = "http://127.0.0.1:5055/webhook"


def test_default_is_sqlite_tracker_store_and_the_in_process_lock_store(tmp_path: Path) -> None:
    endpoints = render_endpoints(ACTION_URL, tmp_path / "tracker.db", stores.StoreSettings.from_env({}))
    assert endpoints["tracker_store"] == {"type": stores.SQLITE_TRACKER_STORE, "db": str(tmp_path / "tracker.db")}
    # Not Rasa's InMemoryLockStore, whose tickets expire (bot/stores/lock_store.py, tests/test_lock_store.py).
    assert endpoints["lock_store"] == {"type": "bot.stores.lock_store.InProcessLockStore"}
    assert endpoints["action_endpoint"] == {"url": ACTION_URL}


def test_action_server_token_is_sent_by_the_rasa_server(tmp_path: Path) -> None:
    from rasa.utils.endpoints import EndpointConfig

    endpoints = render_endpoints(ACTION_URL, tmp_path / "t.db", stores.StoreSettings(), action_token="s3cret-token")
    # Rasa's EndpointConfig sends these headers with every action call.
    assert EndpointConfig.from_dict(endpoints["action_endpoint"]).headers == {"X-Action-Token": "s3cret-token"}


def test_postgres_database_url_selects_the_sql_tracker_store_on_postgres(tmp_path: Path) -> None:
    settings = stores.StoreSettings.from_env({"DATABASE_URL": "postgres://bot:pw@db.internal:5433/wanqi"})
    endpoints = render_endpoints(ACTION_URL, tmp_path / "tracker.db", settings)
    assert endpoints["tracker_store"] == {
        "type": stores.SQL_TRACKER_STORE,
        "url": "postgresql://bot:pw@db.internal:5433/wanqi",
    }


def test_sqlite_database_url_keeps_the_tracker_in_its_own_sqlite_file(tmp_path: Path) -> None:
    settings = stores.StoreSettings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path}/kb.db"})
    endpoints = render_endpoints(ACTION_URL, tmp_path / "tracker.db", settings)
    assert endpoints["tracker_store"] == {"type": stores.SQLITE_TRACKER_STORE, "db": str(tmp_path / "tracker.db")}


def test_redis_url_selects_the_redis_lock_store_with_rasa_keys(tmp_path: Path) -> None:
    settings = stores.StoreSettings.from_env({"REDIS_URL": "redis://:secret@cache:6380/2", "REDIS_KEY_PREFIX": "wanqi"})
    lock_store = render_endpoints(ACTION_URL, tmp_path / "t.db", settings)["lock_store"]
    # Our RedisLockStore subclass (bot/stores/lock_store.py), with the keys RedisLockStore.__init__ takes
    # (host comes from `url`).
    assert lock_store == {
        "type": "bot.stores.lock_store.SerialisingRedisLockStore",
        "url": "cache",
        "port": 6380,
        "db": 2,
        "password": "secret",
        "key_prefix": "wanqi",
    }


def test_rasa_builds_the_selected_stores_from_the_rendered_file(tmp_path: Path) -> None:
    from rasa.core.lock_store import LockStore, RedisLockStore
    from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    from bot.stores.lock_store import SerialisingRedisLockStore

    endpoints = render_endpoints(
        ACTION_URL,
        tmp_path / "tracker.db",
        stores.StoreSettings(redis_url="redis://:pw@127.0.0.1:6379/3", redis_key_prefix="wanqi"),
    )
    tracker_store = TrackerStore.create(EndpointConfig.from_dict(endpoints["tracker_store"]))
    assert isinstance(tracker_store, SQLTrackerStore)
    assert (tmp_path / "tracker.db").exists()
    lock_store = LockStore.create(EndpointConfig.from_dict(endpoints["lock_store"]))
    assert isinstance(lock_store, SerialisingRedisLockStore) and isinstance(lock_store, RedisLockStore)
    connection = lock_store.red.connection_pool.connection_kwargs
    assert (connection["db"], connection["password"]) == (3, "pw")
    assert lock_store.key_prefix == "wanqi:lock:"


def test_rasa_builds_the_wal_sqlite_tracker_store_and_it_keeps_every_event(tmp_path: Path) -> None:
    import asyncio
    import sqlite3

    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from bot.stores.sqlite_tracker_store import SQLiteTrackerStore

    db = tmp_path / "tracker.db"
    config = EndpointConfig.from_dict(render_endpoints(ACTION_URL, db, stores.StoreSettings())["tracker_store"])
    domain = Domain.empty()
    store = TrackerStore.create(config, domain)
    # Rasa falls back to an in-memory store, silently, when it cannot import a custom store.
    assert isinstance(store, SQLiteTrackerStore)
    tracker = DialogueStateTracker("u1", domain.slots)
    for turn in range(3):
        tracker.update(UserUttered(f"问题{turn}"))
        tracker.update(BotUttered(f"回答{turn}"))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(store.save(tracker))
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        stored = connection.execute("SELECT type_name FROM events WHERE sender_id = 'u1' ORDER BY id").fetchall()
    assert [name for (name,) in stored] == ["user", "bot", "action"] * 3
    again = asyncio.run(TrackerStore.create(config, domain).retrieve("u1"))
    assert [e.as_dict() for e in again.events] == [e.as_dict() for e in tracker.events]


def test_unreachable_postgres_is_a_clear_error_naming_what_to_fix() -> None:
    url = f"postgresql://postgres:hunter2@127.0.0.1:{free_port()}/wanqi"
    with pytest.raises(stores.StoreUnreachable) as error:
        stores.check_reachable(stores.StoreSettings.from_env({"DATABASE_URL": url}))
    message = str(error.value)
    assert "not reachable" in message and "DATABASE_URL" in message
    assert "hunter2" not in message


def test_unreachable_redis_is_a_clear_error() -> None:
    with pytest.raises(stores.StoreUnreachable, match="Redis .* not reachable"):
        stores.check_redis(f"redis://127.0.0.1:{free_port()}/0")


def test_env_file_fills_only_unset_variables(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("# comment\nexport RASA_PORT=6000\nREDIS_URL='redis://x:1/0'\nDATABASE_URL=kept # note\n\nJUNK\n")
    environ = {"DATABASE_URL": "from-the-shell"}
    added = env_file.load(path, environ)
    assert added == {"RASA_PORT": "6000", "REDIS_URL": "redis://x:1/0"}
    assert environ["DATABASE_URL"] == "from-the-shell"


def test_no_secrets_are_committed() -> None:
    project = Path(__file__).resolve().parent.parent
    assert ".env" in (project / ".gitignore").read_text().split()
    example = (project / ".env.example").read_text()
    for line in example.splitlines():
        if line and not line.startswith("#"):
            pytest.fail(f".env.example sets a value: {line!r}")


@pytest.mark.parametrize(
    "text, hidden, shown",
    [
        ("我的手机13912345678", "13912345678", "139****5678"),
        ("手机 +86 139-1234-5678", "1234", "139****5678"),
        ("身份证340104199001011234", "340104199001011234", "340104********1234"),
        ("身份证34010419900101123X", "19900101", "123X"),
        ("座机0551-62871234", "62871234", "0551-****1234"),
    ],
)
def test_phone_and_id_numbers_are_masked(text: str, hidden: str, shown: str) -> None:
    masked = log_masking.mask(text)
    assert hidden not in masked and shown in masked


def test_numbers_are_masked_in_json_escaped_log_lines_too() -> None:
    line = json.dumps({"text": "身份证340104199001011234，手机13912345678"})  # "\\u8bc1340104…"
    masked = log_masking.mask(line)
    assert "340104199001011234" not in masked and "13912345678" not in masked
    assert "1234" in masked and "139****5678" in masked


@pytest.mark.parametrize("text", ["贷款5000000元", "担保费率1.2%", "拨打12345热线", "第13条", "2021-06-30"])
def test_policy_numbers_are_not_masked(text: str) -> None:
    assert log_masking.mask(text) == text


def test_log_records_are_masked_once_installed(caplog: pytest.LogCaptureFixture) -> None:
    log_masking.install()
    with caplog.at_level(logging.INFO):
        logging.getLogger("rasa.core.processor").info("Received user message '%s'", "电话13912345678")
        try:
            raise ValueError("bad id 340104199001011234")
        except ValueError:
            logging.getLogger("rasa").exception("failed for 13912345678")
    assert "13912345678" not in caplog.text and "139****5678" in caplog.text
    assert "340104199001011234" not in caplog.text


@pytest.mark.parametrize("name, text", HOSTILE_TEXTS, ids=[n for n, _ in HOSTILE_TEXTS])
def test_hostile_text_is_cleaned_and_normalised_without_error(name: str, text: str) -> None:
    cleaned = input_guard.clean_text(text)
    assert len(cleaned) <= input_guard.DEFAULT_MAX_MESSAGE_CHARS
    cleaned.encode("utf-8")  # storable and loggable
    assert "\x00" not in cleaned
    normalise(cleaned)


@pytest.mark.parametrize("name, body", BAD_REST_BODIES, ids=[n for n, _ in BAD_REST_BODIES])
def test_bad_rest_bodies_are_refused_with_a_reason(name: str, body: bytes) -> None:
    if len(body) > input_guard.MAX_BODY_BYTES:
        return  # refused by size (413) before it is parsed; checked end to end
    with pytest.raises((rest_body.BodyRefused, sender_ids.SenderRefused)) as refused:
        sender_ids.check_public_rest_sender(rest_body.parse(body).get("sender"))
    assert str(refused.value)


def test_a_good_rest_body_passes() -> None:
    payload = rest_body.parse('{"sender": "u1", "message": "你好"}'.encode())
    assert sender_ids.check_public_rest_sender(payload["sender"]) == "u1"


@pytest.mark.postgres
def test_cluster_creates_its_postgres_database_when_missing() -> None:
    import secrets

    import sqlalchemy

    from bot.processes.cluster import ensure_database

    url = f"postgresql://postgres@127.0.0.1:5432/wanqi_cluster_{secrets.token_hex(4)}"
    ensure_database(url)
    ensure_database(url)  # a second start finds it
    try:
        stores.check_database(url)
    finally:
        admin = sqlalchemy.create_engine(
            "postgresql://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT", future=True
        )
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()


def test_nginx_config_spreads_rest_and_pins_socketio(tmp_path: Path) -> None:
    from bot.processes.cluster import write_nginx_conf

    conf = write_nginx_conf(tmp_path, 8080, [5101, 5102]).read_text()
    assert "listen 8080;" in conf
    assert conf.count("server 127.0.0.1:5101") == 2 and conf.count("server 127.0.0.1:5102") == 2
    assert "ip_hash;" in conf and "proxy_next_upstream error timeout non_idempotent;" in conf
    # A retried turn keeps its request id, which the replicas claim (bot/channels/rest/deliveries.py).
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert "client_max_body_size 1m;" in conf
