"""Clicking the eligibility buttons the bot sends, in the web chat, down to a verdict."""

from __future__ import annotations

import pytest

from knowledge.card import VERDICT_LABELS
from tests.support.browser import ask, screenshot, wait_for_bot_turns

MAX_QUESTIONS = 8

pytestmark = pytest.mark.server


def test_clicking_the_eligibility_buttons_reaches_a_verdict(widget) -> None:
    page = widget
    turns = page.locator(".wq-bot").count()
    ask(page, "我能办徽商服务卡吗")
    for _ in range(MAX_QUESTIONS):
        wait_for_bot_turns(page, turns + 1)
        page.wait_for_timeout(500)  # the card follows the text of the same turn
        turns = page.locator(".wq-bot").count()
        badge = page.locator(".wq-bot").last.locator(".wq-verdict")
        if badge.count() and badge.get_attribute("data-verdict") in ("eligible", "not_eligible"):
            break
        buttons = page.locator(".wq-buttons .wq-button")
        assert buttons.count() > 0, f"no verdict and no buttons: {page.locator('.wq-bot').last.inner_text()}"
        buttons.first.click()
    card = page.locator(".wq-bot").last.locator(".wq-card[data-kind=eligibility]")
    verdict = card.locator(".wq-verdict").get_attribute("data-verdict")
    assert verdict in ("eligible", "not_eligible")
    assert card.locator(".wq-verdict").inner_text() == VERDICT_LABELS[verdict]  # the server's label
    assert card.locator(".wq-reasons li").count() > 0
    assert card.locator(".wq-citation").all_inner_texts() == ["第13条"]
    screenshot(page, "webchat-eligibility.png")
