"""The web chat history and the staff console views, read from tracker events (no server needed)."""

from __future__ import annotations

from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)

from bot.channels.webchat.assets import valid_session_id
from bot.channels.webchat.conversations import console_turns, paused, summary, transcript

CARD = {"answer_card": {"kind": "policy", "citations": [13], "verdict": None}}


def _events() -> list:
    parse = {
        "intent": {"name": "measure_huishang_service_card", "confidence": 0.91},
        "intent_ranking": [
            {"name": "measure_huishang_service_card", "confidence": 0.91},
            {"name": "ask_followup", "confidence": 0.05},
        ],
        "entities": [],
    }
    events = [
        ActionExecuted("action_listen"),
        UserUttered("徽商服务卡有什么用", parse_data=parse, input_channel="webchat", timestamp=1.0),
        ActionExecuted("action_answer_measure"),
        BotUttered("【第13条】…", data={"buttons": [{"title": "谁能办", "payload": "/ask"}]}, timestamp=2.0),
        BotUttered(None, data={"custom": CARD}, timestamp=2.1),
        UserUttered(
            "/request_human",
            parse_data={"intent": {"name": "request_human", "confidence": 1.0}},
            input_channel="webchat",
            metadata={"shown_text": "转人工"},
            timestamp=3.0,
        ),  # fmt: skip
        ConversationPaused(timestamp=3.5),
        BotUttered("您好，我是热线工作人员", metadata={"staff": True}, timestamp=4.0),
    ]
    return [event.as_dict() for event in events]


def test_transcript_shows_what_the_user_saw_in_order() -> None:
    messages = transcript(_events())
    assert [m["from"] for m in messages] == ["user", "bot", "bot", "user", "staff"]
    assert messages[1]["buttons"] == [{"title": "谁能办", "payload": "/ask"}]
    assert messages[2]["card"]["citations"] == [13]
    # A button click shows its title, not its payload.
    assert messages[3]["text"] == "转人工"


def test_pause_and_resume_decide_who_has_the_conversation() -> None:
    events = _events()
    assert paused(events)
    assert not paused(events + [ConversationResumed().as_dict()])


def test_console_turns_carry_the_intent_ranking_and_citations() -> None:
    turns = console_turns(_events())
    user = turns[0]
    assert user["intent"] == "measure_huishang_service_card"
    assert [r["intent"] for r in user["ranking"]] == ["measure_huishang_service_card", "ask_followup"]
    # The card is shown with the text it follows.
    assert turns[1]["citations"] == [13] and turns[1]["card_kind"] == "policy"
    assert turns[2]["from"] == "user"
    assert {"from": "system", "event": "pause", "time": 3.5} in turns
    assert turns[-1]["from"] == "staff"


def test_summary_lists_paused_conversations_with_their_citations() -> None:
    row = summary("abc", _events())
    assert row is not None
    assert row["paused"] and row["citations"] == [13] and row["channels"] == ["webchat"]
    assert row["user_messages"] == 2
    assert summary("empty", [ActionExecuted("action_listen").as_dict()]) is None


def test_only_server_issued_session_ids_are_taken_back() -> None:
    assert valid_session_id("0123456789abcdef0123456789abcdef")
    for bad in ["123456789", "test-abc", "../../etc", "0123456789ABCDEF0123456789ABCDEF", None, 42, ""]:
        assert not valid_session_id(bad)
