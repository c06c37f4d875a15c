"""``POST /webhooks/feedback/ratings``: a rating from a channel that runs outside the Rasa server.

The Telegram bridge is a process of its own that reaches the assistant over HTTP; its users' taps
on 有用 / 没用 come here (the web chat sends ratings over its socket.io connection and WeChat's
webhook runs inside the Rasa server, so neither needs this route). Listed in credentials.yml as
``bot.channels.feedback_api.FeedbackInput``.

Body: ``{"sender": "<conversation id>", "answer_ref": "<8 hex>", "rating": "useful" | "not_useful",
"reason"?: …, "comment"?: …}`` → 200 ``{"stored": true}``; a malformed rating 400, an answer the
conversation never got 404. A rating is accepted only for an answer the conversation really got,
and never for a web chat session (those ids are the widget's secret; its ratings come over
socket.io). A public caller rates only conversations of the REST channel's own namespace, as the
REST channel lets it speak only there; an internal caller (the bridge, with the one internal caller
token of bot/channels/internal_callers.py, the same it sends messages with) rates for any channel's
sender; a wrong token is refused.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import internal_callers, sender_ids
from bot.channels.feedback import FeedbackError, make_feedback
from bot.channels.feedback_store import NoSuchAnswer, store_feedback

MAX_SENDER_CHARS = 255
WEBCHAT_SESSION_LENGTH = 32


def _caller(request: Request) -> internal_callers.Caller:
    """An internal caller may rate for any channel's sender; a public caller only for a sender of the
    REST channel's own namespace (bot/channels/sender_ids.py)."""
    return internal_callers.identify(request.headers.get("authorization"))


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
            caller = _caller(request)
            if caller is internal_callers.Caller.REFUSED:
                error = f"a wrong token: internal callers send {internal_callers.TOKEN_ENV} as a bearer token"
                return response.json({"error": error}, status=401)
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
            if caller is internal_callers.Caller.PUBLIC:
                try:
                    sender_ids.check_public_rest_sender(sender)
                except sender_ids.SenderRefused as refused:
                    return response.json({"error": str(refused)}, status=refused.status)
            try:
                feedback = make_feedback(body, channel="")
                stored = await store_feedback(request.app.ctx.agent, sender, feedback)
            except NoSuchAnswer as error:
                return response.json({"error": str(error)}, status=404)
            except FeedbackError as error:
                return response.json({"error": str(error)}, status=400)
            return response.json({"stored": True, "channel": stored.feedback.channel})

        return blueprint
