"""The staff console in a real browser (headless Chromium): it says before staff type when a reply
cannot reach the user, and marks a reply that did not arrive (WeChat conversations, fake WeChat API)."""

from __future__ import annotations

import secrets
import time
from typing import Iterator

import pytest

from bot.channels.wechat.customer_service import WINDOW_CLOSED
from tests.support.wechat_messages import server_wechat_api
from tests.test_console_delivery import handed_over_events
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server


def paused_wechat_conversation(assistant: AssistantClient, last_user_at: float) -> str:
    openid = "o" + secrets.token_urlsafe(20)[:27]
    assistant.append_events(f"wechat:{openid}", handed_over_events(last_user_at))
    return openid


@pytest.fixture
def staff_page(chromium, assistant: AssistantClient) -> Iterator:
    staff_context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        page = staff_context.new_page()
        page.goto(f"{assistant.rasa_url}/console/")
        page.fill("input[name=token]", assistant.console_token)
        page.click("button[type=submit]")
        yield page
    finally:
        staff_context.close()


def open_conversation(page, sender: str) -> None:
    row = page.locator(f".conversations li[data-sender='{sender}']")
    row.wait_for(timeout=20_000)
    row.click()
    page.locator("#turns li.user").first.wait_for(timeout=10_000)


def test_the_console_says_before_staff_type_that_a_wechat_user_is_out_of_reach(
    staff_page, assistant: AssistantClient
) -> None:
    openid = paused_wechat_conversation(assistant, time.time() - 49 * 3600)
    open_conversation(staff_page, f"wechat:{openid}")
    notice = staff_page.locator("#delivery")
    notice.wait_for(state="visible", timeout=10_000)
    assert "48 小时" in notice.inner_text()
    assert staff_page.locator("#reply-text").is_disabled()
    assert staff_page.locator("#reply button[type=submit]").is_disabled()


def test_a_reply_wechat_refuses_shows_as_not_delivered(staff_page, assistant: AssistantClient) -> None:
    api = server_wechat_api()
    openid = paused_wechat_conversation(assistant, time.time() - 60)
    open_conversation(staff_page, f"wechat:{openid}")
    assert staff_page.locator("#delivery").is_hidden()
    api.refuse(openid, WINDOW_CLOSED)
    try:
        staff_page.fill("#reply-text", "您好，请问还在吗？")
        staff_page.click("#reply button[type=submit]")
        staff_page.locator("#error").wait_for(state="visible", timeout=20_000)
        assert "48 小时" in staff_page.locator("#error").inner_text()
        staff = staff_page.locator("#turns li.staff").last
        staff.wait_for(timeout=10_000)
        assert "您好，请问还在吗？" in staff.inner_text() and "未送达" in staff.inner_text()
        # From now on the console says so before staff type.
        staff_page.locator("#delivery").wait_for(state="visible", timeout=10_000)
    finally:
        api.refusals.pop(openid, None)
    assert api.texts_to(openid) == []
