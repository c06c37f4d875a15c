"""The case staff see at the top of a handed-over conversation, read from tracker events and the
knowledge base (no server needed)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, SlotSet, UserUttered

from bot.channels.webchat import console_queue
from bot.channels.webchat.case import case_of


def user(text: str, intent: str, confidence: float, at: float, channel: str = "wechat") -> Dict[str, Any]:
    parse = {"intent": {"name": intent, "confidence": confidence}, "entities": []}
    return UserUttered(text, parse_data=parse, input_channel=channel, timestamp=at).as_dict()


def card(kind: str, at: float, **fields: Any) -> Dict[str, Any]:
    return BotUttered(None, data={"custom": {"answer_card": {"kind": kind, **fields}}}, timestamp=at).as_dict()


def conversation() -> List[Dict[str, Any]]:
    verdict = {
        "citations": [10], "measure": "guarantee_fee_subsidy", "verdict": "need_info",
        "reasons": [{"condition": "年化担保费率不超过1.2%", "met": True, "fact": "1%"},
                    {"condition": "被担保企业为省级专精特新中小企业", "met": None, "fact": None}],
        "next_question": "被担保（借款）的企业是省级专精特新中小企业吗？",
    }  # fmt: skip
    return [
        ActionExecuted("action_listen", timestamp=1.0).as_dict(),
        user("徽商服务卡有什么用", "measure_huishang_service_card", 0.93, 2.0),
        card("policy", 2.5, citations=[13], measure="huishang_service_card"),
        user("担保费率1%能拿补贴吗", "check_guarantee_fee_subsidy", 0.88, 3.0),
        SlotSet("applicant_role", "guarantee_institution", timestamp=3.1).as_dict(),
        SlotSet("guarantee_fee_rate", 1.0, timestamp=3.1).as_dict(),
        card("eligibility", 3.5, **verdict),
        user("你们食堂几点开饭", "out_of_scope", 0.97, 4.0),
        card("out_of_scope", 4.5, citations=[]),
        user("那个东西咋弄", "ask_followup", 0.31, 5.0),
        BotUttered("您想了解哪一条？", timestamp=5.5).as_dict(),
        user("转人工", "request_human", 0.99, 6.0),
        card("handoff", 6.2, citations=[]),
        ConversationPaused(timestamp=6.3).as_dict(),
    ]


def test_the_case_says_what_was_asked_the_facts_the_verdict_and_what_was_not_answered(knowledge_db: str) -> None:
    case = case_of("wx-1", conversation(), console_queue.directory())
    assert [m["number"] for m in case["measures"]] == [13, 10]
    assert "徽商服务卡" in case["measures"][0]["title"]
    assert "省财政" in case["measures"][1]["departments"]  # named by 第10条's contacts
    assert {f["label"]: f["value"] for f in case["facts"]} == {"申请主体": "融资担保机构", "年化担保费率": "1%"}
    assert case["verdict"]["verdict"] == "need_info" and case["verdict"]["measure"] == "guarantee_fee_subsidy"
    assert case["verdict"]["missing"] == ["被担保企业为省级专精特新中小企业"]
    assert [(q["text"], q["reason"]) for q in case["unanswered"]] == [
        ("你们食堂几点开饭", "out_of_scope"),
        ("那个东西咋弄", "low_confidence"),
    ]
    assert case["channel"] == "wechat" and case["status"] == "waiting" and case["handoff_time"] == 6.3


def test_a_conversation_without_a_check_or_a_handoff_has_an_empty_case(knowledge_db: str) -> None:
    events = conversation()[:3]
    case = case_of("wx-2", events, console_queue.directory())
    assert case["verdict"] is None and case["facts"] == [] and case["unanswered"] == []
    assert case["status"] == "bot" and case["handoff_time"] is None
    assert case_of("empty", [], {})["measures"] == []
