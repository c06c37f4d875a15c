"""The staff console's conversation list read from the real tracker stores (SQLite and PostgreSQL):
every conversation waiting for a person is listed however many newer ones there are, the most
recent conversations come next, and staff can search and filter them."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    AgentUttered,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.webchat import console_queue
from bot.paths import DOMAIN
from bot.stores.bounded_tracker_store import BoundedSQLTrackerStore
from bot.stores.sqlite_tracker_store import SQLiteTrackerStore


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, domain: Domain, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        made = SQLiteTrackerStore(domain=domain, db=str(tmp_path / "tracker.db"))
        made.reopened = lambda: SQLiteTrackerStore(domain=domain, db=str(tmp_path / "tracker.db"))
    else:
        # A database of its own per test: the list reads every conversation of the store.
        import sqlalchemy

        url = request.getfixturevalue("postgres_database")
        name = f"q{uuid.uuid4().hex[:10]}"
        admin = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{name}"'))
        admin.dispose()
        made = BoundedSQLTrackerStore(domain=domain, host=f"{url}?options=-csearch_path%3D{name}")
        made.reopened = lambda: BoundedSQLTrackerStore(domain=domain, host=f"{url}?options=-csearch_path%3D{name}")
    yield made
    made.engine.dispose()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def turn(text: str, at: float, channel: str = "webchat", card: dict | None = None) -> List[Event]:
    events: List[Event] = [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(
            text,
            intent={"name": "measure_huishang_service_card", "confidence": 0.9},
            input_channel=channel,
            timestamp=at,
        ),  # fmt: skip
        ActionExecuted("action_answer_measure", timestamp=at + 0.1),
        BotUttered(f"回答：{text}", timestamp=at + 0.2),
    ]
    if card is not None:
        events.append(BotUttered(None, data={"custom": {"answer_card": card}}, timestamp=at + 0.3))
    return events


async def save(store: Any, sender: str, events: List[Event]) -> None:
    """Saved as the server saves a turn: read the tracker, add the events, save."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, store.domain.slots)
        tracker.update(ActionExecuted("action_session_start", timestamp=events[0].timestamp))
        tracker.update(SessionStarted(timestamp=events[0].timestamp))
    for event in events:
        tracker.update(event)
    await store.save(tracker)


@pytest.fixture(autouse=True)
def _knowledge(knowledge_db: str) -> None:
    """The departments come from the knowledge base."""


def listed(store: Any, **filters: Any) -> List[dict]:
    return run(console_queue.list_conversations(store, **filters))


def test_a_waiting_conversation_is_listed_first_behind_any_number_of_newer_ones(store: Any) -> None:
    # "aa…" sorts before every newer sender id: a list of the alphabetically last ids hides it.
    waiting = "aa-waiting-" + uuid.uuid4().hex[:6]
    run(save(store, waiting, turn("转人工", 1000.0) + [ConversationPaused(timestamp=1000.5)]))
    for n in range(230):
        run(save(store, f"zz-newer-{n:03d}", turn(f"徽商服务卡有什么用{n}", 2000.0 + n, channel="telegram")))

    rows = listed(store)
    assert rows[0]["sender_id"] == waiting
    assert rows[0]["paused"] is True
    # Then the most recent conversations, newest first.
    others = [row["sender_id"] for row in rows[1:]]
    assert others[:3] == ["zz-newer-229", "zz-newer-228", "zz-newer-227"]
    assert len(others) >= 200


def test_staff_find_a_conversation_by_its_words_and_filter_by_channel_department_and_status(store: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    card13 = {"kind": "policy", "citations": [13], "measure": "huishang_service_card"}
    card10 = {"kind": "eligibility", "citations": [10], "measure": "guarantee_fee_subsidy", "verdict": "need_info"}
    run(save(store, f"card-{tag}", turn("徽商服务卡有什么用", 10.0, channel="wechat", card=card13)))
    run(save(store, f"fee-{tag}", turn("担保费补贴100%_怎么算", 20.0, channel="telegram", card=card10)))
    run(save(store, f"wait-{tag}", turn("我要找人工", 30.0) + [ConversationPaused(timestamp=30.5)]))
    staff_reply = BotUttered("您好，我是热线工作人员", metadata={"staff": True}, timestamp=41.0)
    run(save(store, f"served-{tag}", turn("转人工", 40.0) + [ConversationPaused(timestamp=40.5), staff_reply]))
    back = [ConversationPaused(timestamp=50.5), ConversationResumed(timestamp=51.0)]
    run(save(store, f"back-{tag}", turn("转人工", 50.0) + back))

    def senders(**filters: Any) -> List[str]:
        return [row["sender_id"].split("-")[0] for row in listed(store, **filters)]

    assert senders(q="徽商服务卡") == ["card"]
    # The user's words are matched literally: % and _ are not wildcards.
    assert senders(q="100%_") == ["fee"]
    assert senders(q="no such words anywhere") == []
    assert senders(q=f"fee-{tag}") == ["fee"]  # the id itself
    assert senders(channel="wechat") == ["card"]
    assert senders(department="省财政") == ["fee"]  # 第10条 names it
    assert "card" in senders(department="安徽省经济和信息化厅") and "fee" in senders(department="安徽省经济和信息化厅")
    assert senders(status="waiting") == ["wait"]
    assert senders(status="staff") == ["served"]
    assert senders(status="bot")[:3] == ["back", "fee", "card"]
    rows = {row["sender_id"].split("-")[0]: row for row in listed(store)}
    assert rows["fee"]["departments"] == ["省财政", "工信部、财政部", "安徽省经济和信息化厅"]
    assert rows["fee"]["measures"] == ["guarantee_fee_subsidy"] and rows["fee"]["citations"] == [10]
    assert rows["wait"]["handoff_time"] == 30.5 and rows["wait"]["first_staff_reply_time"] is None
    assert rows["served"]["first_staff_reply_time"] == 41.0
    assert rows["back"]["paused"] is False and rows["back"]["handoff_time"] is None
    for wrong in ({"channel": "fax"}, {"status": "lost"}, {"department": "不存在的部门"}, {"q": "长" * 101}):
        with pytest.raises(ValueError):
            listed(store, **wrong)


def test_conversations_stored_before_the_summaries_existed_are_listed(store: Any, domain: Domain) -> None:
    import sqlalchemy

    from bot.stores import conversation_index

    run(save(store, "older-one", turn("徽商服务卡有什么用", 5.0) + [ConversationPaused(timestamp=6.0)]))
    run(save(store, "older-two", turn("技改补贴", 7.0, channel="telegram")))
    with store.engine.begin() as connection:
        connection.execute(sqlalchemy.text(f"DROP TABLE {conversation_index.SUMMARY_TABLE}"))
    # A server of this version starting on that database builds them from the stored events.
    url = store.engine.url
    where = {"db": url.database} if "sqlite" in url.drivername else {"host": str(url)}
    reopened = type(store)(domain=domain, **where)
    try:
        rows = listed(reopened)
        assert [row["sender_id"] for row in rows] == ["older-one", "older-two"]
        assert rows[0]["status"] == "waiting" and rows[1]["channels"] == ["telegram"]
    finally:
        reopened.engine.dispose()


def test_the_message_loops_bounded_save_keeps_the_summary(store: Any) -> None:
    from bot.stores.bounded_tracker_store import recent_events_only

    sender = f"loop-{uuid.uuid4().hex[:6]}"
    for n in range(30):  # longer than the bounded view: the checkpoint moves
        with recent_events_only():
            tracker = run(store.retrieve(sender))
        if tracker is None:
            tracker = DialogueStateTracker(sender, store.domain.slots)
        for event in turn(f"问题{n}", 100.0 + n):
            tracker.update(event)
        run(store.save(tracker))
    [row] = [row for row in listed(store, q=sender)]
    assert row["user_messages"] == 30 and row["last_user_text"] == "问题29" and row["last_time"] == 129.2


def test_the_retention_purge_removes_a_conversations_summary_with_its_events(store: Any) -> None:
    from bot.stores.retention import purge

    run(save(store, "stale-one", turn("徽商服务卡有什么用", 1000.0)))
    run(save(store, "fresh-one", turn("技改补贴", 10 * 86_400.0)))
    assert purge(str(store.engine.url), days=5, now=10 * 86_400.0 + 1).conversations == 1
    assert [row["sender_id"] for row in listed(store)] == ["fresh-one"]


@pytest.mark.asyncio
async def test_the_list_refuses_filters_it_does_not_know_with_a_400(monkeypatch, knowledge_db: str) -> None:
    import httpx

    from tests.test_staff_sessions import TOKEN, console_server

    monkeypatch.delenv("HANDOFF_TARGET_MINUTES", raising=False)
    staff = {"Authorization": f"Bearer {TOKEN}"}
    async with console_server(monkeypatch) as base, httpx.AsyncClient() as http:
        listed = await http.get(f"{base}/console/api/conversations", headers=staff)
        assert listed.status_code == 200 and listed.json()["conversations"] == []
        assert "省财政" in listed.json()["options"]["departments"] and listed.json()["target_s"] == 180
        for query in ("channel=fax", "status=lost", "department=%E4%B8%8D%E5%AD%98%E5%9C%A8", "q=" + "x" * 101):
            refused = await http.get(f"{base}/console/api/conversations?{query}", headers=staff)
            assert refused.status_code == 400 and refused.json()["error"], query
        # A search is words, never SQL: a quote or a wildcard finds nothing and breaks nothing.
        quoted = await http.get(f"{base}/console/api/conversations", params={"q": "' OR 1=1 --%"}, headers=staff)
        assert quoted.status_code == 200 and quoted.json()["conversations"] == []


def test_the_list_says_when_more_conversations_are_held_than_its_cap_lists(store: Any) -> None:
    for n in range(3):
        run(save(store, f"held-{n}", turn("转人工", 1000.0 + n) + [ConversationPaused(timestamp=1000.5 + n)]))
    run(save(store, "bot-only", turn("徽商服务卡有什么用", 3000.0)))

    capped = run(console_queue.queue_page(store, {}, held=2))
    assert capped["held_capped"] is True and capped["max_held"] == 2
    # The longest-held two, then the others: the cap never hides the bot's conversations.
    assert [row["sender_id"] for row in capped["conversations"]] == ["held-0", "held-1", "bot-only"]

    whole = run(console_queue.queue_page(store, {}, held=3))
    assert whole["held_capped"] is False
    assert [row["sender_id"] for row in whole["conversations"]][:3] == ["held-0", "held-1", "held-2"]
    assert run(console_queue.queue_page(store, {"status": "bot"}, held=2))["held_capped"] is False


def callback_left(at: float, phone: str = "13912345678") -> List[Event]:
    record = {"stage": "callback", "channel": "webchat", "question": "要准备哪些材料", "phone": phone}
    return [AgentUttered(data={"handoff": record}, timestamp=at)]


def test_a_call_back_case_is_listed_with_its_number_masked_until_it_is_done(store: Any) -> None:
    run(save(store, "left-a-number", turn("转人工", 1000.0) + callback_left(1001.0)))
    row = next(r for r in listed(store) if r["sender_id"] == "left-a-number")
    assert row["status"] == "callback" and row["handoff_time"] == 1001.0
    assert row["callback_phone"] == "139****5678"

    done = {"stage": "callback_done", "at": 1100.0}
    run(save(store, "left-a-number", [AgentUttered(data={"handoff": done}, timestamp=1100.0)]))
    row = next(r for r in listed(store) if r["sender_id"] == "left-a-number")
    assert row["status"] == "bot" and row["callback_phone"] is None


def test_a_summary_table_made_before_the_call_back_number_column_gets_it_on_start(store: Any) -> None:
    import sqlalchemy

    run(save(store, "left-before", turn("转人工", 1000.0) + callback_left(1001.0, "0551-62345678")))
    with store.engine.begin() as connection:  # the table as an older release made it
        connection.execute(sqlalchemy.text("ALTER TABLE console_conversations DROP COLUMN callback_phone"))
    reopened = store.reopened()
    try:
        row = next(r for r in listed(reopened) if r["sender_id"] == "left-before")
        assert row["status"] == "callback" and row["callback_phone"] == "055*****5678"
    finally:
        reopened.engine.dispose()
