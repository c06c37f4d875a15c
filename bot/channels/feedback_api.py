"""``POST /webhooks/feedback/ratings``: a rating from a channel that runs outside the Rasa server.

The Telegram bridge is a process of its own that reaches the assistant over HTTP; its users' taps
on 有用 / 没用 come here (the web chat sends ratings over its socket.io connection and WeChat's
webhook runs inside the Rasa server, so neither needs this route). Listed in credentials.yml as
``bot.channels.feedback_api.FeedbackInput``.

Body: ``{"sender": "<conversation id>", "answer_ref": "<8 hex>", "rating": "useful" | "not_useful",
"reason"?: …, "comment"?: …}`` → 200 ``{"stored": true}``; a malformed rating 400, an answer the
conversation never got 404. A rating is accepted only for an answer the conversation really got,
and never for a web chat session (those ids are the widget's secret; its ratings come over
socket.io). With ``FEEDBACK_TOKEN`` set, the route also wants ``Authorization: Bearer <token>``
(the bridge sends it); REST conversations are open to any client, as the REST channel is.
"""

from __future__ import annotations

import hmac
import os
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.feedback import FeedbackError, make_feedback
from bot.channels.feedback_store import NoSuchAnswer, store_feedback

TOKEN_ENV = "FEEDBACK_TOKEN"
MAX_SENDER_CHARS = 255
WEBCHAT_SESSION_LENGTH = 32


def _authorised(request: Request) -> bool:
    expected = os.environ.get(TOKEN_ENV)
    if not expected:
        return True
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else ""
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def _is_webchat_session(sender: str) -> bool:
    return len(sender) == WEBCHAT_SESSION_LENGTH and all(c in "0123456789abcdef" for c in sender)


class FeedbackInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "feedback"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("answer_feedback", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/ratings", methods=["POST"])
        async def rate(request: Request) -> HTTPResponse:
            if not _authorised(request):
                return response.json({"error": f"send the token in {TOKEN_ENV} as a bearer token"}, status=401)
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - Sanic raises its own kinds on a body that is not JSON
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "the body must be a JSON object"}, status=400)
            sender = body.get("sender")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                return response.json({"error": "sender must be the conversation id"}, status=400)
            if _is_webchat_session(sender):
                return response.json({"error": "web chat ratings come over the widget's connection"}, status=403)
            try:
                feedback = make_feedback(body, channel="")
                stored = await store_feedback(request.app.ctx.agent, sender, feedback)
            except NoSuchAnswer as error:
                return response.json({"error": str(error)}, status=404)
            except FeedbackError as error:
                return response.json({"error": str(error)}, status=400)
            return response.json({"stored": True, "channel": stored.feedback.channel})

        return blueprint
