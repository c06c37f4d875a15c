"""The staff console's queue and case panel in a real browser (headless Chromium) against the
running assistant: conversations held over REST, handed to staff, then found, filtered and opened
by a signed-in staff member."""

from __future__ import annotations

import time
import uuid

from tests.support.browser import screenshot
from tests.support.console_api import set_on_duty
from tools.assistant_client import AssistantClient

WAIT_MS = 20_000


def sign_in(page, assistant: AssistantClient) -> None:
    page.goto(f"{assistant.rasa_url}/console/")
    page.fill("input[name=token]", assistant.console_token)
    page.click("button[type=submit]")


def test_staff_see_the_case_and_find_it_by_department_channel_status_and_words(
    chromium, assistant: AssistantClient
) -> None:
    tag = uuid.uuid4().hex[:8]
    fee, card, late = f"test-fee-{tag}", f"test-card-{tag}", f"test-late-{tag}"
    unanswered = assistant.ask(fee, "个人所得税怎么退")
    assert unanswered.card and unanswered.card["kind"] in ("out_of_scope", "fallback"), unanswered.messages
    check = assistant.ask(fee, "我们担保公司年化费率1.1%，能申请担保费补贴吗")
    assert check.card and check.card["verdict"] == "need_info", check.messages
    set_on_duty(assistant, True)  # a staff console is open (its heartbeat), else 转人工 offers the hotline
    try:
        assert assistant.ask(fee, "转人工").card["handoff"] == "staff"
    finally:
        set_on_duty(assistant, False)
    assistant.ask(card, "徽商服务卡有什么用")
    assistant.ask(late, "技改有什么补贴")
    # Handed over ten minutes ago (the event's own time): past any first-reply target.
    assistant.append_events(late, [{"event": "pause", "timestamp": time.time() - 600}])

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        sign_in(page, assistant)
        row = {sender: page.locator(f".conversations li[data-sender='{sender}']") for sender in (fee, card, late)}
        row[fee].wait_for(timeout=WAIT_MS)
        row[late].wait_for(timeout=WAIT_MS)

        # The queue: the longest wait first; the wait said in words, and past the target said so.
        senders = page.locator(".conversations li").evaluate_all("items => items.map(li => li.dataset.sender)")
        assert senders.index(late) < senders.index(fee) < senders.index(card)
        assert row[fee].locator(".badge.paused").inner_text() == "待人工"
        assert "已等待" in row[fee].locator(".wait").inner_text()
        overdue = row[late].locator(".wait")
        assert overdue.get_attribute("data-overdue") == "true" and "overdue" in overdue.get_attribute("class")
        assert "超过" in overdue.inner_text() and "目标" in overdue.inner_text()
        assert row[card].locator(".wait").count() == 0
        assert "省财政" in row[fee].locator(".departments").inner_text()  # 第10条 names it
        assert "REST" in row[fee].locator(".badge.channel").inner_text()

        # Filters: a department only 第13条 names, then a status, then the channel.
        page.select_option("#filter-department", "省有关职能部门")
        row[fee].wait_for(state="detached", timeout=WAIT_MS)
        row[card].wait_for(timeout=WAIT_MS)
        assert row[late].count() == 0
        page.select_option("#filter-department", "")
        page.select_option("#filter-status", "waiting")
        row[card].wait_for(state="detached", timeout=WAIT_MS)
        row[fee].wait_for(timeout=WAIT_MS)
        assert row[late].count() == 1
        page.select_option("#filter-status", "")
        page.select_option("#filter-channel", "wechat")
        row[fee].wait_for(state="detached", timeout=WAIT_MS)
        assert row[card].count() == 0 and row[late].count() == 0
        page.select_option("#filter-channel", "rest")
        row[card].wait_for(timeout=WAIT_MS)

        # Search by the user's own words.
        page.fill("#filter-q", "个人所得税怎么退")
        row[card].wait_for(state="detached", timeout=WAIT_MS)
        row[fee].wait_for(timeout=WAIT_MS)
        assert row[late].count() == 0

        # The case at the top of the conversation.
        row[fee].click()
        case = page.locator("#case")
        case.locator(".case-verdict").wait_for(timeout=WAIT_MS)
        assert "第10条" in case.locator(".case-measures").inner_text()
        assert "省财政" in case.locator(".case-measures").inner_text()
        facts = case.locator(".case-facts").inner_text()
        assert "申请主体" in facts and "融资担保机构" in facts and "1.1%" in facts
        verdict = case.locator(".case-verdict")
        assert "还需补充信息" in verdict.inner_text() and verdict.locator(".missing li").count() >= 1
        assert "个人所得税怎么退" in case.locator(".case-unanswered").inner_text()
        head = case.locator(".case-head").inner_text()
        assert "待人工" in head and "REST" in head and "已等待" in head
        screenshot(page, "console-case.png")

        # From the keyboard: a row opens with Enter.
        page.fill("#filter-q", "")
        row[card].wait_for(timeout=WAIT_MS)
        row[card].locator("button.open").focus()
        page.keyboard.press("Enter")
        page.locator("#title", has_text=card).wait_for(timeout=WAIT_MS)
        assert "没有做过资格判断" in case.locator(".case-verdict").inner_text()
        page.click("form[action='/console/logout'] button")  # signed out: off duty at once (docs/HOTLINE.md)
        page.locator("input[name=token]").wait_for(timeout=WAIT_MS)
    finally:
        context.close()


def test_a_call_back_case_shows_its_own_badge_with_the_masked_number_and_when_it_was_left(
    chromium, assistant: AssistantClient
) -> None:
    sender = f"test-callback-{uuid.uuid4().hex[:8]}"
    assistant.ask(sender, "徽商服务卡有什么用")
    left = time.time() - 300  # the number was left five minutes ago (the event's own time)
    record = {"stage": "callback", "channel": "rest", "question": "要准备哪些材料", "phone": "13912345678"}
    assistant.append_events(sender, [{"event": "agent", "data": {"handoff": record}, "timestamp": left}])

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        sign_in(page, assistant)
        row = page.locator(f".conversations li[data-sender='{sender}']")
        row.wait_for(timeout=WAIT_MS)
        assert row.get_attribute("data-status") == "callback"
        assert row.locator(".badge.callback").inner_text() == "待回电"
        wait = row.locator(".wait.callback").inner_text()
        assert "待回电 139****5678" in wait and "留言于" in wait, wait
        assert "转人工" not in row.inner_text()  # not the wording of a conversation handed to staff
        assert "13912345678" not in row.inner_text()  # the whole number is for the case view only
    finally:
        context.close()
