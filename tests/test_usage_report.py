"""`make report` over trackers written by Rasa's own SQLTrackerStore (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import csv
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from tools.report.__main__ import main as report_main
from tools.report.analysis import analyse
from tools.report.events import TrackerStoreUnavailable, read_turns


def user(text_: str, intent: str, confidence: float) -> UserUttered:
    return UserUttered(text_, intent={"name": intent, "confidence": confidence},
                       parse_data={"intent": {"name": intent, "confidence": confidence}, "text": text_})  # fmt: skip


def bot(text_: str, card: Dict[str, Any] | None = None) -> List[BotUttered]:
    events = [BotUttered(text_)]
    if card is not None:
        events.append(BotUttered(data={"custom": {"answer_card": card}}))
    return events


def policy_card(*numbers: int) -> Dict[str, Any]:
    return {"kind": "policy", "citations": list(numbers), "verdict": None}


CONVERSATIONS = {
    "alice": [
        user("徽商服务卡有什么用", "measure_huishang_service_card", 0.98),
        *bot("【第13条】…", policy_card(13)),
        user("担保费补贴怎么申请", "measure_fiscal_funds_and_guarantee", 0.91),
        *bot("【第10条】…", policy_card(10)),
        user("明天天气怎么样", "out_of_scope", 0.95),
        *bot("我只能回答…", {"kind": "out_of_scope", "citations": []}),
    ],
    "bob": [
        user("徽商卡谁能办", "measure_huishang_service_card", 0.55),
        *bot("【第13条】…", policy_card(13)),
        user("阿巴阿巴", "nlu_fallback", 0.31),
        *bot("抱歉，我没有理解…", {"kind": "fallback", "citations": []}),
    ],
}


def save_conversations(store: SQLTrackerStore) -> None:
    async def save_all() -> None:
        for sender, events in CONVERSATIONS.items():
            await store.save(DialogueStateTracker.from_events(sender, events))

    asyncio.run(save_all())


def check_report(url: str, out: Path) -> None:
    report = analyse(read_turns(url))
    assert report.conversations == 2
    assert report.turns == 5
    assert report.measures == [(13, 2), (10, 1)]
    assert report.fallback_rate == pytest.approx(1 / 5)
    assert report.out_of_scope_rate == pytest.approx(1 / 5)
    assert {(m.text, m.reason) for m in report.missed} == {
        ("明天天气怎么样", "out_of_scope"),
        ("阿巴阿巴", "fallback"),
        ("徽商卡谁能办", "low_confidence"),
    }

    assert report_main(["--tracker-store", url, "--out", str(out)]) == 0
    with (out / "missed_questions.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["question"] for row in rows} == {"明天天气怎么样", "阿巴阿巴", "徽商卡谁能办"}
    with (out / "most_asked_measures.csv").open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1] == ["第13条", "2"]
    png = (out / "most_asked_measures.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5_000


def test_report_from_a_sqlite_tracker_store(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    save_conversations(SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db)))
    check_report(f"sqlite:///{db}", tmp_path / "out")


@pytest.mark.postgres
def test_report_from_a_postgresql_tracker_store(tmp_path: Path) -> None:
    name = f"wanqi_report_{uuid.uuid4().hex[:10]}"
    admin = create_engine("postgresql://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        store = SQLTrackerStore(Domain.empty(), dialect="postgresql", host="127.0.0.1", port=5432,
                                db=name, username="postgres")  # fmt: skip
        save_conversations(store)
        store.engine.dispose()
        check_report(f"postgresql://postgres@127.0.0.1:5432/{name}", tmp_path / "out")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_an_empty_or_missing_tracker_store_gives_an_empty_report(tmp_path: Path, capsys) -> None:
    missing = f"sqlite:///{tmp_path / 'nothing-here.db'}"
    assert read_turns(missing) == []
    sqlite3.connect(tmp_path / "no-events.db").execute("CREATE TABLE other (x INTEGER)").connection.close()
    assert read_turns(f"sqlite:///{tmp_path / 'no-events.db'}") == []

    assert report_main(["--tracker-store", missing, "--out", str(tmp_path / "out")]) == 0
    assert "No conversations yet" in capsys.readouterr().out
    assert (tmp_path / "out" / "most_asked_measures.png").read_bytes().startswith(b"\x89PNG")


def test_malformed_events_are_skipped_not_fatal(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    save_conversations(SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db)))
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('alice', 'user', 9e9, '{not json')"
        )
        connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('carol', 'bot', 1, NULL)"
        )
    report = analyse(read_turns(f"sqlite:///{db}"))
    assert report.turns == 5


def test_an_unreachable_tracker_store_is_a_clear_error(tmp_path: Path, capsys) -> None:
    url = "postgresql://postgres@127.0.0.1:1/none"
    with pytest.raises(TrackerStoreUnavailable):
        read_turns(url)
    assert report_main(["--tracker-store", url, "--out", str(tmp_path)]) == 2
    assert "Cannot read the tracker store" in capsys.readouterr().err


def test_report_adds_ratings_by_measure_and_channel_worst_answers_and_inbox_decisions(tmp_path: Path) -> None:
    import json

    from rasa.shared.core.events import AgentUttered

    from bot.channels.feedback import answer_ref, make_feedback

    def rating(answer: str, channel: str, **raw: Any) -> AgentUttered:
        return AgentUttered(data=make_feedback({"answer_ref": answer_ref([answer]), **raw}, channel).as_data())

    card13, card10 = "【第13条】徽商服务卡…", "【第10条】担保费补助…"
    conversations = {
        "telegram:1": [user("徽商服务卡有什么用", "measure_huishang_service_card", 0.98), *bot(card13, policy_card(13)),
                       rating(card13, "telegram", rating="not_useful", reason="incomplete", comment="没说去哪办")],
        "wechat:o1": [user("徽商卡干嘛的", "measure_huishang_service_card", 0.9), *bot(card13, policy_card(13)),
                      rating(card13, "wechat", rating="useful"), rating(card13, "wechat", rating="not_useful")],
        "abc": [user("担保费补贴", "measure_fiscal_funds_and_guarantee", 0.9), *bot(card10, policy_card(10)),
                rating(card10, "webchat", rating="useful")],
    }  # fmt: skip
    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))

    async def save_all() -> None:
        for sender, events in conversations.items():
            await store.save(DialogueStateTracker.from_events(sender, events))

    asyncio.run(save_all())
    decisions = tmp_path / "decisions.jsonl"
    decision = {"text": "徽商卡干嘛的", "kind": "measure", "intent": "measure_huishang_service_card", "by": "alice",
                "at": 1764770000, "file": "data/nlu/reviewed.yml"}  # fmt: skip
    decisions.write_text(json.dumps(decision, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert report_main(["--tracker-store", f"sqlite:///{db}", "--out", str(out), "--decisions", str(decisions)]) == 0

    def rows(name: str) -> List[Dict[str, str]]:
        with (out / name).open(encoding="utf-8-sig") as handle:
            return list(csv.DictReader(handle))

    by_measure = {(r["measure"], r["channel"]): (r["useful"], r["not_useful"]) for r in rows("feedback_by_measure.csv")}
    # The latest rating of an answer counts: wechat's 有用 was changed to 没用.
    assert by_measure == {("第13条", "telegram"): ("0", "1"), ("第13条", "wechat"): ("0", "1"),
                          ("第10条", "webchat"): ("1", "0")}  # fmt: skip
    [worst] = rows("worst_rated_answers.csv")
    assert worst["not_useful"] == "2" and worst["citations"] == "第13条" and worst["answer"] == card13
    assert "信息不全×1" in worst["reasons"] and "没说去哪办" in worst["comments"]
    [decided] = rows("review_decisions.csv")
    assert (decided["by"], decided["decision"], decided["text"]) == ("alice", "measure", "徽商卡干嘛的")
