"""Headless Chromium (Debian's package, driven by Playwright) for the web chat tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from tools.assistant_client import AssistantClient
from tools.chromium import CHROMIUM, CHROMIUM_ARGS

# `WEBCHAT_SCREENSHOTS=docs make screenshots` keeps the screenshots the tests take (README).
SCREENSHOT_DIR = os.environ.get("WEBCHAT_SCREENSHOTS")
ANSWER_TIMEOUT_MS = 60_000


# Module scope, not session: while Playwright's sync API is open it keeps an asyncio loop running
# in the main thread, and later tests that call asyncio.run() (the WeChat channel's) would fail.
@pytest.fixture(scope="module")
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: run scripts/ensure-chromium.sh (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page, name: str) -> None:
    if SCREENSHOT_DIR:
        directory = Path(SCREENSHOT_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(directory / name))


@pytest.fixture
def context(chromium) -> Iterator:
    context = chromium.new_context(viewport={"width": 900, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def widget(context, assistant: AssistantClient):
    page = context.new_page()
    page.goto(f"{assistant.rasa_url}/webchat/")
    page.wait_for_selector("#wanqi-webchat[data-ready=true]", state="attached", timeout=ANSWER_TIMEOUT_MS)
    return page


def ask(page, text: str) -> None:
    page.locator(".wq-input").fill(text)
    page.locator(".wq-input").press("Enter")


def wait_for_bot_turns(page, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelector('#wanqi-webchat').shadowRoot.querySelectorAll('.wq-bot').length >= n",
        arg=count,
        timeout=ANSWER_TIMEOUT_MS,
    )


def bot_turn_count(page) -> int:
    return page.locator(".wq-bot").count()
