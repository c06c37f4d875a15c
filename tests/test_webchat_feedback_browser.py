"""Rating an answer in the web chat widget (headless Chromium against the running assistant):
有用 / 没用 under the answer, a reason after 没用, stored in the conversation and kept across a reload."""

from __future__ import annotations

import pytest

from tests.support.browser import ANSWER_TIMEOUT_MS, ask
from tests.test_answer_feedback import console_turns, ratings
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server


def test_not_useful_with_a_reason_is_stored_and_shown_after_a_reload(widget, assistant: AssistantClient) -> None:
    page = widget
    session = page.locator("#wanqi-webchat").get_attribute("data-session")
    ask(page, "徽商服务卡有什么用")
    row = page.locator(".wq-bot").last.locator(".wq-feedback")
    row.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert row.locator(".wq-feedback-rate").all_inner_texts() == ["有用", "没用"]
    row.locator("[data-rating=not_useful]").click()
    page.wait_for_function(
        "() => document.querySelector('#wanqi-webchat').shadowRoot.querySelector('.wq-feedback[data-state=why]')"
    )
    assert row.locator(".wq-feedback-reason").all_inner_texts() == ["答非所问", "信息不全", "看不懂", "其他"]
    row.locator("[data-reason=incomplete]").click()
    row.locator(".wq-feedback-comment").fill("没有说去哪个窗口办")
    row.locator(".wq-feedback-submit").click()
    page.wait_for_function(
        "() => document.querySelector('#wanqi-webchat').shadowRoot.querySelector('.wq-feedback[data-state=done]')"
    )
    stored = ratings(assistant, session)
    assert [(r["rating"], r.get("reason"), r.get("comment"), r["channel"]) for r in stored] == [
        ("not_useful", None, None, "webchat"),
        ("not_useful", "incomplete", "没有说去哪个窗口办", "webchat"),
    ]
    [answer] = [t for t in console_turns(assistant, session) if t["from"] == "bot" and t.get("feedback")]
    assert answer["feedback"]["label"] == "没用（信息不全：没有说去哪个窗口办）" and 13 in answer["citations"]

    # The widget keeps the conversation across a reload; the rating given stays given.
    page.reload()
    page.wait_for_selector("#wanqi-webchat[data-ready=true]", state="attached", timeout=ANSWER_TIMEOUT_MS)
    page.locator(".wq-feedback[data-state=done]").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert page.locator(".wq-feedback-rate").count() == 0


def test_useful_is_one_click_and_the_chat_goes_on(widget, assistant: AssistantClient) -> None:
    page = widget
    session = page.locator("#wanqi-webchat").get_attribute("data-session")
    ask(page, "徽商服务卡有什么用")
    page.locator(".wq-bot .wq-feedback").last.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.locator(".wq-bot .wq-feedback [data-rating=useful]").last.click()
    page.locator(".wq-feedback[data-state=done]").wait_for(timeout=30_000)
    ask(page, "那怎么申请")
    page.wait_for_function(
        "() => document.querySelector('#wanqi-webchat').shadowRoot.querySelectorAll('.wq-feedback').length >= 2",
        timeout=ANSWER_TIMEOUT_MS,
    )
    assert "第13条" in page.locator(".wq-bot").last.inner_text()
    assert [r["rating"] for r in ratings(assistant, session)] == ["useful"]
