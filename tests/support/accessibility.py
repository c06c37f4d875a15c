"""Accessibility checks in the real browser: axe-core's WCAG 2.1 AA rules, and moving by keyboard.

axe-core is pinned in web/package.json (devDependency) and copied by the web build into
bot/channels/webchat/static/test-only/axe.min.js, which is committed (a fresh clone has it
without npm) and never served. It is injected with ``add_init_script``, which no page's
Content-Security-Policy can refuse.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from bot.channels.webchat.assets import STATIC_DIR

AXE_JS = STATIC_DIR / "test-only" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")
WIDGET = "document.querySelector('#wanqi-webchat').shadowRoot"


def with_axe(context) -> None:
    """Make axe-core available in every page the context opens from now on."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run scripts/build-web.sh (make web) to copy axe-core from web/node_modules")
    context.add_init_script(path=str(AXE_JS))


def serious_violations(page) -> List[Dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page (open shadow roots included)."""
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        WCAG_21_AA,
    )
    return [v for v in result["violations"] if v.get("impact") in FAILING_IMPACTS]


def describe(violations: List[Dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:6]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_no_serious_violations(page, where: str) -> None:
    violations = serious_violations(page)
    assert not violations, f"{where}: WCAG 2.1 AA violations\n{describe(violations)}"


def focused(page) -> Dict[str, Any] | None:
    """The element that has the keyboard focus inside the widget: its class, text and tag."""
    return page.evaluate(
        f"""() => {{ const a = {WIDGET}.activeElement;
        return a ? {{cls: a.className, text: a.textContent, tag: a.tagName.toLowerCase()}} : null; }}"""
    )


def focus_matches(page, selector: str) -> bool:
    return page.evaluate(f"s => {{ const a = {WIDGET}.activeElement; return !!a && a.matches(s); }}", selector)


def tab_to(page, selector: str, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (Shift+Tab) until the focus is on an element matching ``selector``; fail if it never is."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if focus_matches(page, selector):
            return
        page.keyboard.press(key)
    assert focus_matches(page, selector), f"{selector} is not reachable with {key}; focus is on {focused(page)}"
