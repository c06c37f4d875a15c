"""How the chat channels turn the assistant's messages into plain text (shared by Telegram and WeChat)."""

from __future__ import annotations

import pytest

from bot.channels.reply_text import card_footer, numbered_choices, split_text, utf8_size, utf16_size
from bot.channels.telegram.render import CallbackPayloads, render_reply
from bot.channels.wechat.choices import PendingChoices


@pytest.mark.parametrize(
    "card, footer",
    [
        ({"kind": "policy", "citations": [13], "verdict": None}, "📄 依据：第13条"),
        ({"kind": "eligibility", "citations": [10], "verdict": "eligible"}, "📄 依据：第10条｜结论：符合条件"),
        ({"kind": "eligibility", "citations": [10], "verdict": "not_eligible"}, "📄 依据：第10条｜结论：不符合条件"),
        ({"kind": "match", "citations": [4, 13], "verdict": None}, "📄 依据：第4条、第13条"),
        ({"kind": "out_of_scope", "citations": [], "verdict": None}, None),
    ],
)
def test_card_footer_cites_the_measures_and_the_verdict(card, footer) -> None:
    assert card_footer(card) == footer


def test_split_text_keeps_every_character_and_prefers_natural_breaks() -> None:
    text = "第一段。" * 30 + "\n\n" + "第二段，很长的一句话" * 40
    pieces = split_text(text, 300, utf8_size)
    assert all(utf8_size(p) <= 300 for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    assert pieces[0].endswith("。")  # cut after a sentence, not inside one
    assert split_text("短", 10) == ["短"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]  # no break at all: cut hard


def test_telegram_length_counts_utf16_code_units() -> None:
    assert utf16_size("第10条") == 4
    assert utf16_size("📄") == 2


def test_rest_paragraphs_of_one_answer_become_one_telegram_message() -> None:
    messages = [
        {"text": "【第13条】第一段"},
        {"text": "第二段", "buttons": [{"title": "谁能办", "payload": "/ask_followup"}]},
        {"text": "还有问题吗？"},
        {"custom": {"answer_card": {"kind": "policy", "citations": [13]}}},
        {"custom": {"something_else": 1}},
    ]
    first, second = render_reply(messages)
    assert first.text == "【第13条】第一段\n\n第二段" and first.buttons[0]["payload"] == "/ask_followup"
    assert second.text == "还有问题吗？\n\n📄 依据：第13条" and second.buttons == []


def test_long_button_payloads_are_kept_under_a_short_key() -> None:
    payloads = CallbackPayloads(capacity=2)
    long = "/inform" + '{"applicant_role": "guarantee_institution", "counter_guarantee": "mortgage"}'
    key = payloads.callback_data(long)
    assert len(key.encode()) <= 64 and payloads.payload(key) == long
    assert payloads.callback_data("/affirm") == "/affirm"
    payloads.callback_data(long + "1")
    payloads.callback_data(long + "2")
    assert payloads.payload(key) is None  # forgotten: the bridge says the button expired


def test_numbered_choices_and_picking_one() -> None:
    buttons = [{"title": "信用", "payload": "/a"}, {"title": "抵押", "payload": "/b"}]
    assert numbered_choices(buttons, "回复数字选择：") == "回复数字选择：\n1. 信用\n2. 抵押"
    choices = PendingChoices(ttl_s=60)
    assert choices.payload_for("o1", "1") is None  # nothing offered yet
    choices.remember("o1", buttons)
    assert [choices.payload_for("o1", t) for t in ["1", " 2 ", "２", "抵押", "3", "0", "你好"]] == [
        "/a", "/b", "/b", "/b", None, None, None
    ]  # fmt: skip
    assert choices.payload_for("o2", "1") is None  # choices belong to one OpenID
    choices.remember("o1", [])
    assert choices.payload_for("o1", "1") is None
    expired = PendingChoices(ttl_s=-1)
    expired.remember("o1", buttons)
    assert expired.payload_for("o1", "1") is None
