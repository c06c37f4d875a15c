"""Privacy (issue 17, item 9): masking in logs and reports, data files only the owner can read,
spreadsheet-safe report cells, and a retention setting with a purge command."""

from __future__ import annotations

import csv
import os
import stat
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.rasa_server import log_masking
from bot.stores import retention
from bot.stores.endpoints import write_endpoints
from bot.stores.settings import StoreSettings


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("手机１３９１２３４５６７８", "１２３４"),  # full-width digits
        ("身份证３４０１０４１９９００１０１１２３４", "１９９００１０１"),
        ("身份证 340104 19900101 1234", "19900101"),  # ID written in groups
        ("身份证3401 0419 9001 0112 34", "0419 9001"),
        ("身份证340104-19900101-123X", "19900101"),
        ("卡号6222021234567890123", "021234567890"),  # bank cards, 16-19 digits
        ("卡号 6222 0212 3456 7890", "0212 3456"),
        ("银行卡4392-2500-3345-6789", "2500-3345"),
        ("邮箱zhang.san@example.com", "zhang.san"),
        ("email: li_si+chat@mail.ahjxw.gov.cn 谢谢", "li_si+chat"),
        ("手机139 1234 5678", "1234"),
    ],
)
def test_personal_numbers_and_addresses_are_masked(text: str, hidden: str) -> None:
    masked = log_masking.mask(text)
    assert hidden not in masked and "*" in masked, masked


def test_full_width_digits_in_json_escaped_log_lines_are_masked() -> None:
    import json

    line = json.dumps({"text": "手机１３９１２３４５６７８"})  # Rasa's JSON logs: "\\uff11\\uff13…"
    masked = log_masking.mask(line)
    assert "\\uff11\\uff12\\uff13\\uff14" not in masked.lower() and "1234" not in masked


def test_e_mail_masking_keeps_the_domain_for_support() -> None:
    assert log_masking.mask("zhang.san@example.com") == "z***@example.com"


@pytest.mark.parametrize(
    "text", ["贷款5000000元", "担保费率1.2%", "第13条", "2021-06-30", "拨打12345热线", "上限1000万元"]
)
def test_policy_numbers_stay_readable(text: str) -> None:
    assert log_masking.mask(text) == text


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_tracker_store_files_are_owner_only(tmp_path: Path) -> None:
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.stores.sqlite_tracker_store import SQLiteTrackerStore

    old_umask = os.umask(0o022)
    try:
        db = tmp_path / "tracker.db"
        store = SQLiteTrackerStore(db=str(db))
        tracker = DialogueStateTracker.from_events("u1", [UserUttered("我的手机13912345678")])
        import asyncio

        asyncio.run(store.save(tracker))
        files = [p for p in tmp_path.iterdir() if p.name.startswith("tracker.db")]
        assert db in files
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
        # A file an older version created world-readable is tightened when the store opens it.
        os.chmod(db, 0o644)
        SQLiteTrackerStore(db=str(db))
        assert _mode(db) == 0o600
    finally:
        os.umask(old_umask)


def test_the_rendered_endpoints_file_is_owner_only(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        settings = StoreSettings(tracker_database_url="postgresql://bot:secret@db/wanqi", redis_url=None)
        path = write_endpoints(tmp_path / "endpoints.yml", "http://127.0.0.1:5055/webhook", tmp_path / "t.db", settings)
        assert _mode(path) == 0o600  # it holds the database password
    finally:
        os.umask(old_umask)


def test_process_logs_are_owner_only(tmp_path: Path) -> None:
    from bot.processes import servers

    old_umask = os.umask(0o022)
    try:
        process = servers._spawn("echo", ["/bin/echo", "hello"], tmp_path, dict(os.environ))
        process.popen.wait(timeout=30)
        assert _mode(tmp_path / "echo.log") == 0o600
    finally:
        os.umask(old_umask)


def test_report_csvs_are_masked_and_cannot_run_formulas(tmp_path: Path) -> None:
    from tools.report.analysis import Missed, Report
    from tools.report.output import write_csvs

    questions = [
        "我的手机13912345678能办吗",
        '=HYPERLINK("http://evil.example","点我")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "邮箱zhang.san@example.com",
    ]
    report = Report(
        conversations=1,
        turns=len(questions),
        measures=[],
        kinds={},
        fallback_rate=1.0,
        out_of_scope_rate=0.0,
        missed=[Missed(q, "fallback", "nlu_fallback", 0.2) for q in questions],
    )
    paths = write_csvs(report, tmp_path)
    with paths["missed"].open(encoding="utf-8-sig", newline="") as handle:
        cells = [row[0] for row in csv.reader(handle)][1:]
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in cells), cells
    assert "13912345678" not in "".join(cells) and "zhang.san" not in "".join(cells)
    assert "HYPERLINK" in "".join(cells)  # neutralised, not dropped


def _events_db(path: Path) -> sa.engine.Engine:
    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore(dialect="sqlite", db=str(path))  # creates Rasa's events table
    return sa.create_engine(f"sqlite:///{path}")


def test_purge_deletes_conversations_older_than_the_retention(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    engine = _events_db(db)
    now = time.time()
    with engine.begin() as connection:
        for sender, age_days in [("old", 200), ("old", 190), ("recent", 200), ("recent", 1), ("new", 0)]:
            connection.execute(
                sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, '{}')"),
                {"s": sender, "t": now - age_days * 86400},
            )
    purged = retention.purge(f"sqlite:///{db}", days=180, now=now)
    assert purged == retention.Purged(conversations=1, events=2)
    with engine.connect() as connection:
        left = sorted({row[0] for row in connection.execute(sa.text("SELECT sender_id FROM events"))})
    assert left == ["new", "recent"]  # a conversation still in use keeps its whole history


def test_the_retention_setting(monkeypatch) -> None:
    monkeypatch.delenv("CONVERSATION_RETENTION_DAYS", raising=False)
    assert retention.retention_days() is None
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "90")
    assert retention.retention_days() == 90
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "zero")
    with pytest.raises(ValueError):
        retention.retention_days()


def test_the_purge_command(tmp_path: Path, monkeypatch, capsys) -> None:
    from bot.__main__ import main

    db = tmp_path / "tracker.db"
    engine = _events_db(db)
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('x', 'user', 0, '{}')")
        )
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "30")
    assert main(["purge", "--tracker-store", f"sqlite:///{db}"]) == 0
    assert "1 conversation" in capsys.readouterr().out
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM events")).scalar() == 0


def test_purge_also_deletes_the_conversations_checkpoints(tmp_path: Path) -> None:
    from bot.stores.bounded_tracker_store import CHECKPOINT_TABLE, checkpoints

    assert CHECKPOINT_TABLE in retention.SIDE_TABLES
    db = tmp_path / "tracker.db"
    engine = _events_db(db)
    checkpoints.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('old', 'user', 0, '{}')")
        )
        connection.execute(checkpoints.insert().values(sender_id="old", first_event_id=1, prefix="[]"))
    assert retention.purge(f"sqlite:///{db}", days=1).conversations == 1
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(checkpoints)).scalar() == 0


def test_nginx_logs_no_query_strings_and_no_history_ids(tmp_path: Path) -> None:
    import re

    from bot.processes.cluster import write_nginx_conf

    conf = write_nginx_conf(tmp_path, 8080, [5101, 5102]).read_text()
    [access_log] = re.findall(r"^\s*access_log\s+([^;]+);", conf, flags=re.M)
    assert len(access_log.split()) == 2, "access_log names its own log_format"
    name = access_log.split()[1]
    [log_format] = re.findall(rf"log_format\s+{name}\s+([^;]+);", conf, flags=re.S)
    for variable in ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$uri"):
        assert variable not in log_format, variable
    assert "/webchat/history/" in conf  # the session id in that path is replaced in the log


@pytest.mark.parametrize(
    "line",
    [
        "GET /conversations/u1/tracker?token=s3cret-api-token HTTP/1.1",
        '"request": "GET /status?token=s3cret-api-token&x=1"',
        "POST /model?auth_token=s3cret-api-token",
    ],
)
def test_tokens_in_logged_urls_are_masked(line: str) -> None:
    assert "s3cret-api-token" not in log_masking.mask(line)


@pytest.mark.parametrize(
    ("line", "secrets"),
    [
        (
            "[error] 7#7: *3 connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.2.3,"
            " "
            'server: , request: "GET /conversations/telegram:5551234567/tracker?token=s3cret HTTP/1.1", upstream: '
            '"http://127.0.0.1:5101/conversations/telegram:5551234567/tracker?token=s3cret", host: "a.example"',
            ("5551234567", "s3cret"),
        ),
        (
            '[error] upstream prematurely closed connection, request: "GET /webchat/history/'
            '0123456789abcdef0123456789abcdef HTTP/1.1", referrer: "https://a.example/?phone=13912345678"',
            ("0123456789abcdef0123456789abcdef", "13912345678"),
        ),
        (
            '[error] request: "POST /console/api/conversations/wechat:oABCDEF123/messages HTTP/1.1"',
            ("oABCDEF123",),
        ),
    ],
)
def test_nginx_error_lines_are_scrubbed_of_tokens_and_conversation_ids(line: str, secrets: tuple) -> None:
    from bot.processes import nginx_log

    scrubbed = nginx_log.scrub(line)
    for secret in secrets:
        assert secret not in scrubbed
    assert "request:" in scrubbed and "HTTP/1.1" in scrubbed  # still says what failed
