"""The hotline staff console: live conversations, the intent ranking behind each user message, the
measures cited, and 转人工 hand-offs (staff reply to a paused conversation, then hand it back).

Everything here requires the token in ``CONSOLE_TOKEN``: as ``Authorization: Bearer <token>`` or as
the signed, expiring session cookie the sign-in form sets (the page, script, sign-in and sign-out
are bot/channels/webchat/signed_in.py's; bot/channels/webchat/staff_sessions.py says which POSTs may
change anything). Without ``CONSOLE_TOKEN`` the console is disabled.
The public widget routes (bot/channels/webchat/pages.py) never reach these.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, List

from rasa.shared.core.events import (
    ActionExecuted,
    AgentUttered,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.channel_texts import channel_text
from bot.channels.delivery.contract import Delivery
from bot.channels.delivery.router import channel_of, last_user_time
from bot.channels.feedback_store import current_agent
from bot.channels.webchat import console_queue, staff_sessions
from bot.channels.webchat.case import case_of
from bot.channels.webchat.conversations import STAFF_METADATA_KEY, UNDELIVERED_KEY, console_turns, paused
from bot.channels.webchat.signed_in import StaffArea
from bot.hotline import records, status
from bot.hotline.wait_sweep import WaitSweep
from knowledge import hotline

logger = logging.getLogger(__name__)

TOKEN_ENV = "CONSOLE_TOKEN"
COOKIE_NAME = "wanqi_console"
MAX_REPLY_CHARS = 2000


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
    on_sign_out=lambda session_id: status.shared().staff_gone(session_id),  # off duty at once
)
requires_token = AREA.requires


def authorised(request: Request) -> bool:
    """The token as a Bearer header (scripts), or a valid signed session cookie (browsers)."""
    return AREA.signed_in(request) is not None


async def _events(request: Request, sender_id: str) -> List[Dict[str, Any]] | None:
    """Every stored event of the conversation, read in a thread (not in the server's event loop)."""
    index = console_queue.index_of(request.app.ctx.agent.tracker_store)
    return await console_queue.in_thread(index.events, sender_id)


def with_conversation(handler: Callable[..., Awaitable[HTTPResponse]]) -> Callable[..., Awaitable[HTTPResponse]]:
    """A route about one conversation: its stored events are handed in; 404 when there is none."""

    async def loaded(request: Request, sender_id: str) -> HTTPResponse:
        events = await _events(request, sender_id)
        if events is None:
            return response.json({"error": "no such conversation"}, status=404)
        return await handler(request, sender_id, events)

    loaded.__name__ = handler.__name__
    return loaded


async def _append(request: Request, sender_id: str, events: List[Event]) -> None:
    """Append staff's ``events``, with the hand-off records they make due (first reply, hand-back)."""
    agent = request.app.ctx.agent
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.processor.get_tracker(sender_id)
        before = [event.as_dict() for event in tracker.events]
        due = records.follow_up(before, [event.as_dict() for event in events], time.time())
        for event in [*events, *(AgentUttered(data=hotline.handoff_data(record)) for record in due)]:
            tracker.update(event)
        await agent.tracker_store.save(tracker)


def _console_session(request: Request) -> str:
    """What names this console for staff presence: its session id, or "bearer" for a token holder."""
    found = AREA.signed_in(request)
    if found is None or found[1]:
        return "bearer"
    session_id = staff_sessions.sessions_for(configured_token() or "").session_id(request.cookies.get(COOKIE_NAME))
    return session_id or "unknown"


def _sweep(delivery: Delivery) -> WaitSweep:
    """The wait timeout (bot/hotline/wait_sweep.py), its notice delivered on the user's own channel."""

    async def deliver(sender_id: str, texts: List[str], last_user_at: float | None) -> None:
        result = await delivery.deliver(sender_id, texts, kind="resumed", last_user_at=last_user_at)
        if not result["delivered"]:  # the hand-back stands; the notice is in the conversation's history
            logger.warning("The timed-out notice did not reach %s: %s", sender_id, result["reason"])

    settings = status.shared().settings
    notice = lambda channel: channel_text(channel, "handoff_timed_out")  # noqa: E731
    return WaitSweep(settings.wait_s, settings.sweep_s, notice, deliver)


def blueprint(delivery: Delivery) -> Blueprint:
    """``delivery`` reaches a user on the user's own channel (bot/channels/delivery/, handed in by
    the web chat channel): staff replies and the hand-back notice."""
    staff = AREA.blueprint("staff_console")  # its page, script, sign-in and sign-out (signed_in.py)
    sweep = _sweep(delivery)

    @staff.listener("after_server_start")
    async def start_sweep(app: Any, _: Any) -> None:
        app.ctx.handoff_wait_sweep = app.add_task(sweep.run(current_agent), name="handoff_wait_sweep")

    @staff.listener("before_server_stop")
    async def stop_sweep(app: Any, _: Any) -> None:
        task = getattr(app.ctx, "handoff_wait_sweep", None)
        if task is not None:
            task.cancel()

    @staff.get("/api/conversations")
    @requires_token(api=True)
    async def conversations(request: Request) -> HTTPResponse:
        args = {name: request.args.get(name) or "" for name in ("q", "channel", "status", "department")}
        try:
            body = await console_queue.queue_json(request.app.ctx.agent.tracker_store, args)
        except ValueError as error:
            return response.json({"error": str(error)}, status=400)
        return response.json(body)

    @staff.post("/api/presence")
    @requires_token(api=True)
    async def presence(request: Request) -> HTTPResponse:
        """The open console's heartbeat: its staff member is on duty; ``{"on_duty": false}`` goes off duty."""
        body = request.json if isinstance(request.json, dict) else {}
        on_duty = body.get("on_duty", True)
        if not isinstance(on_duty, bool):
            return response.json({"error": '"on_duty" is true or false'}, status=400)
        hotline_now = status.shared()
        await (hotline_now.staff_seen if on_duty else hotline_now.staff_gone)(_console_session(request))
        return response.json({"on_duty": on_duty, "hotline": dict(await hotline_now.status())})

    @staff.post("/api/conversations/<sender_id:str>/callback-done")
    @requires_token(api=True)
    @with_conversation
    async def callback_done(request: Request, sender_id: str, events: List[Dict[str, Any]]) -> HTTPResponse:
        """Staff called the user back: the call-back case leaves the queue."""
        if records.open_callback(events) is None:
            return response.json({"error": "this conversation has no open call-back request"}, status=409)
        done = hotline.HandoffRecord(stage=hotline.CALLBACK_DONE, at=time.time())
        await _append(request, sender_id, [AgentUttered(data=hotline.handoff_data(done))])
        return response.json({"callback": None})

    @staff.get("/api/conversations/<sender_id:str>")
    @requires_token(api=True)
    @with_conversation
    async def conversation(request: Request, sender_id: str, events: List[Dict[str, Any]]) -> HTTPResponse:
        measures = await console_queue.in_thread(console_queue.directory)
        case = case_of(sender_id, events, measures)
        return response.json({"sender_id": sender_id, "paused": paused(events), "turns": console_turns(events),
                              "case": case, "target_s": console_queue.target_s(), "now": time.time(),
                              "delivery": delivery.deliverability(sender_id, events),
                              "callback": records.open_callback(events)})  # fmt: skip

    @staff.post("/api/conversations/<sender_id:str>/messages")
    @requires_token(api=True)
    @with_conversation
    async def reply(request: Request, sender_id: str, events: List[Dict[str, Any]]) -> HTTPResponse:
        body = request.json if isinstance(request.json, dict) else {}
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return response.json({"error": "the reply needs a non-empty text"}, status=400)
        if len(text) > MAX_REPLY_CHARS:
            return response.json({"error": f"a reply is at most {MAX_REPLY_CHARS} characters"}, status=400)
        status = delivery.deliverability(sender_id, events)
        if not status["deliverable"]:
            # The console showed this before staff typed (the conversation's "delivery"): nothing is sent.
            return response.json({"error": status["message"], "delivery": status}, status=409)
        text = text.strip()
        result = await delivery.deliver(sender_id, [text], kind="staff", last_user_at=last_user_time(events))
        # Recorded either way: a reply that did not go out stays in the conversation, marked, and staff are told.
        metadata = {STAFF_METADATA_KEY: True, **({} if result["delivered"] else {UNDELIVERED_KEY: result["reason"]})}
        await _append(request, sender_id, [BotUttered(text, metadata=metadata)])
        if not result["delivered"]:
            return response.json({"sent": False, "error": result["message"], "delivery": result}, status=502)
        return response.json({"sent": True, "delivery": result})

    @staff.post("/api/conversations/<sender_id:str>/pause")
    @requires_token(api=True)
    @with_conversation
    async def take_over(request: Request, sender_id: str, events: List[Dict[str, Any]]) -> HTTPResponse:
        if not paused(events):
            # Marked as staff's own: the queue shows it as being answered, not as waiting.
            await _append(request, sender_id, [ConversationPaused(metadata={STAFF_METADATA_KEY: True})])
        return response.json({"paused": True})

    @staff.post("/api/conversations/<sender_id:str>/resume")
    @requires_token(api=True)
    @with_conversation
    async def hand_back(request: Request, sender_id: str, events: List[Dict[str, Any]]) -> HTTPResponse:
        if paused(events):
            # action_listen puts the tracker back into "waiting for the user", the state the policies
            # predict from; without it the next message follows the hand-off action and falls back.
            resumed = channel_text(channel_of(sender_id), "staff_resumed")
            last_user_at = last_user_time(events)
            events = [ConversationResumed(), BotUttered(resumed), ActionExecuted("action_listen")]
            await _append(request, sender_id, events)
            result = await delivery.deliver(sender_id, [resumed], kind="resumed", last_user_at=last_user_at)
            return response.json({"paused": False, "delivery": result})
        return response.json({"paused": False})

    return staff
