"""Public, read-only HTTP routes of the web chat: the widget page and script, the original text of
a measure (opened from a citation), and a conversation's own history (kept across page reloads)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.channel_texts import channel_text
from bot.channels.feedback import RATED_KINDS, RATINGS, REASONS
from bot.channels.webchat import cors
from bot.channels.webchat.assets import static_asset, valid_session_id
from bot.channels.webchat.conversations import paused, transcript
from knowledge.card import VERDICT_LABELS
from knowledge.db import session_scope
from knowledge.repository import MeasureNotFound, get_measure

WEBCHAT_CHANNEL = "webchat"
NO_CACHE = {"Cache-Control": "no-cache"}


def _measure_json(number: int) -> Dict[str, Any]:
    with session_scope() as session:
        measure = get_measure(session, number)
        return {
            "number": measure.number,
            "key": measure.key,
            "title": measure.title,
            "text": measure.text,
            "source": measure.document.source(),
        }


# What the widget needs to offer ratings: the words, the reasons and which answers can be rated.
FEEDBACK_CONFIG = {
    "ratings": RATINGS,
    "reasons": REASONS,
    "rated_kinds": list(RATED_KINDS),
    "texts": {name: channel_text(WEBCHAT_CHANNEL, f"feedback_{name}")
              for name in ("ask", "thanks", "why", "reason_thanks", "comment_placeholder", "submit", "failed")},
}  # fmt: skip


def blueprint(max_message_chars: int) -> Blueprint:
    pages = Blueprint("webchat_pages", url_prefix="/webchat")
    origins = cors.allowed_origins()

    @pages.middleware("response")
    async def embeddable(request: Request, reply: HTTPResponse) -> None:
        # An embedding site's page fetches these (bot/channels/webchat/cors.py); nothing else on the server.
        reply.headers.update(cors.widget_cors_headers(request, origins))

    @pages.get("/")
    async def page(_: Request) -> HTTPResponse:
        return response.html(static_asset("webchat/index.html"), headers=NO_CACHE)

    @pages.get("/widget.js")
    async def script(_: Request) -> HTTPResponse:
        return response.text(static_asset("webchat/widget.js"), content_type="application/javascript; charset=utf-8",
                             headers=NO_CACHE)  # fmt: skip

    @pages.get("/config")
    async def config(_: Request) -> HTTPResponse:
        # The rating words (bot/channels/feedback.py) and the verdict labels (knowledge/card.py) are the
        # server's, so the widget and every other channel say the same.
        return response.json(
            {"max_message_chars": max_message_chars, "feedback": FEEDBACK_CONFIG, "verdict_labels": VERDICT_LABELS}
        )

    @pages.get("/measures/<number:int>")
    async def measure(_: Request, number: int) -> HTTPResponse:
        if not 1 <= number <= 999:
            return response.json({"error": "no such measure"}, status=404)
        try:
            body = await asyncio.get_running_loop().run_in_executor(None, _measure_json, number)
        except MeasureNotFound:
            return response.json({"error": f"第{number}条 is not in the knowledge base"}, status=404)
        return response.json(body)

    @pages.get("/history/<session_id:str>")
    async def history(request: Request, session_id: str) -> HTTPResponse:
        if not valid_session_id(session_id):
            return response.json({"error": "not a web chat session id"}, status=400)
        agent = request.app.ctx.agent
        if agent is None or agent.tracker_store is None:
            return response.json({"error": "the assistant is still starting"}, status=503)
        tracker = await agent.tracker_store.retrieve_full_tracker(session_id)
        if tracker is None:
            return response.json({"messages": [], "paused": False})
        events = [event.as_dict() for event in tracker.events]
        # Only web chat conversations: other channels' histories are not public by their sender id.
        channels = {e.get("input_channel") for e in events if e.get("event") == "user"}
        if channels - {WEBCHAT_CHANNEL}:
            return response.json({"error": "not a web chat session id"}, status=404)
        return response.json({"messages": transcript(events), "paused": paused(events)})

    return pages
