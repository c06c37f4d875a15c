"""第13条 徽商服务卡 end to end over the REST channel: text, citation and answer card."""

from __future__ import annotations

import pytest

from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server

EXPECTED_SOURCE = {"title_contains": "实施意见", "issuer": "安徽省经济和信息化厅", "date": "2021-06-30"}


def assert_cites_huishang_card(reply) -> dict:
    assert "第13条" in reply.text, reply.text
    card = reply.card
    assert card is not None, reply.messages
    assert card["kind"] == "policy"
    assert card["citations"] == [13]
    assert card["measure"] == "huishang_service_card"
    assert card["verdict"] is None
    assert card["source"]["issuer"] == EXPECTED_SOURCE["issuer"]
    assert card["source"]["date"] == EXPECTED_SOURCE["date"]
    assert EXPECTED_SOURCE["title_contains"] in card["source"]["title"]
    return card


def test_what_the_card_offers_lists_its_benefits(assistant: AssistantClient) -> None:
    reply = assistant.ask(assistant.new_sender(), "徽商服务卡有什么用")
    assert_cites_huishang_card(reply)
    for benefit in ("购房", "未成年子女上学", "优先预约省内医疗专家", "职称评审绿色通道", "乘机乘高铁绿色通道"):
        assert benefit in reply.text


def test_who_can_get_the_card(assistant: AssistantClient) -> None:
    reply = assistant.ask(assistant.new_sender(), "徽商服务卡谁能办")
    assert_cites_huishang_card(reply)
    assert "法定代表人" in reply.text and "优秀民营企业家" in reply.text


def test_how_to_get_the_card_points_to_the_management_rules(assistant: AssistantClient) -> None:
    reply = assistant.ask(assistant.new_sender(), "徽商服务卡怎么办")
    assert_cites_huishang_card(reply)
    assert "管理办法" in reply.text


def test_follow_up_questions_stay_on_the_card(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    assert_cites_huishang_card(assistant.ask(sender, "徽商服务卡有什么用"))
    reply = assistant.ask(sender, "那谁能办？")
    assert_cites_huishang_card(reply)
    assert "法定代表人" in reply.text


def test_traditional_characters_are_understood(assistant: AssistantClient) -> None:
    assert_cites_huishang_card(assistant.ask(assistant.new_sender(), "徽商服務卡有什麼用"))


def test_greeting_cites_nothing(assistant: AssistantClient) -> None:
    reply = assistant.ask(assistant.new_sender(), "你好")
    assert reply.text
    assert "第13条" not in reply.text
    assert reply.card is None
