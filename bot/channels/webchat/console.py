"""The hotline staff console: live conversations, the intent ranking behind each user message, the
measures cited, and 转人工 hand-offs (staff reply to a paused conversation, then hand it back).

Everything here requires the token in ``CONSOLE_TOKEN``: as ``Authorization: Bearer <token>`` or as
the signed, expiring session cookie the sign-in form sets (the page, script, sign-in and sign-out
are bot/channels/webchat/signed_in.py's; bot/channels/webchat/staff_sessions.py says which POSTs may
change anything). Without ``CONSOLE_TOKEN`` the console is disabled.
The public widget routes (bot/channels/webchat/pages.py) never reach these.
"""

from __future__ import annotations

import os
import time
from typing import Any, Awaitable, Callable, Dict, List

from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, ConversationResumed, Event
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.channel_texts import channel_text
from bot.channels.webchat.conversations import STAFF_METADATA_KEY, console_turns, input_channels, paused, summary
from bot.channels.webchat.signed_in import StaffArea

# Sends one message to a web chat session's widget (the channel's socket.io output).
SendToSession = Callable[[str, Dict[str, Any]], Awaitable[None]]

TOKEN_ENV = "CONSOLE_TOKEN"
COOKIE_NAME = "wanqi_console"
MAX_REPLY_CHARS = 2000
MAX_LISTED = 200


def configured_token() -> str | None:
    return os.environ.get(TOKEN_ENV) or None


def _staff_tokens() -> Dict[str, str]:
    token = configured_token()
    return {token: "staff"} if token else {}


AREA = StaffArea(
    prefix="/console",
    cookie_name=COOKIE_NAME,
    title="坐席控制台",
    token_name="访问令牌",
    token_label="访问令牌 (CONSOLE_TOKEN)",
    token_setting=TOKEN_ENV,
    page_asset="console/index.html",
    script_asset="console/console.js",
    tokens=_staff_tokens,
    disabled_explanation="The staff console is disabled: set the environment variable <code>CONSOLE_TOKEN</code> to a "
    "secret and restart (<code>CONSOLE_TOKEN=… make run</code>). Staff sign in with that token.",
    disabled_error="the staff console is disabled: set CONSOLE_TOKEN",
    unauthorised_error="sign in with the token in CONSOLE_TOKEN",
)
requires_token = AREA.requires


def authorised(request: Request) -> bool:
    """The token as a Bearer header (scripts), or a valid signed session cookie (browsers)."""
    return AREA.signed_in(request) is not None


async def _events(request: Request, sender_id: str) -> List[Dict[str, Any]] | None:
    tracker = await request.app.ctx.agent.tracker_store.retrieve_full_tracker(sender_id)
    return None if tracker is None else [event.as_dict() for event in tracker.events]


async def _append(request: Request, sender_id: str, events: List[Event]) -> None:
    agent = request.app.ctx.agent
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.processor.get_tracker(sender_id)
        for event in events:
            tracker.update(event)
        await agent.tracker_store.save(tracker)


def blueprint(send_to_session: SendToSession) -> Blueprint:
    staff = AREA.blueprint("staff_console")  # its page, script, sign-in and sign-out (signed_in.py)

    @staff.get("/api/conversations")
    @requires_token(api=True)
    async def conversations(request: Request) -> HTTPResponse:
        store = request.app.ctx.agent.tracker_store
        rows = []
        for sender_id in list(await store.keys())[-MAX_LISTED:]:
            events = await _events(request, sender_id)
            row = summary(sender_id, events or [])
            if row:
                rows.append(row)
        # Waiting for a human first, then the most recent.
        rows.sort(key=lambda r: (not r["paused"], -(r["last_time"] or 0)))
        return response.json({"conversations": rows, "now": time.time()})

    @staff.get("/api/conversations/<sender_id:str>")
    @requires_token(api=True)
    async def conversation(request: Request, sender_id: str) -> HTTPResponse:
        events = await _events(request, sender_id)
        if events is None:
            return response.json({"error": "no such conversation"}, status=404)
        return response.json({"sender_id": sender_id, "paused": paused(events), "turns": console_turns(events)})

    @staff.post("/api/conversations/<sender_id:str>/messages")
    @requires_token(api=True)
    async def reply(request: Request, sender_id: str) -> HTTPResponse:
        body = request.json if isinstance(request.json, dict) else {}
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return response.json({"error": "the reply needs a non-empty text"}, status=400)
        if len(text) > MAX_REPLY_CHARS:
            return response.json({"error": f"a reply is at most {MAX_REPLY_CHARS} characters"}, status=400)
        events = await _events(request, sender_id)
        if events is None:
            return response.json({"error": "no such conversation"}, status=404)
        if set(input_channels(events)) - {"webchat"}:
            # Staff replies travel over socket.io; a Telegram/WeChat/REST user would never see them.
            return response.json({"error": "staff replies reach web chat conversations only"}, status=409)
        text = text.strip()
        await _append(request, sender_id, [BotUttered(text, metadata={STAFF_METADATA_KEY: True})])
        await send_to_session(sender_id, {"text": text, "staff": True})
        return response.json({"sent": True})

    @staff.post("/api/conversations/<sender_id:str>/pause")
    @requires_token(api=True)
    async def take_over(request: Request, sender_id: str) -> HTTPResponse:
        events = await _events(request, sender_id)
        if events is None:
            return response.json({"error": "no such conversation"}, status=404)
        if not paused(events):
            await _append(request, sender_id, [ConversationPaused()])
        return response.json({"paused": True})

    @staff.post("/api/conversations/<sender_id:str>/resume")
    @requires_token(api=True)
    async def hand_back(request: Request, sender_id: str) -> HTTPResponse:
        events = await _events(request, sender_id)
        if events is None:
            return response.json({"error": "no such conversation"}, status=404)
        if paused(events):
            # action_listen puts the tracker back into "waiting for the user", the state the policies
            # predict from; without it the next message follows the hand-off action and falls back.
            resumed = channel_text("webchat", "staff_resumed")
            events = [ConversationResumed(), BotUttered(resumed), ActionExecuted("action_listen")]
            await _append(request, sender_id, events)
            await send_to_session(sender_id, {"text": resumed, "resumed": True})
        return response.json({"paused": False})

    return staff
