"""Rasa's REST channel, guarded: ``POST /webhooks/rest/webhook {"sender", "message"}``.

Listed in credentials.yml in place of Rasa's ``rest``, at the same URL, with the same reply. The
guards live in the route handler itself, so every variant of the path that reaches it (a trailing
slash …) is guarded:

- the body is checked before Rasa reads it (bot/channels/rest/body.py): a bad body gets a 4xx;
- a public caller names its own sender id, inside the REST namespace only (bot/channels/sender_ids.py),
  and its ``input_channel`` and ``metadata`` are ignored (they are always "rest" and none);
- an internal caller (bot/channels/internal_callers.py) may speak for any channel's user, name the
  input channel and send bounded metadata; a wrong token is refused (401), not downgraded;
- a message nginx sends again to another replica is not run twice (bot/channels/rest/deliveries.py).
"""

from __future__ import annotations

import copy
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import internal_callers, sender_ids
from bot.channels.channel_texts import channel_text
from bot.channels.rest import body as rest_body
from bot.channels.rest import deliveries as rest_deliveries
from bot.channels.with_staff import reply_while_with_staff
from bot.stores.settings import StoreSettings

logger = logging.getLogger(__name__)

CHANNEL_NAME = "rest"


def _refusal(status: int, message: str) -> HTTPResponse:
    return response.json({"error": "bad_request" if status == 400 else "refused", "message": message}, status=status)


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def message_parts(self, request: Request) -> Dict[str, Any]:
        """sender, text, input_channel and metadata of a request; raises BodyRefused / SenderRefused."""
        caller = internal_callers.identify(request.headers.get("authorization"))
        if caller is internal_callers.Caller.REFUSED:
            raise rest_body.BodyRefused("the Authorization header does not hold the internal caller token", 401)
        payload = rest_body.parse(request.body or b"")
        if caller is internal_callers.Caller.INTERNAL:
            return {
                "sender_id": sender_ids.check_any_sender(payload.get("sender")),
                "text": payload["message"],
                "input_channel": payload.get("input_channel") or CHANNEL_NAME,
                "metadata": payload.get("metadata"),
            }
        return {
            "sender_id": sender_ids.check_public_rest_sender(payload.get("sender")),
            "text": payload["message"],
            "input_channel": CHANNEL_NAME,
            "metadata": None,
        }

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)
        stores = StoreSettings.from_env()
        deliveries = rest_deliveries.from_settings(stores.redis_url, stores.redis_key_prefix)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            try:
                parts = self.message_parts(request)
            except (rest_body.BodyRefused, sender_ids.SenderRefused) as refused:
                return _refusal(refused.status, str(refused))
            if not deliveries.first_delivery(request.headers.get(rest_deliveries.HEADER)):
                # nginx retried a message another replica read and then failed on: never run it twice.
                logger.warning("A message handed on by the proxy after a failed replica was not run again")
                interrupted = channel_text(parts["input_channel"], "interrupted")
                return response.json([{"recipient_id": parts["sender_id"], "text": interrupted}])
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                stream = self.stream_response(
                    on_new_message, parts["text"], parts["sender_id"], parts["input_channel"], parts["metadata"]
                )
                return response.stream(stream, content_type="text/event-stream")
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(output_channel=collector, **parts))
            except CancelledError:
                logger.error("REST message timed out: %s", copy.deepcopy(parts["text"]))
            except Exception:
                logger.exception("REST message failed: %s", copy.deepcopy(parts["text"]))
            # The Telegram bridge (input_channel "telegram") and REST callers hear that staff have it.
            agent = getattr(request.app.ctx, "agent", None)
            messages = await reply_while_with_staff(
                agent, parts["sender_id"], parts["input_channel"], collector.messages
            )
            return response.json(messages)

        return webhook
