"""The widget for everyone, and the 口播稿 for hotline staff, in a real browser (headless Chromium
against the running assistant): axe-core's WCAG 2.1 AA rules on the widget and the console, the
keyboard alone from opening the widget to rating an answer, answers announced through a live
region, the larger-text mode (适老化) remembered across visits, the spoken version of an answer."""

from __future__ import annotations

import pytest

from tests.support.accessibility import WIDGET, assert_no_serious_violations, focus_matches, focused, tab_to, with_axe
from tests.support.browser import ANSWER_TIMEOUT_MS, ask, screenshot
from tests.support.embedding_site import embedding_site
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server

QUESTION = "徽商服务卡有什么用"
CHECK_QUESTION = "我能办徽商服务卡吗"
READY = "#wanqi-webchat[data-ready=true]"


@pytest.fixture
def page(context, assistant: AssistantClient):
    with_axe(context)
    page = context.new_page()
    page.goto(f"{assistant.rasa_url}/webchat/")
    page.wait_for_selector(READY, state="attached", timeout=ANSWER_TIMEOUT_MS)
    return page


def policy_answer(page):
    card = page.locator(".wq-card[data-kind=policy]").last
    card.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.locator(".wq-bot").last.locator(".wq-feedback").wait_for(timeout=ANSWER_TIMEOUT_MS)
    return card


def clipboard_is(page, text: str) -> None:
    page.wait_for_function("t => navigator.clipboard.readText().then(c => c === t)", arg=text, timeout=10_000)


def font_px(page, selector: str) -> float:
    return page.evaluate(f"s => parseFloat(getComputedStyle({WIDGET}.querySelector(s)).fontSize)", selector)


def test_the_spoken_version_sits_beside_copy_and_copies_on_its_own(page, assistant: AssistantClient) -> None:
    expected = assistant.ask(assistant.new_sender(), QUESTION).card["spoken"]
    assert expected.startswith("根据实施意见第十三条，") and "徽商服务卡" in expected
    ask(page, QUESTION)
    card = policy_answer(page)
    assert card.locator(".wq-card-foot button").all_inner_texts() == ["复制回答", "口播稿"]
    panel = card.locator(".wq-spoken")
    assert not panel.is_visible()

    toggle = card.locator(".wq-spoken-toggle")
    toggle.click()
    assert panel.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert panel.locator(".wq-spoken-text").inner_text() == expected
    screenshot(page, "webchat-spoken.png")
    panel.locator(".wq-spoken-copy").click()
    clipboard_is(page, expected)
    # 复制回答 still copies the written answer.
    card.locator(".wq-copy").click()
    page.wait_for_function("() => navigator.clipboard.readText().then(c => c.startsWith('【第13条'))")
    toggle.click()
    assert not panel.is_visible() and toggle.get_attribute("aria-expanded") == "false"

    # The history carries the card, 口播稿 included.
    page.reload()
    page.wait_for_selector(READY, state="attached", timeout=ANSWER_TIMEOUT_MS)
    card = page.locator(".wq-card[data-kind=policy]").last
    card.wait_for(timeout=10_000)
    card.locator(".wq-spoken-toggle").click()
    assert card.locator(".wq-spoken-text").inner_text() == expected


def test_the_widget_has_no_serious_wcag_21_aa_violation(page, context, assistant: AssistantClient) -> None:
    assert_no_serious_violations(page, "the widget on opening")
    ask(page, QUESTION)
    card = policy_answer(page)
    card.locator(".wq-spoken-toggle").click()
    card.locator(".wq-citation").click()
    card.locator(".wq-measure-text .wq-original").wait_for(timeout=10_000)
    assert_no_serious_violations(page, "an answer with its 口播稿 and original text open")

    row = page.locator(".wq-bot").last.locator(".wq-feedback")
    row.locator("[data-rating=not_useful]").click()
    page.locator(".wq-feedback[data-state=why]").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert_no_serious_violations(page, "the reasons after 没用")

    page.locator(".wq-large-toggle").click()
    ask(page, CHECK_QUESTION)
    page.locator(".wq-buttons .wq-button").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert_no_serious_violations(page, "an eligibility question with its buttons, in larger text")

    with embedding_site(f"{assistant.rasa_url}/webchat/widget.js") as site:
        embedded = context.new_page()
        embedded.goto(site)
        embedded.wait_for_selector(READY, state="attached", timeout=ANSWER_TIMEOUT_MS)
        assert_no_serious_violations(embedded, "the closed widget in another site")
        embedded.locator(".wq-launcher").click()
        assert_no_serious_violations(embedded, "the open widget in another site")


def test_the_console_has_no_serious_wcag_21_aa_violation(chromium, assistant: AssistantClient) -> None:
    # Enough conversations, and a window low enough, for the list and the detail to scroll.
    for _ in range(6):
        assistant.ask(assistant.new_sender(), "你好")
    sender = assistant.new_sender()
    assistant.ask(sender, QUESTION)
    assistant.ask(sender, "那谁能办")
    staff = chromium.new_context(viewport={"width": 1280, "height": 360}, locale="zh-CN")
    try:
        with_axe(staff)
        console = staff.new_page()
        console.goto(f"{assistant.rasa_url}/console/")
        assert_no_serious_violations(console, "the console's sign-in page")
        console.fill("input[name=token]", assistant.console_token)
        console.click("button[type=submit]")
        row = console.locator(f".conversations li[data-sender='{sender}']")
        row.wait_for(timeout=20_000)
        row.click()
        console.locator("#turns li.bot").first.wait_for(timeout=10_000)
        assert_no_serious_violations(console, "the console with a conversation open")
    finally:
        staff.close()


def test_everything_works_from_the_keyboard_alone(context, assistant: AssistantClient) -> None:
    with embedding_site(f"{assistant.rasa_url}/webchat/widget.js") as site:
        page = context.new_page()
        page.goto(site)
        page.wait_for_selector(READY, state="attached", timeout=ANSWER_TIMEOUT_MS)
        tab_to(page, ".wq-launcher")
        page.keyboard.press("Enter")
        assert focus_matches(page, ".wq-input"), focused(page)

        # Type and send.
        page.keyboard.type(QUESTION)
        page.keyboard.press("Enter")
        card = policy_answer(page)
        assert page.locator(".wq-user").last.inner_text() == QUESTION
        assert focus_matches(page, ".wq-input")

        # 口播稿: open it, then copy it.
        tab_to(page, ".wq-spoken-toggle", backwards=True)
        page.keyboard.press("Enter")
        assert card.locator(".wq-spoken").is_visible()
        assert focus_matches(page, ".wq-spoken-text"), focused(page)
        tab_to(page, ".wq-spoken-copy")
        page.keyboard.press("Enter")
        clipboard_is(page, card.locator(".wq-spoken-text").inner_text())

        # 复制回答 (Space presses a button too) and the original text of the cited measure.
        tab_to(page, ".wq-copy", backwards=True)
        page.keyboard.press(" ")
        page.wait_for_function("() => navigator.clipboard.readText().then(c => c.startsWith('【第13条'))")
        tab_to(page, ".wq-citation", backwards=True)
        page.keyboard.press("Enter")
        card.locator(".wq-measure-text .wq-original").wait_for(timeout=10_000)

        # 没用, a reason, a comment, 提交: the focus follows the row as it changes.
        tab_to(page, "[data-rating=not_useful]")
        page.keyboard.press("Enter")
        page.locator(".wq-feedback[data-state=why]").wait_for(timeout=ANSWER_TIMEOUT_MS)
        assert focus_matches(page, ".wq-feedback-reason"), focused(page)
        page.keyboard.press("Enter")
        assert page.locator(".wq-feedback-reason").first.get_attribute("aria-pressed") == "true"
        tab_to(page, ".wq-feedback-comment")
        page.keyboard.type("想知道去哪里办")
        tab_to(page, ".wq-feedback-submit")
        page.keyboard.press("Enter")
        page.locator(".wq-feedback[data-state=done]").wait_for(timeout=ANSWER_TIMEOUT_MS)
        assert focus_matches(page, ".wq-feedback-done"), focused(page)

        # The bot's buttons: Enter sends the choice, the focus goes back to the input.
        tab_to(page, ".wq-input")
        page.keyboard.type(CHECK_QUESTION)
        page.keyboard.press("Enter")
        choice = page.locator(".wq-buttons .wq-button").first
        choice.wait_for(timeout=ANSWER_TIMEOUT_MS)
        title = choice.inner_text()
        tab_to(page, ".wq-button", backwards=True)
        chosen = page.evaluate(f"() => {WIDGET}.activeElement.textContent")
        page.keyboard.press("Enter")
        page.wait_for_function(
            f"t => [...{WIDGET}.querySelectorAll('.wq-user')].pop().textContent === t", arg=chosen, timeout=10_000
        )
        assert title and focus_matches(page, ".wq-input")
        # A verdict is not read out on the phone: no 口播稿 under an eligibility card.
        assert page.locator(".wq-card[data-kind=eligibility] .wq-spoken-toggle").count() == 0

        # 大字, and Esc closes the panel with the focus back on the launcher.
        tab_to(page, ".wq-large-toggle", backwards=True)
        page.keyboard.press("Enter")
        assert page.locator(".wq-large-toggle").get_attribute("aria-pressed") == "true"
        page.keyboard.press("Escape")
        assert not page.locator(".wq-panel").is_visible()
        assert focus_matches(page, ".wq-launcher"), focused(page)


def test_new_answers_are_announced_through_a_live_region(page, assistant: AssistantClient) -> None:
    live = page.locator(".wq-announcer")
    assert live.get_attribute("aria-live") == "polite"
    # The log itself stays silent, or a screen reader would read every button of every card.
    assert page.locator(".wq-log").get_attribute("aria-live") == "off"
    assert live.text_content() == ""
    written = assistant.ask(assistant.new_sender(), QUESTION).text
    ask(page, QUESTION)
    policy_answer(page)
    announced = live.locator("p").all_text_contents()
    # The whole answer, once, named as the assistant's; not the user's own words.
    assert announced == [f"助手：{written}"]
    ask(page, "那谁能办")
    two = f"() => {WIDGET}.querySelectorAll('.wq-announcer p').length === 2"
    page.wait_for_function(two, timeout=ANSWER_TIMEOUT_MS)
    assert live.locator("p").last.text_content().startswith("助手：【第13条")


def test_the_larger_text_mode_is_remembered_across_visits(page, context, assistant: AssistantClient) -> None:
    toggle = page.locator(".wq-large-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    standard = font_px(page, ".wq-text"), font_px(page, ".wq-input")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    larger = font_px(page, ".wq-text"), font_px(page, ".wq-input")
    assert larger[0] >= standard[0] * 1.3 and larger[1] >= standard[1] * 1.3
    screenshot(page, "webchat-large-text.png")

    # Another visit: a new page of the same browser profile.
    again = context.new_page()
    again.goto(f"{assistant.rasa_url}/webchat/")
    again.wait_for_selector(READY, state="attached", timeout=ANSWER_TIMEOUT_MS)
    assert again.locator(".wq-large-toggle").get_attribute("aria-pressed") == "true"
    assert font_px(again, ".wq-text") == larger[0]
    again.locator(".wq-large-toggle").click()
    again.reload()
    again.wait_for_selector(READY, state="attached", timeout=ANSWER_TIMEOUT_MS)
    assert again.locator(".wq-large-toggle").get_attribute("aria-pressed") == "false"
    assert font_px(again, ".wq-text") == standard[0]
