"""The web chat channel: Rasa's socket.io protocol, plus the widget pages and the staff console.

Listed in credentials.yml as ``bot.channels.webchat.WebChatInput`` in place of Rasa's ``socketio``
channel; the socket.io protocol (``session_request`` / ``session_confirm``, ``user_uttered`` /
``bot_uttered``) is the same, so any Rasa socket.io client works. What it adds:

- one ``bot_uttered`` per bot message (Rasa's channel splits text at blank lines) and the answer
  card delivered as ``{"custom": {"answer_card": …}}`` (Rasa's channel passes custom JSON to
  ``emit`` as keyword arguments, which fails for the card);
- session ids the server can trust: only ids it issued (32 hex characters) are taken back, so a
  socket cannot join another channel's conversation by naming its sender id;
- over-long messages get a clear reply instead of reaching the NLU;
- the widget page, its script, the measure texts and the chat history (bot/channels/webchat/pages.py)
  and the staff console (bot/channels/webchat/console.py) on the same server and port.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.channels.channel_texts import channel_text
from bot.channels.delivery.compose import build_router
from bot.channels.feedback_store import current_agent
from bot.channels.webchat import console, cors, feedback_events, pages, review_inbox
from bot.channels.webchat.assets import new_session_id, valid_session_id

logger = logging.getLogger(__name__)

CHANNEL_NAME = "webchat"
MAX_MESSAGE_CHARS = 500
# Every message gets an answer, even one with nothing to answer (bad input loses nothing silently):
# the notices are channel texts (bot/channels/channel_texts.yml).


def client_manager(env: Dict[str, str] | None = None) -> AsyncRedisManager | None:
    """With REDIS_URL, the replicas share one socket.io message queue (python-socketio's
    AsyncRedisManager): an emit to a session's room on any replica reaches the widget connected to
    another one (staff replies from a console served by another replica). REDIS_KEY_PREFIX keeps
    deployments sharing a Redis apart."""
    env = dict(os.environ) if env is None else env
    url = env.get("REDIS_URL", "").strip()
    if not url:
        return None
    return AsyncRedisManager(url, channel=f"{env.get('REDIS_KEY_PREFIX', '').strip() or 'wanqi'}:socketio")


class WebChatOutput(OutputChannel):
    """Sends each bot message as one ``bot_uttered`` event to the conversation's room."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt

    async def emit(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self.sio.emit(self.bot_message_evt, message, room=recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.emit(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        quick_replies = [
            {"content_type": "text", "title": b.get("title", ""), "payload": b.get("payload", "")} for b in buttons
        ]
        await self.emit(recipient_id, {"text": text, "quick_replies": quick_replies})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.emit(recipient_id, {"attachment": {"type": "image", "payload": {"src": image}}})

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:  # type: ignore[override]
        await self.emit(recipient_id, {"attachment": attachment})

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self.emit(recipient_id, {"custom": json_message})


class WebChatBlueprint(SocketBlueprint):
    """Attaches socket.io, then the widget pages and the staff console at the server root."""

    def __init__(self, sio: AsyncServer, socketio_path: str, extra: List[Blueprint], *args: Any, **kwargs: Any):
        super().__init__(sio, socketio_path, *args, **kwargs)
        self.ctx.extra_blueprints = extra

    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        super().register(app, options)
        for blueprint in self.ctx.extra_blueprints:
            app.blueprint(blueprint)


class WebChatInput(InputChannel):
    """socket.io input channel of the web chat widget (credentials key ``bot.channels.webchat.WebChatInput``)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            max_message_chars=int(credentials.get("max_message_chars", MAX_MESSAGE_CHARS)),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
        max_message_chars: int = MAX_MESSAGE_CHARS,
    ) -> None:
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.socketio_path = socketio_path
        self.max_message_chars = max_message_chars
        self.sio: AsyncServer | None = None

    def get_output_channel(self) -> OutputChannel | None:
        return WebChatOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Other sites may embed the widget (WEBCHAT_ALLOWED_ORIGINS, bot/channels/webchat/cors.py); a socket.io
        # session carries no cookie, so no credentials are ever allowed.
        origins = cors.socketio_origin_check(cors.allowed_origins())
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=origins, cors_credentials=False,
                          client_manager=client_manager())  # fmt: skip
        self.sio = sio
        output = WebChatOutput(sio, self.bot_message_evt)
        # The composition root of delivery: staff replies reach every channel's users (bot/channels/delivery/).
        delivery = build_router(output.emit, current_agent)
        extra = [
            pages.blueprint(self.max_message_chars),
            console.blueprint(delivery),
            review_inbox.blueprint(),  # the maintainers' review inbox (/review/)
        ]
        socket_blueprint = WebChatBlueprint(sio, self.socketio_path, extra, "webchat_socketio", __name__)

        @socket_blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        feedback_events.register(sio, current_agent)  # 有用 / 没用 from the widget

        @sio.on("connect")
        async def connect(sid: str, environ: Dict, auth: Dict | None = None) -> bool:
            return True

        @sio.on("session_request")
        async def session_request(sid: str, data: Dict | None = None) -> None:
            requested = (data or {}).get("session_id") if isinstance(data, dict) else None
            session_id = requested if valid_session_id(requested) else new_session_id()
            previous = (await sio.get_session(sid) or {}).get("session_id")
            if previous and previous != session_id:
                await sio.leave_room(sid, previous)
            await sio.save_session(sid, {"session_id": session_id})
            # enter_room is a coroutine in python-socketio 5.x (Rasa's own channel forgets to await it).
            await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            session_id = (await sio.get_session(sid) or {}).get("session_id")
            if not session_id:
                await sio.emit(
                    self.bot_message_evt,
                    {"text": channel_text(CHANNEL_NAME, "no_session"), "notice": "no_session"},
                    room=sid,
                )
                return
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                await output.emit(
                    session_id, {"text": channel_text(CHANNEL_NAME, "malformed_message"), "notice": "malformed"}
                )
                return
            text = data["message"].strip()
            if not text:
                await output.emit(session_id, {"text": channel_text(CHANNEL_NAME, "empty_message"), "notice": "empty"})
                return
            if len(text) > self.max_message_chars:
                notice = channel_text(CHANNEL_NAME, "too_long", length=len(text), limit=self.max_message_chars)
                await output.emit(session_id, {"text": notice, "notice": "too_long"})
                return
            metadata = data.get("metadata") or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            # Only what the widget itself sets; the rest of a client's metadata is not trusted.
            shown = metadata.get("shown_text")
            kept = {"shown_text": shown[: self.max_message_chars]} if isinstance(shown, str) else {}
            message = UserMessage(text, output, session_id, input_channel=CHANNEL_NAME, metadata=kept)
            await on_new_message(message)

        return socket_blueprint
