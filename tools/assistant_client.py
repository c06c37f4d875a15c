"""A small client for the running assistant's REST channel: the integration tests and tools/evaluate.py."""

from __future__ import annotations

import json
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List


@dataclass
class Reply:
    """Everything the bot sent for one user message."""

    messages: List[Dict[str, Any]]

    @property
    def text(self) -> str:
        return "\n".join(m["text"] for m in self.messages if m.get("text"))

    @property
    def card(self) -> Dict[str, Any] | None:
        cards = [m["custom"]["answer_card"] for m in self.messages if "answer_card" in (m.get("custom") or {})]
        assert len(cards) <= 1, f"more than one answer card in one turn: {cards}"
        return cards[0] if cards else None

    @property
    def buttons(self) -> List[Dict[str, Any]]:
        return [b for m in self.messages for b in m.get("buttons") or []]


@dataclass
class AssistantClient:
    rasa_url: str
    api_token: str | None = None
    console_token: str | None = None
    # The internal caller token (bot/channels/internal_callers.py): lets the tests speak for any channel's user.
    internal_token: str | None = None

    def new_sender(self) -> str:
        return f"test-{uuid.uuid4().hex[:12]}"

    def ask(self, sender: str, message: str, timeout: float = 30) -> Reply:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(json.loads(response.read()))

    def ask_as(
        self, sender: str, message: str, input_channel: str, metadata: Dict[str, Any] | None = None, timeout: float = 30
    ) -> Reply:
        """As an internal caller (the Telegram bridge does this): for any channel's sender id."""
        body = {"sender": sender, "message": message, "input_channel": input_channel, "metadata": metadata or {}}
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.internal_token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(json.loads(response.read()))

    def tracker(self, sender: str) -> Dict[str, Any]:
        request = urllib.request.Request(f"{self.rasa_url}/conversations/{sender}/tracker?token={self.api_token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def append_events(self, sender: str, events: List[Dict[str, Any]]) -> None:
        """Adds events to the conversation through Rasa's HTTP API (as the staff console does)."""
        request = urllib.request.Request(
            f"{self.rasa_url}/conversations/{sender}/tracker/events?token={self.api_token}",
            data=json.dumps(events).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
