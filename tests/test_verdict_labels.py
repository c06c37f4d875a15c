"""The verdict labels have one definition (knowledge/card.py, issue 15 item 5): the answers, the chat
footers and the web chat's badge all take them from there; the widget gets them from /webchat/config."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from sanic import Sanic

from bot.channels.webchat import pages
from bot.processes.ports import free_port
from knowledge.card import VERDICT_LABELS, VERDICTS

WEB_SOURCES = Path(__file__).resolve().parents[1] / "web" / "src"


def test_every_verdict_has_its_one_label() -> None:
    assert set(VERDICT_LABELS) == set(VERDICTS)


@pytest.mark.parametrize("label", sorted(VERDICT_LABELS.values()))
def test_the_web_chat_holds_no_copy_of_a_verdict_label(label: str) -> None:
    scripts = list(WEB_SOURCES.glob("*.js"))  # the built files come from these (esbuild escapes non-ASCII)
    assert scripts
    copies = [path.name for path in scripts if label in path.read_text(encoding="utf-8")]
    assert copies == [], f"{label!r} is written again in {copies}: take it from /webchat/config"


@pytest.mark.asyncio
async def test_the_widget_config_carries_the_verdict_labels(monkeypatch) -> None:
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic(f"labels_{uuid.uuid4().hex[:8]}")
    app.blueprint(pages.blueprint(max_message_chars=500))
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    try:
        async with httpx.AsyncClient() as http:
            config = (await http.get(f"http://127.0.0.1:{port}/webchat/config")).json()
    finally:
        server.close()
        await server.wait_closed()
    assert config["verdict_labels"] == VERDICT_LABELS
