"""Answer feedback without a server: the reference that ties a rating to its answer, the checks on
what clients send, and what a WeChat message counts as a rating (never a numbered choice)."""

from __future__ import annotations

import pytest

from bot.channels.feedback import (
    FeedbackError,
    answer_ref,
    answers,
    label,
    make_feedback,
    refs_of_reply,
)
from bot.channels.wechat.feedback_reply import TypedRating, parse
from bot.channels.wechat.render import render_reply

CARD = {"kind": "policy", "citations": [13], "verdict": None}
ANSWER = "徽商服务卡（第13条）\n\n持卡人享受绿色通道。\n\n还想了解什么？"


def _bot(text=None, card=None, buttons=None):
    data = {"custom": {"answer_card": card}} if card else {}
    if buttons:
        data["buttons"] = buttons
    return {"event": "bot", "text": text, "data": data}


def _events(*answers_and_feedback):
    return [event for item in answers_and_feedback for event in item]


def test_the_server_and_a_rest_client_compute_the_same_reference() -> None:
    # The tracker holds the whole text; the REST channel cuts it at blank lines.
    events = [{"event": "user", "text": "徽商服务卡有什么用"}, _bot(ANSWER), _bot(card=CARD)]
    rest_reply = [{"text": part} for part in ANSWER.split("\n\n")] + [{"custom": {"answer_card": CARD}}]
    [rated] = answers(events)
    assert refs_of_reply(rest_reply) == [rated.ref] == [answer_ref([ANSWER])]
    assert rated.question == events[0]


def test_only_answers_from_the_policy_can_be_rated() -> None:
    need_info = {"kind": "eligibility", "citations": [10], "verdict": "need_info"}
    events = [
        {"event": "user", "text": "a"}, _bot("不在范围"), _bot(card={"kind": "out_of_scope", "citations": []}),
        {"event": "user", "text": "b"}, _bot("请问担保费率是多少？"), _bot(card=need_info),
        {"event": "user", "text": "c"}, _bot("你好"),
    ]  # fmt: skip
    assert answers(events) == []
    assert refs_of_reply([{"text": "不在范围"}, {"custom": {"answer_card": {"kind": "fallback"}}}]) == []


def test_the_latest_rating_of_an_answer_wins_and_lands_on_that_answer() -> None:
    first, second = "第13条的回答", "第10条的回答"
    events = [
        {"event": "user", "text": "q1"}, _bot(first), _bot(card=CARD),
        {"event": "user", "text": "q2"}, _bot(second), _bot(card={**CARD, "citations": [10]}),
    ]  # fmt: skip
    ref = answer_ref([first])
    for raw in (
        {"answer_ref": ref, "rating": "not_useful"},
        {"answer_ref": ref, "rating": "not_useful", "reason": "incomplete", "comment": "没说去哪办"},
    ):
        events.append({"event": "agent", "text": None, "data": make_feedback(raw, "telegram").as_data()})
    rated = answers(events)
    assert rated[0].feedback["reason"] == "incomplete" and rated[0].feedback["comment"] == "没说去哪办"
    assert rated[1].feedback is None  # a rating of an older answer stays on it
    assert label(rated[0].feedback) == "没用（信息不全：没说去哪办）"


@pytest.mark.parametrize(
    "raw, problem",
    [
        (None, "object"),
        ({"answer_ref": "xyz", "rating": "useful"}, "answer_ref"),
        ({"answer_ref": "0123abcd", "rating": "great"}, "rating"),
        ({"answer_ref": "0123abcd", "rating": "useful", "reason": "unclear"}, "reason"),
        ({"answer_ref": "0123abcd", "rating": "not_useful", "reason": "because"}, "reason"),
        ({"answer_ref": "0123abcd", "rating": "not_useful", "comment": "x" * 501}, "at most"),
        ({"answer_ref": "0123abcd", "rating": "useful", "comment": "好"}, "comment"),
    ],
)
def test_malformed_ratings_are_refused(raw, problem: str) -> None:
    with pytest.raises(FeedbackError, match=problem):
        make_feedback(raw, "webchat")


def test_a_comment_alone_counts_as_the_reason_other() -> None:
    feedback = make_feedback({"answer_ref": "0123abcd", "rating": "not_useful", "comment": " 太长了 "}, "webchat")
    assert (feedback.reason, feedback.comment) == ("other", "太长了")


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("有用", TypedRating("useful")),
        ("没用！", TypedRating("not_useful")),
        ("没用 信息不全", TypedRating("not_useful", "incomplete")),
        ("b", TypedRating(None, "incomplete")),
        ("D 没说去哪办", TypedRating(None, "other", "没说去哪办")),
        ("1", None),  # a number answers a numbered choice, never a rating
        ("２", None),
        ("有用吗", None),  # a question about usefulness is a question
        ("徽商服务卡有什么用", None),
        ("Dave", None),
    ],
)
def test_what_a_wechat_message_counts_as(typed: str, expected) -> None:
    assert parse(typed) == expected


def test_wechat_invites_a_rating_under_a_policy_answer_only() -> None:
    rated = render_reply([{"text": ANSWER}, {"custom": {"answer_card": CARD}}])
    assert rated.pieces[-1].endswith("回复“有用”或“没用”。")
    choices = [{"title": "信用", "payload": "/inform"}, {"title": "抵押", "payload": "/inform2"}]
    asking = render_reply(
        [{"text": "请问反担保方式？", "buttons": choices},
         {"custom": {"answer_card": {"kind": "eligibility", "citations": [10], "verdict": "need_info"}}}]
    )  # fmt: skip
    assert "有用" not in asking.pieces[-1] and asking.pieces[-1].endswith("2. 抵押")
