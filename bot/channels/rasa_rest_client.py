"""Async client for the Rasa server's REST channel and its rating route, used by the Telegram bridge
(an internal caller: bot/channels/internal_callers.py)."""

from __future__ import annotations

from typing import Any, Dict, List

import httpx

from bot.channels import internal_callers


class AssistantUnavailable(RuntimeError):
    """The Rasa server could not be reached or did not answer properly."""


class RasaRestClient:
    """POST /webhooks/rest/webhook ``{"sender", "message", "input_channel", "metadata"}`` → reply messages."""

    def __init__(
        self,
        rasa_url: str,
        input_channel: str,
        timeout_s: float = 30.0,
        internal_token: str | None = None,
    ) -> None:
        self.webhook_url = rasa_url.rstrip("/") + "/webhooks/rest/webhook"
        self.feedback_url = rasa_url.rstrip("/") + "/webhooks/feedback/ratings"
        self.input_channel = input_channel
        self._http = httpx.AsyncClient(timeout=timeout_s)
        # Only an internal caller may speak for its channel's users and name the input channel.
        self._internal_auth = internal_callers.authorization_header(internal_token)

    async def send(self, sender: str, message: str, metadata: Dict[str, Any] | None = None) -> List[Dict[str, Any]]:
        body = {"sender": sender, "message": message, "input_channel": self.input_channel, "metadata": metadata or {}}
        try:
            response = await self._http.post(self.webhook_url, json=body, headers=self._internal_auth)
        except httpx.HTTPError as error:
            raise AssistantUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise AssistantUnavailable(f"HTTP {response.status_code} from {self.webhook_url}")
        try:
            messages = response.json()
        except ValueError as error:
            raise AssistantUnavailable("the reply was not JSON") from error
        if not isinstance(messages, list):
            raise AssistantUnavailable("the reply was not a list of messages")
        return [m for m in messages if isinstance(m, dict)]

    async def send_feedback(self, sender: str, rating: Dict[str, Any]) -> None:
        """Store a rating of one of ``sender``'s answers (bot/channels/feedback_api.py)."""
        body = {"sender": sender, **rating}
        try:
            response = await self._http.post(self.feedback_url, json=body, headers=self._internal_auth)
        except httpx.HTTPError as error:
            raise AssistantUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise AssistantUnavailable(f"HTTP {response.status_code} from {self.feedback_url}: {response.text[:200]}")

    async def close(self) -> None:
        await self._http.aclose()
