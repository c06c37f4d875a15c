"""Measure what a web chat user waits for, in headless Chromium, against a running assistant.

    .venv/bin/python tools/webchat_latency.py http://localhost:5005 [rounds]

Prints: page load → connected, question → answer card visible (median, p90, max), and reload →
history shown. Start the assistant first (make run).
"""

from __future__ import annotations

import statistics
import sys
import time

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from tools.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

QUESTIONS = ["徽商服务卡有什么用", "徽商服务卡谁能办", "徽商服务卡怎么办"]
READY = "#wanqi-webchat[data-ready=true]"


def main(url: str, rounds: int) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        started = time.perf_counter()
        page.goto(f"{url}/webchat/")
        page.wait_for_selector(READY, state="attached", timeout=60_000)
        ready_ms = (time.perf_counter() - started) * 1000
        answers = []
        for i in range(rounds):
            cards = page.locator(".wq-card").count()
            page.locator(".wq-input").fill(QUESTIONS[i % len(QUESTIONS)])
            started = time.perf_counter()
            page.locator(".wq-input").press("Enter")
            page.wait_for_function(
                "n => document.querySelector('#wanqi-webchat').shadowRoot.querySelectorAll('.wq-card').length > n",
                arg=cards,
                timeout=60_000,
            )
            answers.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        page.reload()
        page.wait_for_selector(READY, state="attached", timeout=60_000)
        page.locator(".wq-card").nth(rounds - 1).wait_for(timeout=60_000)
        reload_ms = (time.perf_counter() - started) * 1000
        browser.close()
    answers.sort()
    p90 = answers[min(len(answers) - 1, int(round(0.9 * (len(answers) - 1))))]
    print(f"page load → connected: {ready_ms:.0f} ms")
    print(
        f"question → answer card visible ({rounds} questions): median {statistics.median(answers):.0f} ms, "
        f"p90 {p90:.0f} ms, max {answers[-1]:.0f} ms"
    )
    print(f"reload → {rounds} answers shown again from the history: {reload_ms:.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), int(sys.argv[2]) if len(sys.argv) > 2 else 20)
