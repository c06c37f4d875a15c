"""The web chat widget and the staff console in a real browser (headless Chromium) against the
running assistant: what a caller and a hotline agent see and click."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.browser import ANSWER_TIMEOUT_MS, ask, bot_turn_count, screenshot, wait_for_bot_turns
from tests.support.embedding_site import embedding_site
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server

XSS = '<img src=x onerror="window.__xss = 1">'


def http_status(url: str, headers: dict | None = None, data: bytes | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def test_question_shows_the_answer_with_its_citation_panel(widget, assistant: AssistantClient) -> None:
    page = widget
    # Record whether the typing indicator showed while the bot was answering.
    page.evaluate(
        """() => { const t = document.querySelector('#wanqi-webchat').shadowRoot.querySelector('.wq-typing');
        window.__typingShown = false;
        new MutationObserver(() => { if (!t.hidden) window.__typingShown = true; })
          .observe(t, {attributes: true}); }"""
    )
    before = bot_turn_count(page)
    ask(page, "徽商服务卡有什么用")
    card = page.locator(".wq-card[data-kind=policy]").last
    card.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert page.evaluate("window.__typingShown")
    assert bot_turn_count(page) == before + 1
    answer = page.locator(".wq-bot").last
    assert "第13条" in answer.locator(".wq-text").first.inner_text()
    chip = card.locator(".wq-citation")
    assert chip.all_inner_texts() == ["第13条"]
    assert "安徽省经济和信息化厅" in card.locator(".wq-source").inner_text()

    chip.click()
    original = card.locator(".wq-measure-text[data-measure='13']")
    original.wait_for(timeout=10_000)
    with urllib.request.urlopen(f"{assistant.rasa_url}/webchat/measures/13", timeout=10) as reply:
        measure = json.loads(reply.read())
    original.locator(".wq-original").wait_for()
    assert original.locator(".wq-original").inner_text() == measure["text"]
    assert "徽商服务卡" in measure["text"]
    screenshot(page, "webchat.png")

    card.locator(".wq-copy").click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines()[0] == answer.locator(".wq-text").first.inner_text().splitlines()[0]
    assert "第13条" in copied and "徽商服务卡" in copied


def test_the_conversation_survives_a_page_reload(widget) -> None:
    page = widget
    ask(page, "徽商服务卡谁能办")
    page.locator(".wq-card").last.wait_for(timeout=ANSWER_TIMEOUT_MS)
    session = page.locator("#wanqi-webchat").get_attribute("data-session")
    shown_before = page.locator(".wq-log").inner_text()

    page.reload()
    page.wait_for_selector("#wanqi-webchat[data-ready=true]", state="attached", timeout=ANSWER_TIMEOUT_MS)
    page.locator(".wq-user").first.wait_for(timeout=10_000)
    assert page.locator("#wanqi-webchat").get_attribute("data-session") == session
    assert page.locator(".wq-user").all_inner_texts() == ["徽商服务卡谁能办"]
    assert page.locator(".wq-card .wq-citation").all_inner_texts() == ["第13条"]
    assert "第13条" in page.locator(".wq-log").inner_text()
    assert page.locator(".wq-log").inner_text().endswith(shown_before.splitlines()[-1])

    # The conversation goes on in the same session after the reload.
    before = bot_turn_count(page)
    ask(page, "那怎么办理")
    wait_for_bot_turns(page, before + 1)


def test_html_in_a_message_is_shown_as_text_and_runs_nothing(widget) -> None:
    page = widget
    before = bot_turn_count(page)
    ask(page, XSS)
    wait_for_bot_turns(page, before + 1)
    assert page.locator(".wq-user").last.inner_text() == XSS
    assert page.locator("#wanqi-webchat img").count() == 0
    assert page.evaluate("window.__xss") is None

    page.reload()
    page.wait_for_selector("#wanqi-webchat[data-ready=true]", state="attached", timeout=ANSWER_TIMEOUT_MS)
    page.locator(".wq-user").last.wait_for(timeout=10_000)
    assert page.locator(".wq-user").last.inner_text() == XSS
    assert page.locator("#wanqi-webchat img").count() == 0
    assert page.evaluate("window.__xss") is None


def test_over_long_input_gets_a_clear_message_and_is_not_sent(widget) -> None:
    page = widget
    users = page.locator(".wq-user").count()
    page.locator(".wq-input").fill("徽" * 501)
    page.locator(".wq-send").click()
    notice = page.locator(".wq-notice")
    assert notice.is_visible()
    assert "501" in notice.inner_text() and "500" in notice.inner_text()
    assert page.locator(".wq-user").count() == users


def test_the_server_refuses_over_long_messages_from_any_socket_client(assistant: AssistantClient) -> None:
    import socketio

    async def talk() -> list:
        received: list = []
        client = socketio.AsyncClient()
        confirmed = asyncio.Event()
        answered = asyncio.Event()

        @client.on("session_confirm")
        async def on_confirm(session_id):
            received.append(("session", session_id))
            confirmed.set()

        @client.on("bot_uttered")
        async def on_bot(message):
            received.append(("bot", message))
            answered.set()

        await client.connect(assistant.rasa_url, transports=["polling"], socketio_path="/socket.io")
        try:
            await client.emit("session_request", {"session_id": "not-a-server-issued-id"})
            await asyncio.wait_for(confirmed.wait(), 20)
            session_id = received[0][1]
            await client.emit("user_uttered", {"message": "徽" * 5000, "session_id": session_id})
            await asyncio.wait_for(answered.wait(), 20)
        finally:
            await client.disconnect()
        return received

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        received = pool.submit(asyncio.run, talk()).result(timeout=60)
    session_id = received[0][1]
    assert session_id != "not-a-server-issued-id" and len(session_id) == 32
    notice = received[1][1]
    assert notice["notice"] == "too_long" and "5000" in notice["text"]


def test_handoff_reaches_the_console_and_the_staff_reply_reaches_the_widget(
    widget,
    context,
    chromium,
    assistant: AssistantClient,
) -> None:
    page = widget
    ask(page, "徽商服务卡有什么用")
    page.locator(".wq-card[data-kind=policy]").last.wait_for(timeout=ANSWER_TIMEOUT_MS)

    # Staff sign in on another browser (no shared cookies with the caller); the open console puts them on duty.
    staff_context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        console = staff_context.new_page()
        refused = console.goto(f"{assistant.rasa_url}/console/")
        assert refused.status == 401
        console.fill("input[name=token]", "wrong-token")
        console.click("button[type=submit]")
        assert "令牌不正确" in console.content()
        console.fill("input[name=token]", assistant.console_token)
        console.click("button[type=submit]")
        console.locator("#duty", has_text="在岗").wait_for(timeout=20_000)

        before = bot_turn_count(page)
        ask(page, "转人工")
        handoff = page.locator(".wq-card[data-kind=handoff]")
        handoff.wait_for(timeout=ANSWER_TIMEOUT_MS)
        assert handoff.locator(".wq-citation").count() == 0
        assert page.locator(".wq-status").is_visible()
        assert bot_turn_count(page) == before + 1
        session = page.locator("#wanqi-webchat").get_attribute("data-session")

        row = console.locator(f".conversations li[data-sender='{session}']")
        row.wait_for(timeout=20_000)
        assert row.locator(".badge.paused").inner_text() == "待人工"
        row.click()
        console.locator("#turns li.user").first.wait_for(timeout=10_000)
        user_turn = console.locator("#turns li.user").last
        assert "转人工" in user_turn.inner_text()
        assert "request_human" in user_turn.locator(".nlu").inner_text()
        first_question = console.locator("#turns li.user").first.locator(".nlu").inner_text()
        assert "measure_huishang_service_card" in first_question and "%" in first_question
        assert "第13条" in console.locator("#turns li.bot").first.locator(".cites").inner_text()

        # While paused, the bot stays quiet; the staff reply reaches the widget over socket.io.
        console.fill("#reply-text", "您好，我是政策咨询热线的工作人员，请问有什么可以帮您？")
        console.click("#reply button[type=submit]")
        staff = page.locator(".wq-staff").last
        staff.wait_for(timeout=20_000)
        assert "热线的工作人员" in staff.inner_text()
        assert "人工客服" in staff.inner_text()
        # A screen reader hears it, named as the staff's (the widget's live region).
        announced = page.locator(".wq-announcer p").last.text_content()
        assert announced == "人工客服：您好，我是政策咨询热线的工作人员，请问有什么可以帮您？"
        console.locator("#turns li.staff").first.wait_for(timeout=10_000)
        screenshot(console, "console.png")

        # Handing back: the widget says so and the bot answers again.
        console.click("#resume")
        page.locator(".wq-bot .wq-text", has_text="智能助手继续").wait_for(timeout=20_000)
        assert not page.locator(".wq-status").is_visible()
        ask(page, "徽商服务卡有什么用")
        page.locator(".wq-card[data-kind=policy]").last.wait_for(timeout=ANSWER_TIMEOUT_MS)
        screenshot(page, "webchat-handoff.png")
        console.click("form[action='/console/logout'] button")  # signed out: off duty at once
        console.locator("input[name=token]").wait_for(timeout=10_000)
    finally:
        staff_context.close()


def test_the_console_and_its_api_refuse_without_the_token(assistant: AssistantClient) -> None:
    base = assistant.rasa_url
    assert http_status(f"{base}/console/") == 401
    assert http_status(f"{base}/console/console.js") == 401
    assert http_status(f"{base}/console/api/conversations") == 401
    assert http_status(f"{base}/console/api/conversations", {"Authorization": "Bearer nope"}) == 401
    sender = assistant.new_sender()
    assert http_status(f"{base}/console/api/conversations/{sender}/messages", data=b'{"text": "hi"}') == 401
    staff = {"Authorization": f"Bearer {assistant.console_token}"}
    assert http_status(f"{base}/console/api/conversations", staff) == 200
    reply = {**staff, "Content-Type": "application/json"}
    assistant.ask(sender, "徽商服务卡有什么用")
    # Nothing can be pushed to a REST caller: the conversation says so, and a reply is refused, not lost
    # (Telegram, WeChat and web chat users get theirs: tests/test_console_delivery.py).
    detail = urllib.request.Request(f"{base}/console/api/conversations/{sender}", headers=staff)
    with urllib.request.urlopen(detail, timeout=30) as answer:
        assert json.loads(answer.read())["delivery"]["reason"] == "rest_cannot_push"
    assert http_status(f"{base}/console/api/conversations/{sender}/messages", reply, b'{"text": "hi"}') == 409
    assert http_status(f"{base}/console/api/conversations/{sender}/messages", reply, b'{"text": ""}') == 400
    # The public widget routes do not open other channels' conversations, even by a web-chat-like id.
    assert http_status(f"{base}/webchat/history/{sender}") == 400
    other_sender = uuid.uuid4().hex  # a public REST caller may not use this form; an internal caller could
    assistant.ask_as(other_sender, "徽商服务卡有什么用", input_channel="telegram")
    assert http_status(f"{base}/webchat/history/{other_sender}") == 404
    assert http_status(f"{base}/webchat/measures/13") == 200
    assert http_status(f"{base}/webchat/measures/99") == 404


def test_one_script_tag_embeds_the_widget_in_another_site(context, assistant: AssistantClient) -> None:
    with embedding_site(f"{assistant.rasa_url}/webchat/widget.js") as site:
        page = context.new_page()
        page.goto(site)
        page.wait_for_selector("#wanqi-webchat[data-ready=true]", state="attached", timeout=ANSWER_TIMEOUT_MS)
        page.locator(".wq-launcher").click()
        ask(page, "徽商服务卡有什么用")
        card = page.locator(".wq-card[data-kind=policy]").last
        card.wait_for(timeout=ANSWER_TIMEOUT_MS)
        card.locator(".wq-citation").click()
        card.locator(".wq-measure-text .wq-original").wait_for(timeout=10_000)
        screenshot(page, "webchat-embedded.png")
